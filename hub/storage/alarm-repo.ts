import {
  type AlarmEventDetails,
  type AlarmEventType,
  type AlarmStatus,
  CLOSED_STATUSES,
} from "../../protocol/console/index.ts";
import type { AlarmMessage } from "../../protocol/index.ts";
import { AnxinError } from "../errors.ts";
import { assertTransition } from "./alarm-transitions.ts";
import { nowIso } from "./database.ts";
import { jsonArrayLength, perDialect } from "./sql/dialect-sql.ts";
import type { SqlSession } from "./sql/sql-port.ts";

/** The alarm read, or the coded 404 the operators' actions answer for an unknown id. */
export function foundAlarm(alarm: AlarmRow | undefined, alarmId: number): AlarmRow {
  if (!alarm) throw new AnxinError("ALARM_NOT_FOUND", `alarm ${alarmId} does not exist`, { alarmId });
  return alarm;
}

/** PostgreSQL locks the alarm's row for the transaction that reads it (see `stagesDone`, `getForUpdate`). */
const forUpdate = (dialect: string) => (dialect === "postgres" ? " FOR UPDATE" : "");
const STAGES_DONE_SQL = perDialect((dialect) => `SELECT stages_done FROM alarms WHERE id = ?${forUpdate(dialect)}`);
const ALARM_FOR_UPDATE_SQL = perDialect((dialect) => `SELECT * FROM alarms WHERE id = ?${forUpdate(dialect)}`);

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");
/** `feedbackAlarmFor`'s query (exported for its query-plan test). */
export const FEEDBACK_ALARM_SQL = `WITH candidates(id) AS (
    SELECT id FROM alarms WHERE device_id = @device AND status NOT IN (${CLOSED_SQL})
    UNION SELECT alarm_id FROM presses WHERE device_id = @device AND kind IN ('sos', 'service')
    UNION SELECT MAX(id) FROM alarms WHERE device_id = @device)
  SELECT a.* FROM candidates c JOIN alarms a ON a.id = c.id
   ORDER BY a.status NOT IN (${CLOSED_SQL}) DESC, (a.kind = 'sos' AND a.status NOT IN (${CLOSED_SQL})) DESC, a.id DESC
   LIMIT 1`;
export type AlarmOutcome = "real" | "false_alarm" | "test";
export type IncidentKind = "sos" | "service" | "test";

export type AlarmSource = "button" | "voice";

export interface AlarmRow {
  id: number;
  /** The button that raised it; null for an alarm raised by a phone call (`source` voice). */
  device_id: string | null;
  source: AlarmSource;
  /** A voice alarm's caller ID (E.164), null when withheld; null for a button alarm. */
  caller: string | null;
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

/**
 * The household an SOS or service call belongs to, for the one-open-incident
 * rule: two buttons in one home are one emergency at one address (one
 * relatives' cascade, one worker sent). A device bound to no household is its
 * own scope. Test presses have none: each is a device test of its own.
 */
export function incidentScopeOf(
  device: { id: string; household_id: number | null },
  kind: IncidentKind,
): string | null {
  if (kind === "test") return null;
  return device.household_id === null ? `device:${device.id}` : `household:${device.household_id}`;
}

export class AlarmRepository {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  /**
   * An SOS raised by a phone call (`source` voice): no device; the household found by the caller ID, if
   * any, is set at once (the locate stage reads it), and `scope` holds it to one open SOS as for a press.
   */
  async insertVoiceAlarm(
    caller: string | null,
    householdId: number | null,
    receivedAt: string,
    scope: string | null,
  ): Promise<number> {
    const row = await this.sql.get<{ id: number }>(
      `INSERT INTO alarms (device_id, kind, status, received_at, incident_scope, source, caller, household_id)
       VALUES (NULL, 'sos', 'unassigned', ?, ?, 'voice', ?, ?) RETURNING id`,
      [receivedAt, scope, caller, householdId],
    );
    return row?.id ?? 0;
  }

  /** The alarm a call (Twilio's CallSid) raised or joined, if it was stored already: a call's de-duplication. */
  async alarmOfCall(callSid: string): Promise<number | undefined> {
    return (
      await this.sql.get<{ alarm_id: number }>("SELECT alarm_id FROM inbound_calls WHERE call_sid = ?", [callSid])
    )?.alarm_id;
  }

  async insertCall(
    call: { callSid: string; caller: string | null; called: string },
    alarmId: number,
    receivedAt: string,
  ): Promise<void> {
    await this.sql.run(
      "INSERT INTO inbound_calls (call_sid, caller, called, alarm_id, received_at) VALUES (?, ?, ?, ?, ?)",
      [call.callSid, call.caller, call.called, alarmId, receivedAt],
    );
  }

  findPress(deviceId: string, pressId: string): Promise<PressRow | undefined> {
    return this.sql.get<PressRow>("SELECT * FROM presses WHERE device_id = ? AND press_id = ?", [deviceId, pressId]);
  }

