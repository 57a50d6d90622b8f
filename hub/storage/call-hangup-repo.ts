/**
 * Durable requests to end a voice call (`call_hangups`, one per outbox row).
 * `request` runs inside the transaction that decides the call must stop; the
 * outbox sender drains the due ones and records how each ended.
 */
import { nowIso } from "./database.ts";
import type { OutboxRow } from "./outbox-repo.ts";
import { randomKey } from "./sql/dialect-sql.ts";
import type { SqlSession } from "./sql/sql-port.ts";

export type HangupResult = "hung_up" | "already_ended" | "not_placed";
export type HangupStatus = "canceled" | "completed";

export interface HangupRow {
  outbox_id: number;
  alarm_id: number | null;
  reason: string;
  requested_at: string;
  status: "pending" | "done" | "failed";
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  call_sid: string | null;
  sent_status: HangupStatus | null;
  call_status: string | null;
  result: HangupResult | null;
  done_at: string | null;
  /** With the status asked for, Twilio's idempotency token (migration 14); replaced once Twilio answered. */
  idempotency_key: string;
}

/** A due request with what the outbox knows of its call now. */
export interface DueHangup extends HangupRow {
  recipient: string;
  purpose: string;
  outbox_status: OutboxRow["status"];
  provider_ref: string | null;
  delivery_status: string | null;
}

export class CallHangupRepository {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  /** True when new; a call already asked to end keeps its first request and reason. */
  async request(outboxId: number, alarmId: number | null, reason: string, nowMs = Date.now()): Promise<boolean> {
    const result = await this.sql.run(
      `INSERT INTO call_hangups (outbox_id, alarm_id, reason, requested_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [outboxId, alarmId, reason, nowIso(), nowMs],
    );
    return result.changes > 0;
  }

  /**
   * The request due first by `nowMs` that is not in `skip` (the sender's in flight): the first
   * `skip.size + 1` due ones hold it; a walk of `call_hangups_due`.
   */
  async nextDue(nowMs: number, skip: ReadonlySet<number>): Promise<DueHangup | undefined> {
    const due = await this.sql.all<{ outbox_id: number }>(
      `SELECT outbox_id FROM call_hangups WHERE status = 'pending' AND next_attempt_at <= ?
       ORDER BY next_attempt_at, outbox_id LIMIT ?`,
      [nowMs, skip.size + 1],
    );
    const found = due.find((row) => !skip.has(row.outbox_id));
    if (found === undefined) return undefined;
    return this.sql.get<DueHangup>(
      `SELECT h.*, o.recipient, o.purpose, o.status AS outbox_status, o.provider_ref, o.delivery_status
       FROM call_hangups h JOIN outbox o ON o.id = h.outbox_id WHERE h.outbox_id = ?`,
      [found.outbox_id],
    );
  }

  /** The first `next_attempt_at` of a pending request after `afterMs`, or null. */
  async nextDueAt(afterMs = -1): Promise<number | null> {
    const row = await this.sql.get<{ t: number | null }>(
      "SELECT MIN(next_attempt_at) AS t FROM call_hangups WHERE status = 'pending' AND next_attempt_at > ?",
      [afterMs],
    );
    return row?.t ?? null;
  }

  /** Waits `delayMs` without counting an attempt (the call is still being placed). */
  async postpone(outboxId: number, nextAttemptAt: number): Promise<void> {
    await this.sql.run("UPDATE call_hangups SET next_attempt_at = ? WHERE outbox_id = ?", [nextAttemptAt, outboxId]);
  }

  async markDone(
    outboxId: number,
    result: HangupResult,
    call: { sid: string | null; sentStatus: HangupStatus | null; callStatus: string | null },
    countsAsAttempt: boolean,
  ): Promise<void> {
    await this.sql.run(
      `UPDATE call_hangups SET status = 'done', result = ?, call_sid = ?, sent_status = ?, call_status = ?,
         attempts = attempts + ?, last_error = NULL, done_at = ? WHERE outbox_id = ?`,
      [result, call.sid, call.sentStatus, call.callStatus, countsAsAttempt ? 1 : 0, nowIso(), outboxId],
    );
  }

  /** `answered`: Twilio answered the attempt, so the next one is a new request with a new idempotency key. */
  async markRetry(
    outboxId: number,
    error: string,
    nextAttemptAt: number,
    sent: { sid: string; status: HangupStatus },
    answered: boolean,
  ): Promise<void> {
    const set = ["attempts = attempts + 1", "last_error = ?", "next_attempt_at = ?", "call_sid = ?", "sent_status = ?"];
    if (answered) set.push(`idempotency_key = ${randomKey(this.sql.dialect)}`);
    await this.sql.run(`UPDATE call_hangups SET ${set.join(", ")} WHERE outbox_id = ?`, [
      error,
      nextAttemptAt,
      sent.sid,
      sent.status,
      outboxId,
    ]);
  }

  async markFailed(outboxId: number, error: string, sent: { sid: string; status: HangupStatus }): Promise<void> {
    await this.sql.run(
      `UPDATE call_hangups SET status = 'failed', attempts = attempts + 1, last_error = ?, call_sid = ?, sent_status = ?,
         done_at = ? WHERE outbox_id = ?`,
      [error, sent.sid, sent.status, nowIso(), outboxId],
    );
  }

  forAlarm(alarmId: number): Promise<HangupRow[]> {
    return this.sql.all<HangupRow>("SELECT * FROM call_hangups WHERE alarm_id = ? ORDER BY outbox_id", [alarmId]);
  }
}
