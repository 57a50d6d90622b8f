/**
 * What the outbox records once the provider answered a message or call (or
 * did not answer in time): sent, with its provider reference and the alarm's
 * timeline event in one transaction; refused for good (`failed`, also on the
 * timeline); or due again after a backoff, with the rule on idempotency keys
 * that makes every retry safe:
 * - no answer (timeout, network error): the provider may have taken it, so
 *   the key stays and the retry gets that message back instead of a second;
 * - an answer (429, 5xx): it was not taken, so the next attempt is a new
 *   request with a new key (a stale key would only get the same answer back).
 * A 429's `Retry-After` says when (retry-delay.ts).
 *
 * Outcomes that arrive together are committed together: each is queued and
 * the queue is written in one transaction on the next turn of the event loop.
 * While a commit (an fsync) blocks the loop, the answers that come in
 * meanwhile are all handled on the next turn, so the batch grows exactly when
 * commits are slow, and the sender is not held to one fsync per message. A
 * row counts as in flight until its outcome is committed, so it is never
 * picked again before.
 */
import type { Logger } from "pino";
import type { AlarmEventDetails } from "../../protocol/console/index.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { OutboxRepository, OutboxRow } from "../storage/outbox-repo.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import type { SendResult } from "./notifier.ts";
import { retryDelayMs } from "./retry-delay.ts";

/** What any request to the provider comes back with: success of its own shape, or a classified failure. */
export type ProviderAnswer = { ok: true } | Extract<SendResult, { ok: false }>;

interface Queued {
  row: OutboxRow;
  result: SendResult;
  done: () => void;
}

export class OutboxOutcomes {
  private queued: Queued[] = [];
  private readonly outbox: OutboxRepository;
  private readonly sql: SqlSession;
  private readonly alarms: AlarmRepository;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly options: { maxBackoffMs: number; smsChannel: string; voiceChannel: string };

  constructor(
    deps: { sql: SqlSession; outbox: OutboxRepository; alarms: AlarmRepository; bus: EventBus; logger: Logger },
    options: { maxBackoffMs: number; smsChannel: string; voiceChannel: string },
  ) {
    this.sql = deps.sql;
    this.outbox = deps.outbox;
    this.alarms = deps.alarms;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.options = options;
  }

  /** Resolves once the outcome is committed (or could not be: the row is then simply due again, same key). */
  record(row: OutboxRow, result: SendResult): Promise<void> {
    return new Promise((done) => {
      this.queued.push({ row, result, done });
      if (this.queued.length === 1) setImmediate(() => void this.flush());
    });
  }

  /** Never rejects: an outcome not stored is logged, and its row is sent again. */
  private async flush(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    const logs: (() => void)[] = [];
    try {
      // A row's outcome and its alarm event commit together.
      await this.sql.transaction(async () => {
        for (const item of batch) logs.push(await this.write(item.row, item.result));
      });
      for (const log of logs) log();
    } catch (error) {
      // Nothing of the batch is stored: each row is still pending with the key it was sent with, so it is
      // sent again, and a message the provider took is answered with the original (same idempotency key).
      this.logger.error(
        { err: error, code: "OUTBOX_OUTCOME_NOT_STORED", rows: batch.map((item) => item.row.id) },
        "outbox outcomes not stored; those rows are sent again with the same keys",
      );
    } finally {
      for (const item of batch) item.done();
    }
  }

  /** Writes one outcome (inside the batch's transaction); returns what to log and announce after the commit. */
  private async write(row: OutboxRow, result: SendResult): Promise<() => void> {
    const voice = row.channel === "voice";
    const what = voice ? "voice call" : "SMS";
    const prefix = voice ? "call" : "sms";
    const sent = `${prefix}_sent` as const;
    const log = () =>
      this.logger.child({ outboxId: row.id, to: row.recipient, purpose: row.purpose, alarmId: row.alarm_id });
    if (result.ok) {
      await this.outbox.markSent(row.id, result.providerRef);
      await this.appendEvent(row, sent, {
        to: row.recipient,
        purpose: row.purpose,
        providerRef: result.providerRef,
      });
      return () => {
        this.announce(row, sent);
        this.bus.emit("outbox.outcome", { channel: row.channel, outcome: "sent" });
        const channel = voice ? this.options.voiceChannel : this.options.smsChannel;
        log().info({ providerRef: result.providerRef, channel }, `${what} sent`);
      };
    }
    const reason = `${result.status ?? "network"} ${result.providerCode ?? ""} ${result.message}`.trim();
    if (result.retryable) {
      const attempt = row.attempts + 1;
      const delay = retryDelayMs(attempt, this.options.maxBackoffMs, result.retryAfterMs);
      const answered = result.status !== undefined;
      await this.outbox.markRetry(row.id, reason, Date.now() + delay, answered);
      return () => {
        this.bus.emit("outbox.outcome", { channel: row.channel, outcome: "retried" });
        log().warn({ reason, attempt, retryInMs: delay, answered }, `${what} failed, will retry`);
      };
    }
    await this.outbox.markFailed(row.id, reason);
    // The provider's words, as they came: an `error`, not one of our coded reasons.
    const failed = `${prefix}_failed` as const;
    await this.appendEvent(row, failed, { to: row.recipient, purpose: row.purpose, error: reason });
    return () => {
      this.announce(row, failed);
      this.bus.emit("outbox.outcome", { channel: row.channel, outcome: "failed" });
      log().error({ reason }, `${what} refused by provider, not retried`);
    };
  }

  private async appendEvent<T extends "sms_sent" | "call_sent" | "sms_failed" | "call_failed">(
    row: OutboxRow,
    type: T,
    detail: AlarmEventDetails[T],
  ): Promise<void> {
    if (row.alarm_id !== null) await this.alarms.appendEvent(row.alarm_id, type, "system", detail);
  }

  /** After the commit: listeners (consoles, the relatives' cascade) read what was stored. */
  private announce(row: OutboxRow, change: string): void {
    if (row.alarm_id !== null) this.bus.emit("alarm.changed", { alarmId: row.alarm_id, change });
  }
}
