import type Database from "better-sqlite3";
import { type Db, nowIso } from "./database.ts";
import { advancesStatus } from "./delivery-status.ts";
import { type OutboxPriority, priorityOfPurpose } from "./outbox-priority.ts";

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
  /** 0 goes first (hub/storage/outbox-priority.ts; migration 18). */
  priority: OutboxPriority;
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
  /** Defaults to what the purpose says (priorityOfPurpose); the relatives' cascade knows the wave. */
  priority?: OutboxPriority;
}

export type DeliveryUpdate =
  | { found: false }
  | { found: true; changed: boolean; row: OutboxRow; previous: string | null };

export class OutboxRepository {
  private readonly db: Db;
  /** The sender's statements, run for every message it sends: prepared once, on first use. */
  private statements: ReturnType<typeof prepareSenderStatements> | undefined;

  constructor(db: Db) {
    this.db = db;
  }

  private get sql(): ReturnType<typeof prepareSenderStatements> {
    this.statements ??= prepareSenderStatements(this.db);
    return this.statements;
  }

  /** Returns how many were new. Call inside the transaction that records their cause. */
  enqueue(messages: readonly NewOutboxMessage[], nowMs = Date.now()): number {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, next_attempt_at, created_at,
         priority)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        m.priority ?? priorityOfPurpose(m.purpose),
      ).changes;
    }
    return added;
  }

  byDedupeKey(dedupeKey: string): OutboxRow | undefined {
    return this.db.prepare("SELECT * FROM outbox WHERE dedupe_key = ?").get(dedupeKey) as OutboxRow | undefined;
  }

  /**
   * The pending row to send next (priority, then oldest) that is due by `nowMs`
   * and not in `skip` (the sender's requests in flight). It walks the index
   * `outbox_send_order` and stops at the first match, reading no table rows
   * until then (EXPLAIN QUERY PLAN in tests/outbox-order.test.ts).
   */
  nextDue(nowMs: number, skip: ReadonlySet<number> = new Set()): OutboxRow | undefined {
    let found: number | undefined;
    for (const row of this.sql.dueIds.iterate(nowMs) as IterableIterator<{ id: number }>) {
      if (skip.has(row.id)) continue;
      found = row.id;
      break;
    }
    return found === undefined ? undefined : (this.sql.byId.get(found) as OutboxRow | undefined);
  }

  /**
   * When the next pending row falls due after `afterMs` (rows due by then are
   * in flight or about to be picked), or null when none waits. A seek on `outbox_due`.
   */
  nextDueAt(afterMs = -1): number | null {
    const row = this.sql.nextDueAt.get(afterMs) as { t: number | null };
    return row.t;
  }

  markSent(id: number, providerRef: string): void {
    this.sql.markSent.run(providerRef, nowIso(), id);
  }

  /**
   * Only a pending row: one withdrawn while its send was in flight keeps its withdrawal and reason.
   * `answered`: the provider answered (429, 5xx), so the attempt is settled and the next one is a new
   * request with a new idempotency key; without an answer the key stays, so the retry is recognised.
   */
  markRetry(id: number, error: string, nextAttemptAt: number, answered = false): void {
    this.sql.markRetry.run(error, nextAttemptAt, answered ? 1 : 0, id);
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

/** Pending rows due by ?, in the order they are sent: an index walk of `outbox_send_order` (migration 18). */
export const OUTBOX_DUE_SQL =
  "SELECT id FROM outbox INDEXED BY outbox_send_order WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY priority, id";
/** The first pending row's due time after ?: a seek on `outbox_due`. */
export const OUTBOX_NEXT_DUE_AT_SQL =
  "SELECT MIN(next_attempt_at) AS t FROM outbox WHERE status = 'pending' AND next_attempt_at > ?";

function prepareSenderStatements(
  db: Db,
): Record<"dueIds" | "byId" | "nextDueAt" | "markSent" | "markRetry", Database.Statement> {
  return {
    dueIds: db.prepare(OUTBOX_DUE_SQL),
    byId: db.prepare("SELECT * FROM outbox WHERE id = ?"),
    nextDueAt: db.prepare(OUTBOX_NEXT_DUE_AT_SQL),
    markSent: db.prepare(
      "UPDATE outbox SET status = 'sent', attempts = attempts + 1, provider_ref = ?, sent_at = ?, last_error = NULL WHERE id = ?",
    ),
    markRetry: db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
         idempotency_key = CASE WHEN ? THEN lower(hex(randomblob(16))) ELSE idempotency_key END
       WHERE id = ? AND status = 'pending'`,
    ),
  };
}
