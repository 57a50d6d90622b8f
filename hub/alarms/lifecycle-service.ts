/**
 * Lifecycle actions beyond acknowledge and resolve: the resident's cancel press
 * (within the cancel window), an operator closing an alarm as accidental,
 * repeated presses attached to the open alarm, and the follow-up visit.
 * Each is a legal transition (hub/storage/alarm-transitions.ts) plus an event, committed
 * together; then every console and the device's retained feedback are told.
 */

import type { Logger } from "pino";
import { CLOSED_STATUSES, type Reason } from "../../protocol/console/index.ts";
import { AfterCommit } from "../after-commit.ts";
import type { Clock } from "../clock.ts";
import { AnxinError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import { type AlarmRepository, type AlarmRow, foundAlarm } from "../storage/alarm-repo.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import type { UserRow } from "../storage/user-repo.ts";
import type { DispatchCloseOut } from "./alarm-service.ts";
import { buttonStateOf } from "./button-state.ts";
import type { DevicePort } from "./device-port.ts";
import type { LifecycleRepository, OverdueRow } from "./lifecycle-repo.ts";

export interface LifecycleSettings {
  cancelWindowS: number;
  resolutionDeadlineS: number;
  followUpDays: number;
}

/** A cancel decided inside the press's transaction; its after-commit work runs once that committed. */
export interface DeviceCancel {
  alarmId: number;
  effects: AfterCommit;
}

export class LifecycleService {
  private readonly deps: {
    sql: SqlSession;
    alarms: AlarmRepository;
    repo: LifecycleRepository;
    devices: DevicePort;
    bus: EventBus;
    logger: Logger;
    dispatch: DispatchCloseOut;
    clock: Clock;
    settings: LifecycleSettings;
  };

  constructor(deps: LifecycleService["deps"]) {
    this.deps = deps;
  }

  /**
   * Inside the cancel press's transaction: cancels the open alarm when the press
   * came within the cancel window of the alarm being received; null otherwise
   * (the press stays a `cancel_requested` for the operator).
   */
  async cancelFromDeviceInTransaction(
    open: AlarmRow,
    deviceId: string,
    pressedAt: string,
  ): Promise<DeviceCancel | null> {
    // The hub's clock (injectable), so that tests can move past the window.
    const elapsedMs = this.deps.clock().getTime() - Date.parse(open.received_at);
    if (elapsedMs > this.deps.settings.cancelWindowS * 1000) return null;
    const effects = new AfterCommit();
    const reason = { code: "cancelled_on_device", params: {} } as const;
    await this.close(open, `device:${deviceId}`, pressedAt, { reason, elapsedMs }, effects);
    return { alarmId: open.id, effects };
  }

  async afterDeviceCancel(cancel: DeviceCancel): Promise<void> {
    await this.deps.dispatch.afterCommit(cancel.effects);
    await this.afterChange(cancel.alarmId, "cancelled");
  }

  /** An operator closes an alarm as accidental (a false alarm): `cancelled`. */
  async cancelByOperator(alarmId: number, user: UserRow, reason: string): Promise<AlarmRow> {
    const at = this.deps.clock().toISOString();
    const effects = new AfterCommit();
    await this.deps.sql.transaction(async () => {
      // The operator's own words: a note, as with a resolve (a `reason` on the timeline is always coded).
      await this.close(await this.open(alarmId), `user:${user.username}`, at, { note: reason }, effects);
    });
    await this.deps.dispatch.afterCommit(effects);
    return this.afterChange(alarmId, "cancelled");
  }

  /** Inside the press's transaction: a further press on the open alarm raises its priority. */
  async attachPressInTransaction(open: AlarmRow, deviceId: string, pressId: string, at: string): Promise<number> {
    const pressCount = await this.deps.repo.addPress(open.id);
    await this.deps.alarms.appendEvent(open.id, "pressed_again", `device:${deviceId}`, { pressId, pressCount }, at);
    return pressCount;
  }

  /** Inside the call's transaction: a call from the household while its SOS is open counts as a further press. */
  async attachCallInTransaction(open: AlarmRow, caller: string | null, callSid: string, at: string): Promise<number> {
    const pressCount = await this.deps.repo.addPress(open.id);
    await this.deps.alarms.appendEvent(
      open.id,
      "pressed_again",
      `caller:${caller ?? "withheld"}`,
      { callSid, source: "voice", pressCount },
      at,
    );
    return pressCount;
  }

  /** Records the follow-up visit: `resolved → followed_up`. */
  async followUp(alarmId: number, user: UserRow, note: string, visitedAt: string): Promise<AlarmRow> {
    const at = this.deps.clock().toISOString();
    await this.deps.sql.transaction(async () => {
      const alarm = await this.getLocked(alarmId);
      if (!(await this.deps.alarms.transition(alarmId, alarm.status, "followed_up", { followed_up_at: visitedAt }))) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} changed while being followed up`, {});
      }
      await this.deps.alarms.appendEvent(alarmId, "followed_up", `user:${user.username}`, { note, visitedAt }, at);
    });
    return this.afterChange(alarmId, "followed_up");
  }

  /** Plans the follow-up visit of a resolved alarm. */
  async planFollowUp(alarmId: number, user: UserRow, dueAt: string): Promise<AlarmRow> {
    const at = this.deps.clock().toISOString();
    await this.deps.sql.transaction(async () => {
      const alarm = await this.getLocked(alarmId);
      if (alarm.status !== "resolved") {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is ${alarm.status}, not resolved`, {
          status: alarm.status,
        });
      }
      await this.deps.repo.setFollowUpDue(alarmId, dueAt);
      await this.deps.alarms.appendEvent(alarmId, "follow_up_planned", `user:${user.username}`, { dueAt }, at);
    });
    return this.afterChange(alarmId, "follow_up_planned");
  }

  /**
   * Open alarms past the resolution deadline, resolved ones past their follow-up date.
   * `unmarkedOnly`: only those the deadline watcher has not marked overdue yet.
   */
  async overdue(options: { unmarkedOnly?: boolean } = {}): Promise<OverdueRow[]> {
    const { settings, repo, clock } = this.deps;
    const now = clock();
    const cutoff = new Date(now.getTime() - settings.resolutionDeadlineS * 1000).toISOString();
    return (await repo.overdue(now.toISOString(), cutoff, settings.followUpDays, options.unmarkedOnly)).map((row) =>
      row.kind === "resolution"
        ? {
            ...row,
            dueAt: new Date(Date.parse(row.alarm.received_at) + settings.resolutionDeadlineS * 1000).toISOString(),
          }
        : row,
    );
  }

  private async close(
    alarm: AlarmRow,
    actor: string,
    at: string,
    detail: { reason: Reason<"cancelled_on_device">; elapsedMs: number } | { note: string },
    effects: AfterCommit,
  ): Promise<void> {
    await this.deps.dispatch.closeOut(alarm.id, actor, effects, "cancelled");
    const moved = await this.deps.alarms.transition(alarm.id, alarm.status, "cancelled", {
      cancelled_at: at,
      outcome: "false_alarm",
    });
    if (!moved) throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarm.id} changed while being cancelled`, {});
    await this.deps.alarms.appendEvent(alarm.id, "cancelled", actor, { outcome: "false_alarm", ...detail }, at);
  }

  /** Inside the transaction that changes it: locked on PostgreSQL until it ends (AlarmRepository.getForUpdate). */
  private async getLocked(alarmId: number): Promise<AlarmRow> {
    return foundAlarm(await this.deps.alarms.getForUpdate(alarmId), alarmId);
  }

  private async open(alarmId: number): Promise<AlarmRow> {
    const alarm = await this.getLocked(alarmId);
    if (CLOSED_STATUSES.includes(alarm.status)) {
      throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is already ${alarm.status}`, {
        status: alarm.status,
      });
    }
    return alarm;
  }

  private async afterChange(alarmId: number, change: string): Promise<AlarmRow> {
    // After the commit: a plain read, nothing left to lock.
    const alarm = foundAlarm(await this.deps.alarms.get(alarmId), alarmId);
    this.deps.bus.emit("alarm.changed", { alarmId, change });
    try {
      await this.deps.devices.feedback(alarm.device_id, buttonStateOf(alarm), alarm.id);
    } catch (error) {
      this.deps.logger.warn({ err: error, alarmId }, "could not publish feedback to the device");
    }
    return alarm;
  }
}
