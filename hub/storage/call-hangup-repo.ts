/**
 * Durable requests to end a voice call (`call_hangups`, one per outbox row).
 * `request` runs inside the transaction that decides the call must stop; the
 * outbox sender drains the due ones and records how each ended.
 */
import type Database from "better-sqlite3";
import { type Db, nowIso } from "./database.ts";
import type { OutboxRow } from "./outbox-repo.ts";

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
  private readonly db: Db;
  /** Run on every pass of the outbox sender: prepared once, on first use. */
  private dueIds: Database.Statement | undefined;
  private firstDue: Database.Statement | undefined;

  constructor(db: Db) {
    this.db = db;
  }

  /** True when new; a call already asked to end keeps its first request and reason. */
  request(outboxId: number, alarmId: number | null, reason: string, nowMs = Date.now()): boolean {
    return (
      this.db
        .prepare(
          `INSERT OR IGNORE INTO call_hangups (outbox_id, alarm_id, reason, requested_at, next_attempt_at)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(outboxId, alarmId, reason, nowIso(), nowMs).changes > 0
    );
  }

  /** The request due first by `nowMs` that is not in `skip` (the sender's in flight); a walk of `call_hangups_due`. */
  nextDue(nowMs: number, skip: ReadonlySet<number>): DueHangup | undefined {
    this.dueIds ??= this.db.prepare(
      "SELECT outbox_id FROM call_hangups WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, outbox_id",
    );
    let found: number | undefined;
    for (const row of this.dueIds.iterate(nowMs) as IterableIterator<{ outbox_id: number }>) {
      if (skip.has(row.outbox_id)) continue;
      found = row.outbox_id;
      break;
    }
    if (found === undefined) return undefined;
    return this.db
      .prepare(
        `SELECT h.*, o.recipient, o.purpose, o.status AS outbox_status, o.provider_ref, o.delivery_status
         FROM call_hangups h JOIN outbox o ON o.id = h.outbox_id WHERE h.outbox_id = ?`,
      )
      .get(found) as DueHangup | undefined;
  }

  /** The first `next_attempt_at` of a pending request after `afterMs`, or null. */
  nextDueAt(afterMs = -1): number | null {
    this.firstDue ??= this.db.prepare(
      "SELECT MIN(next_attempt_at) AS t FROM call_hangups WHERE status = 'pending' AND next_attempt_at > ?",
    );
    return (this.firstDue.get(afterMs) as { t: number | null }).t;
  }

  /** Waits `delayMs` without counting an attempt (the call is still being placed). */
  postpone(outboxId: number, nextAttemptAt: number): void {
    this.db.prepare("UPDATE call_hangups SET next_attempt_at = ? WHERE outbox_id = ?").run(nextAttemptAt, outboxId);
  }

  markDone(
    outboxId: number,
    result: HangupResult,
    call: { sid: string | null; sentStatus: HangupStatus | null; callStatus: string | null },
    countsAsAttempt: boolean,
  ): void {
    this.db
      .prepare(
        `UPDATE call_hangups SET status = 'done', result = ?, call_sid = ?, sent_status = ?, call_status = ?,
           attempts = attempts + ?, last_error = NULL, done_at = ? WHERE outbox_id = ?`,
      )
      .run(result, call.sid, call.sentStatus, call.callStatus, countsAsAttempt ? 1 : 0, nowIso(), outboxId);
  }

  /** `answered`: Twilio answered the attempt, so the next one is a new request with a new idempotency key. */
  markRetry(
    outboxId: number,
    error: string,
    nextAttemptAt: number,
    sent: { sid: string; status: HangupStatus },
    answered: boolean,
  ): void {
    this.db
      .prepare(
        `UPDATE call_hangups SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, call_sid = ?, sent_status = ?,
           idempotency_key = CASE WHEN ? THEN lower(hex(randomblob(16))) ELSE idempotency_key END
         WHERE outbox_id = ?`,
      )
      .run(error, nextAttemptAt, sent.sid, sent.status, answered ? 1 : 0, outboxId);
  }

  markFailed(outboxId: number, error: string, sent: { sid: string; status: HangupStatus }): void {
    this.db
      .prepare(
        `UPDATE call_hangups SET status = 'failed', attempts = attempts + 1, last_error = ?, call_sid = ?, sent_status = ?,
           done_at = ? WHERE outbox_id = ?`,
      )
      .run(error, sent.sid, sent.status, nowIso(), outboxId);
  }

  forAlarm(alarmId: number): HangupRow[] {
    return this.db
      .prepare("SELECT * FROM call_hangups WHERE alarm_id = ? ORDER BY outbox_id")
      .all(alarmId) as HangupRow[];
  }
}
