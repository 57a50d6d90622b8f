import type { AlarmMessage } from "../../protocol/index.ts";
import { assertTransition } from "../alarms/lifecycle.ts";
import { type Db, nowIso } from "./database.ts";

/**
 * Where the response to an alarm stands, and nothing else: whether an operator
 * has acknowledged it is a separate fact (`acknowledged_at`), so that no
 * mapping can take one for the other (hub/alarms/button-state.ts).
 * `unassigned`: no worker asked yet; `offered`: a worker was asked and nobody
 * has accepted (or everybody asked has declined); `accepted`: a worker is on
 * the way; `on_scene`: arrived.
 */
export const ALARM_STATUSES = [
  "unassigned",
  "offered",
  "accepted",
  "on_scene",
  "resolved",
  "followed_up",
  "cancelled",
] as const;
export type AlarmStatus = (typeof ALARM_STATUSES)[number];
/** States in which an alarm no longer needs anyone to act now. */
export const CLOSED_STATUSES: readonly AlarmStatus[] = ["resolved", "followed_up", "cancelled"];
/** States in which no worker has accepted yet: a worker may still be asked. */
export const UNACCEPTED_STATUSES: readonly AlarmStatus[] = ["unassigned", "offered"];
const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");
export type AlarmOutcome = "real" | "false_alarm" | "test";
export type IncidentKind = "sos" | "service" | "test";

export interface AlarmRow {
  id: number;
  device_id: string;
  kind: IncidentKind;
  status: AlarmStatus;
  outcome: AlarmOutcome | null;
  received_at: string;
  household_id: number | null;
  resident_id: number | null;
  worker_id: number | null;
  worker_distance_m: number | null;
  clinic_id: number | null;
  clinic_distance_m: number | null;
  /** When an operator acknowledged the alarm: a fact of its own, apart from `status`. */
  acknowledged_at: string | null;
  acknowledged_by: number | null;
  resolved_at: string | null;
  resolved_by: number | null;
  /** When the first worker was asked, accepted, arrived. */
  offered_at: string | null;
  accepted_at: string | null;
  on_scene_at: string | null;
  stages_done: string;
  stage_error: string | null;
  /** Presses attached to this alarm (the first included); more presses, higher priority. */
  press_count: number;
  cancelled_at: string | null;
  follow_up_due_at: string | null;
  followed_up_at: string | null;
  /** Highest escalation level reached (0 = none). */
  escalation_level: number;
}

export interface PressRow {
  id: number;
  device_id: string;
  press_id: string;
  kind: string;
  alarm_id: number | null;
}

export interface AlarmEventRow {
  id: number;
  alarm_id: number;
  at: string;
  type: string;
  actor: string;
  detail: string | null;
}

