/**
 * Calls to the center's number (`inbound_calls`, migrations 21 and 22): the
 * alarm each raised or joined, and who answered it. Written by the intake
 * (hub/pipeline/call-intake.ts) and the router (hub/voice/inbound-call-router.ts).
 */
import type { SqlDatabase } from "./sql/sql-port.ts";

export interface InboundCallRow {
  call_sid: string;
  caller: string | null;
  called: string;
  alarm_id: number;
  received_at: string;
  /** The account that accepted the call; null when nobody has, or when the supervisor phone (no account) did. */
  answered_by: number | null;
  answered_at: string | null;
  /** How the call ended, from the number's status callback (completed, busy, no-answer, failed, canceled). */
  ended_status: string | null;
  duration_s: number | null;
}

export class InboundCallRepository {
  private readonly sql: SqlDatabase;

  constructor(sql: SqlDatabase) {
    this.sql = sql;
  }

  get(callSid: string): Promise<InboundCallRow | undefined> {
    return this.sql.get<InboundCallRow>("SELECT * FROM inbound_calls WHERE call_sid = ?", [callSid]);
  }

  /** Records how the call ended, once; true when this was the first word of its end. */
  async markEnded(callSid: string, status: string, durationS: number | null): Promise<boolean> {
    const result = await this.sql.run(
      "UPDATE inbound_calls SET ended_status = ?, duration_s = ? WHERE call_sid = ? AND ended_status IS NULL",
      [status, durationS, callSid],
    );
    return result.changes === 1;
  }

  /** Marks the call answered unless someone answered first; true when this answer counts. */
  async markAnswered(callSid: string, userId: number | null, at: string): Promise<boolean> {
    const result = await this.sql.run(
      "UPDATE inbound_calls SET answered_by = ?, answered_at = ? WHERE call_sid = ? AND answered_at IS NULL",
      [userId, at, callSid],
    );
    return result.changes === 1;
  }
}
