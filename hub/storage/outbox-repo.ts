import { advancesStatus } from "../notify/delivery-status.ts";
import { type Db, nowIso } from "./database.ts";

export type OutboxChannel = "sms" | "voice";

export interface OutboxRow {
  id: number;
  channel: OutboxChannel;
  recipient: string;
  /** The SMS text, or the TwiML a voice call reads. */
  body: string;
  alarm_id: number | null;
  purpose: string;
  dedupe_key: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  provider_ref: string | null;
  sent_at: string | null;
  /** The provider's latest status, from its answer and then its status callbacks; only ever moves forward. */
  delivery_status: string | null;
  delivery_status_at: string | null;
  delivery_error: string | null;
  /** Sent as Twilio's idempotency token (migration 14); replaced once the provider has answered an attempt. */
  idempotency_key: string;
}

export interface NewOutboxMessage {
  /** Defaults to `sms`. */
  channel?: OutboxChannel;
  recipient: string;
  body: string;
  alarmId: number | null;
  purpose: string;
  /** Makes enqueueing idempotent: a stage that runs twice never texts twice. */
  dedupeKey: string;
}

export type DeliveryUpdate =
  | { found: false }
  | { found: true; changed: boolean; row: OutboxRow; previous: string | null };

export class OutboxRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Returns how many were new. Call inside the transaction that records their cause. */
  enqueue(messages: readonly NewOutboxMessage[], nowMs = Date.now()): number {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let added = 0;
    const createdAt = nowIso();
    for (const m of messages) {
      added += insert.run(
        m.channel ?? "sms",
        m.recipient,
        m.body,
        m.alarmId,
        m.purpose,
        m.dedupeKey,
        nowMs,
        createdAt,
      ).changes;
    }
    return added;
  }

  byDedupeKey(dedupeKey: string): OutboxRow | undefined {
    return this.db.prepare("SELECT * FROM outbox WHERE dedupe_key = ?").get(dedupeKey) as OutboxRow | undefined;
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

  /**
   * Only a pending row: one withdrawn while its send was in flight keeps its withdrawal and reason.
   * `answered`: the provider answered (429, 5xx), so the attempt is settled and the next one is a new
   * request with a new idempotency key; without an answer the key stays, so the retry is recognised.
   */
  markRetry(id: number, error: string, nextAttemptAt: number, answered = false): void {
    this.db
      .prepare(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
           idempotency_key = CASE WHEN ? THEN lower(hex(randomblob(16))) ELSE idempotency_key END
         WHERE id = ? AND status = 'pending'`,
      )
      .run(error, nextAttemptAt, answered ? 1 : 0, id);
  }

  /**
   * Withdraws a message not handed over yet, so it is never sent: it leaves the
   * outbox as `failed` with the reason, as a refused one does (the console shows
   * both). False when it already left (sent or failed). A send already in
   * flight still ends in `markSent`, which records its provider reference.
   */
  withdraw(id: number, reason: string): boolean {
    return (
      this.db
        .prepare("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ? AND status = 'pending'")
        .run(reason, id).changes > 0
    );
  }

  markFailed(id: number, error: string): void {
    this.db
      .prepare("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?")
      .run(error, id);
  }

  forAlarm(alarmId: number): OutboxRow[] {
    return this.db.prepare("SELECT * FROM outbox WHERE alarm_id = ? ORDER BY id").all(alarmId) as OutboxRow[];
  }

  byProviderRef(providerRef: string): OutboxRow | undefined {
    return this.db.prepare("SELECT * FROM outbox WHERE provider_ref = ?").get(providerRef) as OutboxRow | undefined;
  }

  /**
   * Stores a status callback's status when it moves the row forward (see
   * delivery-status.ts); an older or unknown status leaves the row as it is.
   */
  recordDeliveryStatus(providerRef: string, status: string, error: string | null, at = nowIso()): DeliveryUpdate {
    const row = this.byProviderRef(providerRef);
    if (!row) return { found: false };
    const previous = row.delivery_status;
    const changed = this.applyDeliveryStatus(row.id, status, error, at);
    const current = changed ? (this.db.prepare("SELECT * FROM outbox WHERE id = ?").get(row.id) as OutboxRow) : row;
    return { found: true, changed, row: current, previous };
  }

  private applyDeliveryStatus(id: number, status: string, error: string | null, at: string): boolean {
    const row = this.db.prepare("SELECT channel, delivery_status FROM outbox WHERE id = ?").get(id) as
      | Pick<OutboxRow, "channel" | "delivery_status">
      | undefined;
    if (!row || !advancesStatus(row.channel, row.delivery_status, status)) return false;
    // The guard on the old value makes the check-and-set safe against a concurrent writer.
    return (
      this.db
        .prepare(
          "UPDATE outbox SET delivery_status = ?, delivery_status_at = ?, delivery_error = ? WHERE id = ? AND delivery_status IS ?",
        )
        .run(status, at, error, id, row.delivery_status).changes > 0
    );
  }
}