export class AlarmRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  findPress(deviceId: string, pressId: string): PressRow | undefined {
    return this.db.prepare("SELECT * FROM presses WHERE device_id = ? AND press_id = ?").get(deviceId, pressId) as
      | PressRow
      | undefined;
  }

  insertPress(deviceId: string, message: AlarmMessage, receivedAt: string, alarmId: number | null): number {
    const result = this.db
      .prepare(
        `INSERT INTO presses (device_id, press_id, kind, device_time, seq, battery, received_at, alarm_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        deviceId,
        message.pressId,
        message.kind,
        message.deviceTime,
        message.seq,
        message.battery,
        receivedAt,
        alarmId,
      );
    return Number(result.lastInsertRowid);
  }

  insertAlarm(deviceId: string, kind: IncidentKind, receivedAt: string): number {
    const result = this.db
      .prepare("INSERT INTO alarms (device_id, kind, status, received_at) VALUES (?, ?, 'unassigned', ?)")
      .run(deviceId, kind, receivedAt);
    return Number(result.lastInsertRowid);
  }

  /** The device's most recent alarm that is not resolved, if any. */
  openAlarmForDevice(deviceId: string): AlarmRow | undefined {
    return this.db
      .prepare(`SELECT * FROM alarms WHERE device_id = ? AND status NOT IN (${CLOSED_SQL}) ORDER BY id DESC LIMIT 1`)
      .get(deviceId) as AlarmRow | undefined;
  }

  /** The alarm a device's feedback is about: its newest open one, else its newest one. */
  feedbackAlarmFor(deviceId: string): AlarmRow | undefined {
    return (
      this.openAlarmForDevice(deviceId) ??
      (this.db.prepare("SELECT * FROM alarms WHERE device_id = ? ORDER BY id DESC LIMIT 1").get(deviceId) as
        | AlarmRow
        | undefined)
    );
  }

  get(alarmId: number): AlarmRow | undefined {
    return this.db.prepare("SELECT * FROM alarms WHERE id = ?").get(alarmId) as AlarmRow | undefined;
  }

  list(filter: { openOnly: boolean; limit: number }): AlarmRow[] {
    const where = filter.openOnly ? `WHERE status NOT IN (${CLOSED_SQL})` : "";
    return this.db.prepare(`SELECT * FROM alarms ${where} ORDER BY id DESC LIMIT ?`).all(filter.limit) as AlarmRow[];
  }

  appendEvent(alarmId: number, type: string, actor: string, detail?: Record<string, unknown>, at = nowIso()): void {
    this.db
      .prepare("INSERT INTO alarm_events (alarm_id, at, type, actor, detail) VALUES (?, ?, ?, ?, ?)")
      .run(alarmId, at, type, actor, detail === undefined ? null : JSON.stringify(detail));
  }

  events(alarmId: number): AlarmEventRow[] {
    return this.db.prepare("SELECT * FROM alarm_events WHERE alarm_id = ? ORDER BY id").all(alarmId) as AlarmEventRow[];
  }

  setLocation(alarmId: number, householdId: number | null, residentId: number | null): void {
    this.db
      .prepare("UPDATE alarms SET household_id = ?, resident_id = ? WHERE id = ?")
      .run(householdId, residentId, alarmId);
  }

  setDispatch(
    alarmId: number,
    worker: { id: number; distanceM: number } | null,
    clinic: { id: number; distanceM: number } | null,
  ): void {
    this.db
      .prepare(
        "UPDATE alarms SET worker_id = ?, worker_distance_m = ?, clinic_id = ?, clinic_distance_m = ? WHERE id = ?",
      )
      .run(worker?.id ?? null, worker?.distanceM ?? null, clinic?.id ?? null, clinic?.distanceM ?? null, alarmId);
  }

  stagesDone(alarmId: number): string[] {
    const row = this.db.prepare("SELECT stages_done FROM alarms WHERE id = ?").get(alarmId) as
      | { stages_done: string }
      | undefined;
    return row ? (JSON.parse(row.stages_done) as string[]) : [];
  }

  markStageDone(alarmId: number, stage: string): void {
    const done = this.stagesDone(alarmId);
    if (done.includes(stage)) return;
    done.push(stage);
    this.db
      .prepare("UPDATE alarms SET stages_done = ?, stage_error = NULL WHERE id = ?")
      .run(JSON.stringify(done), alarmId);
  }

  setStageError(alarmId: number, error: string | null): void {
    this.db.prepare("UPDATE alarms SET stage_error = ? WHERE id = ?").run(error, alarmId);
  }

  /** Alarms whose post-storage stages are not all done: after a crash or a failed stage, these are resumed. */
  withIncompleteStages(stageCount: number): AlarmRow[] {
    return this.db
      .prepare("SELECT * FROM alarms WHERE json_array_length(stages_done) < ? ORDER BY id")
      .all(stageCount) as AlarmRow[];
  }

  /**
   * Conditional update: returns false when the alarm was not in `from` (someone else moved it first).
   * A change the lifecycle table does not allow throws `ALARM_TRANSITION_ILLEGAL` (hub/alarms/lifecycle.ts).
   */
  transition(
    alarmId: number,
    from: AlarmStatus,
    to: AlarmStatus,
    fields: Record<string, string | number | null>,
  ): boolean {
    assertTransition(from, to, alarmId);
    const columns = Object.keys(fields);
    const assignments = ["status = ?", ...columns.map((c) => `${c} = ?`)].join(", ");
    const result = this.db
      .prepare(`UPDATE alarms SET ${assignments} WHERE id = ? AND status = ?`)
      .run(to, ...columns.map((c) => fields[c] ?? null), alarmId, from);
    return result.changes === 1;
  }
}