  async insertPress(
    deviceId: string,
    message: AlarmMessage,
    receivedAt: string,
    alarmId: number | null,
  ): Promise<number> {
    const row = await this.sql.get<{ id: number }>(
      `INSERT INTO presses (device_id, press_id, kind, device_time, seq, battery, received_at, alarm_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [deviceId, message.pressId, message.kind, message.deviceTime, message.seq, message.battery, receivedAt, alarmId],
    );
    return row?.id ?? 0;
  }

  /**
   * `scope` (see incidentScopeOf) is what the partial unique index
   * `alarms_one_open_incident` holds to one open SOS and one open service call:
   * a second open one for the same scope throws a unique-constraint error.
   */
  async insertAlarm(
    deviceId: string,
    kind: IncidentKind,
    receivedAt: string,
    scope: string | null = null,
  ): Promise<number> {
    const row = await this.sql.get<{ id: number }>(
      `INSERT INTO alarms (device_id, kind, status, received_at, incident_scope) VALUES (?, ?, 'unassigned', ?, ?)
       RETURNING id`,
      [deviceId, kind, receivedAt, scope],
    );
    return row?.id ?? 0;
  }

  /** The open SOS or service call of a household (or of an unbound device): at most one each, by the index. */
  openIncident(scope: string, kind: "sos" | "service"): Promise<AlarmRow | undefined> {
    return this.sql.get<AlarmRow>(
      `SELECT * FROM alarms WHERE incident_scope = ? AND kind = ? AND status NOT IN (${CLOSED_SQL})`,
      [scope, kind],
    );
  }

  /**
   * What a cancel press from this device is about: the open SOS or service
   * call its own newest SOS or service press went to. Never a test alarm, and
   * never an incident this device did not press for.
   */
  cancelTargetFor(deviceId: string): Promise<AlarmRow | undefined> {
    return this.sql.get<AlarmRow>(
      `SELECT a.* FROM presses p JOIN alarms a ON a.id = p.alarm_id
        WHERE p.device_id = ? AND p.kind IN ('sos', 'service') AND a.kind IN ('sos', 'service')
          AND a.status NOT IN (${CLOSED_SQL})
        ORDER BY p.id DESC LIMIT 1`,
      [deviceId],
    );
  }

  /** Every device that pressed for this alarm, whose button therefore shows how it stands. */
  async devicesOf(alarmId: number): Promise<string[]> {
    // A voice alarm names no device: only the buttons that pressed for it since.
    const rows = await this.sql.all<{ device_id: string }>(
      `SELECT device_id FROM alarms WHERE id = ? AND device_id IS NOT NULL
       UNION SELECT device_id FROM presses WHERE alarm_id = ? AND kind IN ('sos', 'service')`,
      [alarmId, alarmId],
    );
    return rows.map((r) => r.device_id);
  }

  /**
   * The alarm a device's feedback is about, among those it pressed for: an
   * open SOS first (a test press meanwhile must not hide the emergency), then
   * its newest open one, else its newest one. The candidates are its open
   * alarms, the incidents it pressed SOS or service into, and its newest alarm
   * (migration 19's indexes): not every alarm the device ever made.
   */
  feedbackAlarmFor(deviceId: string): Promise<AlarmRow | undefined> {
    return this.sql.get<AlarmRow>(FEEDBACK_ALARM_SQL, { device: deviceId });
  }

  get(alarmId: number): Promise<AlarmRow | undefined> {
    return this.sql.get<AlarmRow>("SELECT * FROM alarms WHERE id = ?", [alarmId]);
  }

  /**
   * The alarm, for a transaction that decides on what it read and then changes it (an operator's
   * acknowledgement, resolution, follow-up). On PostgreSQL the row is locked until that transaction ends,
   * so a change committed meanwhile by another transaction (the alarm's own stages, another hub) comes
   * before it, not between its read and its write: as on SQLite, where transactions run one at a time.
   */
  getForUpdate(alarmId: number): Promise<AlarmRow | undefined> {
    return this.sql.get<AlarmRow>(ALARM_FOR_UPDATE_SQL[this.sql.dialect], [alarmId]);
  }

  /** Newest first; `beforeId` pages on (the ids below it), so a console can load more open alarms than one page. */
  list(filter: { openOnly: boolean; limit: number; beforeId?: number }): Promise<AlarmRow[]> {
    const open = filter.openOnly ? `AND status NOT IN (${CLOSED_SQL})` : "";
    return this.sql.all<AlarmRow>(`SELECT * FROM alarms WHERE id < ? ${open} ORDER BY id DESC LIMIT ?`, [
      filter.beforeId ?? Number.MAX_SAFE_INTEGER,
      filter.limit,
    ]);
  }

  /** One timeline entry: only a type of the contract's map, with a detail of that type's shape (events.ts). */
  async appendEvent<T extends AlarmEventType>(
    alarmId: number,
    type: T,
    actor: string,
    detail: AlarmEventDetails[T],
    at = nowIso(),
  ): Promise<void> {
    await this.sql.run("INSERT INTO alarm_events (alarm_id, at, type, actor, detail) VALUES (?, ?, ?, ?, ?)", [
      alarmId,
      at,
      type,
      actor,
      detail === null ? null : JSON.stringify(detail),
    ]);
  }

  events(alarmId: number): Promise<AlarmEventRow[]> {
    return this.sql.all<AlarmEventRow>("SELECT * FROM alarm_events WHERE alarm_id = ? ORDER BY id", [alarmId]);
  }

  /**
   * An unlocated alarm placed by hand at a household: it becomes that household's incident, and every
   * stage is to run again (located, relatives texted, a worker offered), as for a new alarm.
   */
  async placeAt(alarmId: number, householdId: number, scope: string | null): Promise<void> {
    await this.sql.run(
      `UPDATE alarms SET household_id = ?, resident_id = NULL, incident_scope = ?, stages_done = '[]', stage_error = NULL
        WHERE id = ?`,
      [householdId, scope, alarmId],
    );
  }

  async setLocation(alarmId: number, householdId: number | null, residentId: number | null): Promise<void> {
    await this.sql.run("UPDATE alarms SET household_id = ?, resident_id = ? WHERE id = ?", [
      householdId,
      residentId,
      alarmId,
    ]);
  }

  async setDispatch(
    alarmId: number,
    worker: { id: number; distanceM: number } | null,
    clinic: { id: number; distanceM: number } | null,
  ): Promise<void> {
    await this.sql.run(
      "UPDATE alarms SET worker_id = ?, worker_distance_m = ?, clinic_id = ?, clinic_distance_m = ? WHERE id = ?",
      [worker?.id ?? null, worker?.distanceM ?? null, clinic?.id ?? null, clinic?.distanceM ?? null, alarmId],
    );
  }

  /**
   * The stages done so far, read at the start of the transaction that runs the next ones. On PostgreSQL
   * the row is locked until that transaction ends: another hub that took up the same alarm (its pipeline
   * retry, while this hub runs the stages of an alarm it just stored) waits, then reads what this one
   * recorded, and never runs a stage twice. SQLite has one writer at a time already.
   */
  async stagesDone(alarmId: number): Promise<string[]> {
    const row = await this.sql.get<{ stages_done: string }>(STAGES_DONE_SQL[this.sql.dialect], [alarmId]);
    return row ? (JSON.parse(row.stages_done) as string[]) : [];
  }

  /**
   * Records the alarm's completed stages (the stage batch, the only writer, in the transaction of
   * the stages' own writes). `clearError`: the stages ran without failing, so an earlier failure is over.
   */
  async setStagesDone(alarmId: number, stages: readonly string[], clearError: boolean): Promise<void> {
    const sql = clearError
      ? "UPDATE alarms SET stages_done = ?, stage_error = NULL WHERE id = ?"
      : "UPDATE alarms SET stages_done = ? WHERE id = ?";
    await this.sql.run(sql, [JSON.stringify(stages), alarmId]);
  }

  async setStageError(alarmId: number, error: string | null): Promise<void> {
    await this.sql.run("UPDATE alarms SET stage_error = ? WHERE id = ?", [error, alarmId]);
  }

  /** Ids of the alarms whose post-storage stages are not all done (after a crash or a failed stage), oldest first. */
  async incompleteStageIds(stageCount: number): Promise<number[]> {
    // Both read the expression index `alarms_stages_incomplete` (migration 17); on SQLite unlikely() tells
    // the planner few rows qualify, so it takes that index instead of the whole table in id order.
    const length = jsonArrayLength(this.sql.dialect, "stages_done");
    const condition = this.sql.dialect === "sqlite" ? `unlikely(${length} < ?)` : `${length} < ?`;
    const rows = await this.sql.all<{ id: number }>(`SELECT id FROM alarms WHERE ${condition} ORDER BY id`, [
      stageCount,
    ]);
    return rows.map((row) => row.id);
  }

  /**
   * Conditional update: returns false when the alarm was not in `from` (someone else moved it first).
   * A change the lifecycle table does not allow throws `ALARM_TRANSITION_ILLEGAL` (hub/storage/alarm-transitions.ts).
   */
  async transition(
    alarmId: number,
    from: AlarmStatus,
    to: AlarmStatus,
    fields: Record<string, string | number | null>,
  ): Promise<boolean> {
    assertTransition(from, to, alarmId);
    const columns = Object.keys(fields);
    const assignments = ["status = ?", ...columns.map((c) => `${c} = ?`)].join(", ");
    const result = await this.sql.run(`UPDATE alarms SET ${assignments} WHERE id = ? AND status = ?`, [
      to,
      ...columns.map((c) => fields[c] ?? null),
      alarmId,
      from,
    ]);
    return result.changes === 1;
  }
}
