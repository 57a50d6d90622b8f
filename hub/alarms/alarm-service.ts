/**
 * Operator actions on an alarm. Each action is a conditional state change plus
 * an event in the append-only log, committed together; then the device's
 * feedback and every console are told. Two operators acting at once cannot both
 * win: the second gets ALARM_STATE_CONFLICT.
 */
import type { Logger } from "pino";
import type { FeedbackState } from "../../protocol/index.ts";
import type { DeviceChannel } from "../broker/device-channel.ts";
import { AnxinError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import {
  type AlarmOutcome,
  type AlarmRepository,
  type AlarmRow,
  type AlarmStatus,
  CLOSED_STATUSES,
} from "../storage/alarm-repo.ts";
import { type Db, nowIso } from "../storage/database.ts";
import type { UserRow } from "../storage/user-repo.ts";

/**
 * What the resident's button shows for each alarm state. An offer to a worker
 * (`dispatched`) is not yet help on its way; the LED says "coming" only once a
 * worker has accepted.
 */
export const FEEDBACK_FOR_STATUS: Record<AlarmStatus, FeedbackState> = {
  received: "received",
  acknowledged: "acknowledged",
  dispatched: "acknowledged",
  accepted: "dispatched",
  on_scene: "arrived",
  resolved: "closed",
  followed_up: "closed",
  cancelled: "closed",
};

export class AlarmService {
  private readonly db: Db;
  private readonly alarms: AlarmRepository;
  private readonly devices: DeviceChannel;
  private readonly bus: EventBus;
  private readonly logger: Logger;

  constructor(deps: { db: Db; alarms: AlarmRepository; devices: DeviceChannel; bus: EventBus; logger: Logger }) {
    this.db = deps.db;
    this.alarms = deps.alarms;
    this.devices = deps.devices;
    this.bus = deps.bus;
    this.logger = deps.logger;
  }

  get(alarmId: number): AlarmRow {
    const alarm = this.alarms.get(alarmId);
    if (!alarm) throw new AnxinError("ALARM_NOT_FOUND", `alarm ${alarmId} does not exist`, { alarmId });
    return alarm;
  }

  async acknowledge(alarmId: number, user: UserRow): Promise<AlarmRow> {
    const at = nowIso();
    this.change(alarmId, "received", "acknowledged", { acknowledged_at: at, acknowledged_by: user.id }, () =>
      this.alarms.appendEvent(alarmId, "acknowledged", `user:${user.username}`, undefined, at),
    );
    return this.afterChange(alarmId, "acknowledged");
  }

  async resolve(alarmId: number, user: UserRow, outcome: AlarmOutcome, note: string | undefined): Promise<AlarmRow> {
    const at = nowIso();
    const alarm = this.get(alarmId);
    if (CLOSED_STATUSES.includes(alarm.status)) {
      throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is already ${alarm.status}`, {
        status: alarm.status,
      });
    }
    this.change(alarmId, alarm.status, "resolved", { resolved_at: at, resolved_by: user.id, outcome }, () =>
      this.alarms.appendEvent(alarmId, "resolved", `user:${user.username}`, { outcome, note: note ?? null }, at),
    );
    return this.afterChange(alarmId, "resolved");
  }

  /** After a restart the broker's retained messages are gone; restate every open alarm's feedback. */
  async republishFeedback(): Promise<void> {
    for (const alarm of this.alarms.list({ openOnly: true, limit: 100_000 })) {
      await this.devices.feedback(alarm.device_id, FEEDBACK_FOR_STATUS[alarm.status], alarm.id);
    }
  }

  private change(
    alarmId: number,
    from: AlarmStatus,
    to: AlarmStatus,
    fields: Record<string, string | number | null>,
    record: () => void,
  ): void {
    const current = this.get(alarmId);
    this.db.transaction(() => {
      if (!this.alarms.transition(alarmId, from, to, fields)) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is ${current.status}, cannot become ${to}`, {
          status: current.status,
        });
      }
      record();
    })();
  }

  private async afterChange(alarmId: number, change: AlarmStatus): Promise<AlarmRow> {
    const alarm = this.get(alarmId);
    this.bus.emit("alarm.changed", { alarmId, change });
    try {
      await this.devices.feedback(alarm.device_id, FEEDBACK_FOR_STATUS[alarm.status], alarm.id);
    } catch (error) {
      // The change is committed; the device learns it from the retained state at its next reconnect.
      this.logger.warn({ err: error, alarmId }, "could not publish feedback to the device");
    }
    return alarm;
  }
}
