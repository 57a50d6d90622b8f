import { type Db, nowIso } from "./database.ts";

export interface OutboxRow {
  id: number;
  channel: "sms";
  recipient: string;
  body: string;
  alarm_id: number | null;
  purpose: string;
  dedupe_key: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  provider_ref: string | null;
}

export interface NewOutboxMessage {
  recipient: string;
  body: string;
  alarmId: number | null;
  purpose: string;
  /** Makes enqueueing idempotent: a stage that runs twice never texts twice. */
  dedupeKey: string;
}

export class OutboxRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Returns how many were new. Call inside the transaction that records their cause. */
  enqueue(messages: readonly NewOutboxMessage[], nowMs = Date.now()): number {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, next_attempt_at, created_at)
       VALUES ('sms', ?, ?, ?, ?, ?, ?, ?)`,
    );
    let added = 0;
    const createdAt = nowIso();
    for (const m of messages) {
      added += insert.run(m.recipient, m.body, m.alarmId, m.purpose, m.dedupeKey, nowMs, createdAt).changes;
    }
    return added;
  }

  due(nowMs: number, limit: number): OutboxRow[] {
    return this.db
      .prepare("SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?")
      .all(nowMs, limit) as OutboxRow[];
  }

  nextDueAt(): number | null {
    const row = this.db.prepare("SELECT MIN(next_attempt_at) AS t FROM outbox WHERE status = 'pending'").get() as {
      t: number | null;
    };
    return row.t;
  }

  markSent(id: number, providerRef: string): void {
    this.db
      .prepare(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, provider_ref = ?, sent_at = ?, last_error = NULL WHERE id = ?",
      )
      .run(providerRef, nowIso(), id);
  }

  markRetry(id: number, error: string, nextAttemptAt: number): void {
    this.db
      .prepare("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?")
      .run(error, nextAttemptAt, id);
  }

  markFailed(id: number, error: string): void {
    this.db
      .prepare("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?")
      .run(error, id);
  }

  forAlarm(alarmId: number): OutboxRow[] {
    return this.db.prepare("SELECT * FROM outbox WHERE alarm_id = ? ORDER BY id").all(alarmId) as OutboxRow[];
  }
}
