/**
 * Operator actions on an alarm. Each action is a conditional state change plus
 * an event in the append-only log, committed together; then the device's
 * feedback and every console are told. Two operators acting at once cannot both
 * win: the second gets ALARM_STATE_CONFLICT.
 *
 * Acknowledging is "an operator has taken this alarm", a fact of its own that
 * never changes the status: an SOS is offered to a worker at once, without
 * waiting for an operator, so an alarm may already be `offered` (or even
 * `accepted`) when it is acknowledged, and it keeps that status.
 */

import type { Logger } from "pino";
import { CLOSED_STATUSES } from "../../protocol/console/index.ts";
import { AfterCommit } from "../after-commit.ts";
import { AnxinError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import { type AlarmOutcome, type AlarmRepository, type AlarmRow, foundAlarm } from "../storage/alarm-repo.ts";
import { nowIso } from "../storage/database.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import type { UserRow } from "../storage/user-repo.ts";
import { buttonStateOf } from "./button-state.ts";
import type { DevicePort } from "./device-port.ts";

/** What closing an alarm asks of dispatch: withdraw open offers, stand down a worker, inside the same transaction. */
export interface DispatchCloseOut {
  /** `closing` tells a service request whether it was done or called off; absent means resolved. */
  closeOut(alarmId: number, actor: string, effects: AfterCommit, closing?: "resolved" | "cancelled"): Promise<void>;
  afterCommit(effects: AfterCommit): Promise<void>;
}

export class AlarmService {
  private readonly sql: SqlSession;
  private readonly alarms: AlarmRepository;
  private readonly devices: DevicePort;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly dispatch: DispatchCloseOut;

  constructor(deps: {
    sql: SqlSession;
    alarms: AlarmRepository;
    devices: DevicePort;
    bus: EventBus;
    logger: Logger;
    dispatch: DispatchCloseOut;
  }) {
    this.dispatch = deps.dispatch;
    this.sql = deps.sql;
    this.alarms = deps.alarms;
    this.devices = deps.devices;
    this.bus = deps.bus;
    this.logger = deps.logger;
  }

  async get(alarmId: number): Promise<AlarmRow> {
    return foundAlarm(await this.alarms.get(alarmId), alarmId);
  }

  /** Inside the transaction that changes it: locked on PostgreSQL until it ends (AlarmRepository.getForUpdate). */
  private async getLocked(alarmId: number): Promise<AlarmRow> {
    return foundAlarm(await this.alarms.getForUpdate(alarmId), alarmId);
  }

  async acknowledge(alarmId: number, user: UserRow): Promise<AlarmRow> {
    const at = nowIso();
    await this.sql.transaction(async () => {
      const current = await this.getLocked(alarmId);
      if (current.acknowledged_at !== null || CLOSED_STATUSES.includes(current.status)) {
        const state = current.acknowledged_at !== null ? "already acknowledged" : current.status;
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is ${state}`, { status: current.status });
      }
      // The status stays: acknowledgement is not a step of the response (hub/storage/alarm-transitions.ts).
      const acknowledged = await this.alarms.transition(alarmId, current.status, current.status, {
        acknowledged_at: at,
        acknowledged_by: user.id,
      });
      if (!acknowledged) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} changed while being acknowledged`, {});
      }
      await this.alarms.appendEvent(alarmId, "acknowledged", `user:${user.username}`, null, at);
    });
    return this.afterChange(alarmId, "acknowledged");
  }

  async resolve(alarmId: number, user: UserRow, outcome: AlarmOutcome, note: string | undefined): Promise<AlarmRow> {
    const at = nowIso();
    const actor = `user:${user.username}`;
    const effects = new AfterCommit();
    await this.sql.transaction(async () => {
      const alarm = await this.getLocked(alarmId);
      if (CLOSED_STATUSES.includes(alarm.status)) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is already ${alarm.status}`, {
          status: alarm.status,
        });
      }
      // While the alarm still shows who was asked or on the way: their offer is withdrawn, they are stood down.
      await this.dispatch.closeOut(alarmId, actor, effects);
      if (
        !(await this.alarms.transition(alarmId, alarm.status, "resolved", {
          resolved_at: at,
          resolved_by: user.id,
          outcome,
        }))
      ) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} changed while being resolved`, {
          status: (await this.get(alarmId)).status,
        });
      }
      await this.alarms.appendEvent(alarmId, "resolved", actor, { outcome, note: note ?? null }, at);
    });
    await this.dispatch.afterCommit(effects);
    return this.afterChange(alarmId, "resolved");
  }

  /** After a restart the broker's retained messages are gone; restate every open alarm's feedback. */
  async republishFeedback(): Promise<void> {
    for (const alarm of await this.alarms.list({ openOnly: true, limit: 100_000 })) {
      await this.devices.feedback(alarm.device_id, buttonStateOf(alarm), alarm.id);
    }
  }

  private async afterChange(alarmId: number, change: string): Promise<AlarmRow> {
    const alarm = await this.get(alarmId);
    this.bus.emit("alarm.changed", { alarmId, change });
    try {
      await this.devices.feedback(alarm.device_id, buttonStateOf(alarm), alarm.id);
    } catch (error) {
      // The change is committed; the device learns it from the retained state at its next reconnect.
      this.logger.warn({ err: error, alarmId }, "could not publish feedback to the device");
    }
    return alarm;
  }
}
