import { nowIso } from "./database.ts";
import { advancesStatus } from "./delivery-status.ts";
import { type OutboxPriority, priorityOfPurpose } from "./outbox-priority.ts";
import { randomKey } from "./sql/dialect-sql.ts";
import type { SqlDialect, SqlSession } from "./sql/sql-port.ts";

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
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  /** Returns how many were new. Call inside the transaction that records their cause. */
  async enqueue(messages: readonly NewOutboxMessage[], nowMs = Date.now()): Promise<number> {
    let added = 0;
    const createdAt = nowIso();
    for (const m of messages) {
      const result = await this.sql.run(
        `INSERT INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, next_attempt_at, created_at,
           priority)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          m.channel ?? "sms",
          m.recipient,
          m.body,
          m.alarmId,
          m.purpose,
          m.dedupeKey,
          nowMs,
          createdAt,
          m.priority ?? priorityOfPurpose(m.purpose),
        ],
      );
      added += result.changes;
    }
    return added;
  }

  byDedupeKey(dedupeKey: string): Promise<OutboxRow | undefined> {
    return this.sql.get<OutboxRow>("SELECT * FROM outbox WHERE dedupe_key = ?", [dedupeKey]);
  }

  /**
   * The pending row to send next (priority, then oldest) that is due by `nowMs`
   * and not in `skip` (the sender's requests in flight): the first `skip.size + 1`
   * in send order hold it. On SQLite an index walk of `outbox_send_order` that
   * reads no table rows (EXPLAIN QUERY PLAN in tests/outbox-order.test.ts).
   */
  async nextDue(nowMs: number, skip: ReadonlySet<number> = new Set()): Promise<OutboxRow | undefined> {
    const ids = await this.sql.all<{ id: number }>(outboxDueSql(this.sql.dialect), [nowMs, skip.size + 1]);
    const found = ids.find((row) => !skip.has(row.id));
    return found === undefined ? undefined : this.sql.get<OutboxRow>("SELECT * FROM outbox WHERE id = ?", [found.id]);
  }

  /**
   * When the next pending row falls due after `afterMs` (rows due by then are
   * in flight or about to be picked), or null when none waits. A seek on `outbox_due`.
   */
  async nextDueAt(afterMs = -1): Promise<number | null> {
    const row = await this.sql.get<{ t: number | null }>(OUTBOX_NEXT_DUE_AT_SQL, [afterMs]);
    return row?.t ?? null;
  }

  async markSent(id: number, providerRef: string): Promise<void> {
    await this.sql.run(
      "UPDATE outbox SET status = 'sent', attempts = attempts + 1, provider_ref = ?, sent_at = ?, last_error = NULL WHERE id = ?",
      [providerRef, nowIso(), id],
    );
  }

  /**
   * Only a pending row: one withdrawn while its send was in flight keeps its withdrawal and reason.
   * `answered`: the provider answered (429, 5xx), so the attempt is settled and the next one is a new
   * request with a new idempotency key; without an answer the key stays, so the retry is recognised.
   */
  async markRetry(id: number, error: string, nextAttemptAt: number, answered = false): Promise<void> {
    const set = ["attempts = attempts + 1", "last_error = ?", "next_attempt_at = ?"];
    if (answered) set.push(`idempotency_key = ${randomKey(this.sql.dialect)}`);
    await this.sql.run(`UPDATE outbox SET ${set.join(", ")} WHERE id = ? AND status = 'pending'`, [
      error,
      nextAttemptAt,
      id,
    ]);
  }

  /**
   * Withdraws a message not handed over yet, so it is never sent: it leaves the
   * outbox as `failed` with the reason, as a refused one does (the console shows
   * both). False when it already left (sent or failed). A send already in
   * flight still ends in `markSent`, which records its provider reference.
   */
  async withdraw(id: number, reason: string): Promise<boolean> {
    const result = await this.sql.run(
      "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ? AND status = 'pending'",
      [reason, id],
    );
    return result.changes > 0;
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.sql.run("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?", [
      error,
      id,
    ]);
  }

  forAlarm(alarmId: number): Promise<OutboxRow[]> {
    return this.sql.all<OutboxRow>("SELECT * FROM outbox WHERE alarm_id = ? ORDER BY id", [alarmId]);
  }

  byProviderRef(providerRef: string): Promise<OutboxRow | undefined> {
    return this.sql.get<OutboxRow>("SELECT * FROM outbox WHERE provider_ref = ?", [providerRef]);
  }

  /**
   * Stores a status callback's status when it moves the row forward (see
   * delivery-status.ts); an older or unknown status leaves the row as it is.
   */
  async recordDeliveryStatus(
    providerRef: string,
    status: string,
    error: string | null,
    at = nowIso(),
  ): Promise<DeliveryUpdate> {
    const row = await this.byProviderRef(providerRef);
    if (!row) return { found: false };
    const previous = row.delivery_status;
    if (!advancesStatus(row.channel, row.delivery_status, status))
      return { found: true, changed: false, row, previous };
    // The guard on the old value makes the check-and-set safe against a concurrent writer.
    const updated = await this.sql.get<OutboxRow>(
      `UPDATE outbox SET delivery_status = ?, delivery_status_at = ?, delivery_error = ?
       WHERE id = ? AND delivery_status IS NOT DISTINCT FROM ? RETURNING *`,
      [status, at, error, row.id, row.delivery_status],
    );
    return { found: true, changed: updated !== undefined, row: updated ?? row, previous };
  }
}

/**
 * Pending rows due by the first ?, in the order they are sent, at most the second ?. On SQLite an
 * index walk of `outbox_send_order` (migration 18), named so the planner cannot pick another.
 */
export function outboxDueSql(dialect: SqlDialect): string {
  const table = dialect === "sqlite" ? "outbox INDEXED BY outbox_send_order" : "outbox";
  return `SELECT id FROM ${table} WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY priority, id LIMIT ?`;
}
/** The first pending row's due time after ?: a seek on `outbox_due`. */
export const OUTBOX_NEXT_DUE_AT_SQL =
  "SELECT MIN(next_attempt_at) AS t FROM outbox WHERE status = 'pending' AND next_attempt_at > ?";
