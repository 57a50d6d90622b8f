/**
 * Calls operators place from the console (`console_calls`, migration 23). Used
 * by hub/voice/console-calls.ts; the callee leg's status only moves forward
 * (hub/storage/delivery-status.ts ranks call statuses as for the outbox).
 */
import type { SqlSession } from "./sql/sql-port.ts";

export type CallTarget = "resident" | "landline" | "relative" | "worker" | "key_holder";
export type CallMark = "resident_ok" | "resident_needs_help" | "no_answer" | "relative_reached";

export interface ConsoleCallRow {
  id: number;
  alarm_id: number;
  user_id: number;
  target: CallTarget;
  relative_id: number | null;
  callee_name: string;
  callee_phone: string;
  outbox_id: number | null;
  callee_sid: string | null;
  callee_status: string | null;
  callee_status_at: string | null;
  duration_s: number | null;
  recording_sid: string | null;
  recording_url: string | null;
  recording_duration_s: number | null;
  mark: CallMark | null;
  marked_by: number | null;
  marked_at: string | null;
  created_at: string;
}

/** A call with the operator's username and the state of the operator's own leg (the outbox row). */
export interface ConsoleCallListRow extends ConsoleCallRow {
  username: string;
  marked_by_username: string | null;
  operator_leg_status: string | null;
  outbox_status: string | null;
}

export interface NewConsoleCall {
  alarmId: number;
  userId: number;
  target: CallTarget;
  relativeId: number | null;
  calleeName: string;
  calleePhone: string;
  createdAt: string;
}

export class ConsoleCallRepository {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  async insert(call: NewConsoleCall): Promise<number> {
    const row = await this.sql.get<{ id: number }>(
      `INSERT INTO console_calls (alarm_id, user_id, target, relative_id, callee_name, callee_phone, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [call.alarmId, call.userId, call.target, call.relativeId, call.calleeName, call.calleePhone, call.createdAt],
    );
    return Number(row?.id);
  }

  async setOutbox(id: number, outboxId: number): Promise<void> {
    await this.sql.run("UPDATE console_calls SET outbox_id = ? WHERE id = ?", [outboxId, id]);
  }

  get(id: number): Promise<ConsoleCallRow | undefined> {
    return this.sql.get<ConsoleCallRow>("SELECT * FROM console_calls WHERE id = ?", [id]);
  }

  forAlarm(alarmId: number): Promise<ConsoleCallListRow[]> {
    return this.sql.all<ConsoleCallListRow>(
      `SELECT c.*, u.username, m.username AS marked_by_username,
              o.delivery_status AS operator_leg_status, o.status AS outbox_status
         FROM console_calls c JOIN users u ON u.id = c.user_id
         LEFT JOIN users m ON m.id = c.marked_by
         LEFT JOIN outbox o ON o.id = c.outbox_id
        WHERE c.alarm_id = ? ORDER BY c.id`,
      [alarmId],
    );
  }

  /**
   * Moves the callee's status on from `previous`, the status it was read with; false when another
   * callback changed it meanwhile (the caller re-reads and decides again), so it never moves back.
   */
  async setCalleeStatus(
    id: number,
    previous: string | null,
    status: { sid: string; status: string; at: string; durationS: number | null },
  ): Promise<boolean> {
    const result = await this.sql.run(
      `UPDATE console_calls SET callee_sid = ?, callee_status = ?, callee_status_at = ?,
              duration_s = COALESCE(?, duration_s) WHERE id = ? AND callee_status IS NOT DISTINCT FROM ?`,
      [status.sid, status.status, status.at, status.durationS, id, previous],
    );
    return result.changes === 1;
  }

  async setRecording(id: number, recording: { sid: string; url: string; durationS: number | null }): Promise<void> {
    await this.sql.run(
      "UPDATE console_calls SET recording_sid = ?, recording_url = ?, recording_duration_s = ? WHERE id = ?",
      [recording.sid, recording.url, recording.durationS, id],
    );
  }

  /** Marks the call once; false when it was marked already (a second click, another operator). */
  async setMark(id: number, mark: CallMark, userId: number, at: string): Promise<boolean> {
    const result = await this.sql.run(
      "UPDATE console_calls SET mark = ?, marked_by = ?, marked_at = ? WHERE id = ? AND mark IS NULL",
      [mark, userId, at, id],
    );
    return result.changes === 1;
  }
}
