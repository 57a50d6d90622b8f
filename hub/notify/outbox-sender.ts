/**
 * Drains the durable outbox through the channel's notifier (SMS, or a voice
 * call for the relatives' cascade), and with it the requests to end calls the
 * cascade no longer wants ringing (`call-hangups.ts`). A message leaves the
 * outbox only as `sent`, or as `failed` when the provider refuses it for good
 * (e.g. an invalid number); throttling (429), provider outages (5xx) and network
 * errors are retried with exponential backoff, forever, because an alarm SMS
 * that is dropped quietly is worse than one that arrives late. A request is
 * given up (and retried) only when its outcome is known or the retry is safe:
 * a timeout's retry carries the same idempotency key, so a provider that took
 * the slow request answers with that message instead of sending another.
 */
import type { Logger } from "pino";
import type { EventBus } from "../events.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { OutboxRepository, OutboxRow } from "../storage/outbox-repo.ts";
import type { CallHangups } from "./call-hangups.ts";
import type { SendResult, SmsNotifier, VoiceNotifier } from "./notifier.ts";

export interface OutboxSenderOptions {
  pollMs: number;
  maxBackoffMs: number;
  batchSize?: number;
}

export class OutboxSender {
  private readonly outbox: OutboxRepository;
  private readonly alarms: AlarmRepository;
  private readonly notifier: SmsNotifier;
  private readonly voice: VoiceNotifier;
  private readonly hangups: CallHangups | null;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly options: OutboxSenderOptions;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private wakeRequested = false;
  private unsubscribe: (() => void) | null = null;
  private running = false;

  constructor(
    deps: {
      outbox: OutboxRepository;
      alarms: AlarmRepository;
      notifier: SmsNotifier;
      voice: VoiceNotifier;
      /** Requests to end placed calls; drained in the same rounds, with the same backoff. */
      hangups?: CallHangups;
      bus: EventBus;
      logger: Logger;
    },
    options: OutboxSenderOptions,
  ) {
    this.outbox = deps.outbox;
    this.alarms = deps.alarms;
    this.notifier = deps.notifier;
    this.voice = deps.voice;
    this.hangups = deps.hangups ?? null;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.options = options;
  }

  start(): void {
    this.running = true;
    this.unsubscribe = this.bus.on("outbox.enqueued", () => this.wake());
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.draining;
  }

  /** Sends what is due now; resolves when that round is done. */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.draining = this.drainOnce()
        .catch((error: unknown) => this.logger.error({ err: error }, "outbox drain failed"))
        .finally(() => {
          this.draining = null;
          if (!this.running) return;
          if (this.wakeRequested) {
            this.wakeRequested = false;
            this.schedule(0);
            return;
          }
          this.schedule(this.nextDelay());
        });
    }, delayMs);
  }

  private nextDelay(): number {
    const dues = [this.outbox.nextDueAt(), this.hangups?.nextDueAt() ?? null].filter((t) => t !== null);
    const next = dues.length > 0 ? Math.min(...dues) : null;
    if (next === null) return this.options.pollMs;
    return Math.max(0, Math.min(this.options.pollMs, next - Date.now()));
  }

  async drainOnce(): Promise<void> {
    const now = Date.now();
    const limit = this.options.batchSize ?? 10;
    const batch = this.outbox.due(now, limit);
    // A call withdrawn while this round places it is hung up once its sid is known, not before.
    const placing = new Set(batch.map((row) => row.id));
    await Promise.all([...batch.map((row) => this.sendOne(row)), this.hangups?.drain(now, limit, placing)]);
  }

  private async sendOne(row: OutboxRow): Promise<void> {
    const voice = row.channel === "voice";
    const what = voice ? "voice call" : "SMS";
    const prefix = voice ? "call" : "sms";
    const result = await this.deliver(row);
    const log = this.logger.child({ outboxId: row.id, to: row.recipient, purpose: row.purpose, alarmId: row.alarm_id });
    if (result.ok) {
      this.outbox.markSent(row.id, result.providerRef);
      log.info(
        { providerRef: result.providerRef, channel: voice ? this.voice.name : this.notifier.name },
        `${what} sent`,
      );
      this.recordOnAlarm(row, `${prefix}_sent`, {
        to: row.recipient,
        purpose: row.purpose,
        providerRef: result.providerRef,
      });
      return;
    }
    const reason = `${result.status ?? "network"} ${result.providerCode ?? ""} ${result.message}`.trim();
    if (result.retryable) {
      const delay = backoffMs(row.attempts + 1, this.options.maxBackoffMs);
      // No answer (timeout, network): the provider may have taken it, so the retry repeats the key and gets
      // that message back instead of a second one. An answer (429, 5xx) said it was not taken: a new key.
      const answered = result.status !== undefined;
      this.outbox.markRetry(row.id, reason, Date.now() + delay, answered);
      log.warn({ reason, attempt: row.attempts + 1, retryInMs: delay, answered }, `${what} failed, will retry`);
      return;
    }
    this.outbox.markFailed(row.id, reason);
    log.error({ reason }, `${what} refused by provider, not retried`);
    this.recordOnAlarm(row, `${prefix}_failed`, { to: row.recipient, purpose: row.purpose, reason });
  }

  private deliver(row: OutboxRow): Promise<SendResult> {
    const idempotencyKey = row.idempotency_key;
    if (row.channel === "voice") {
      return this.voice.send({ outboxId: row.id, idempotencyKey, to: row.recipient, twiml: row.body });
    }
    return this.notifier.send({ outboxId: row.id, idempotencyKey, to: row.recipient, body: row.body });
  }

  private recordOnAlarm(row: OutboxRow, type: string, detail: Record<string, unknown>): void {
    if (row.alarm_id === null) return;
    this.alarms.appendEvent(row.alarm_id, type, "system", detail);
    this.bus.emit("alarm.changed", { alarmId: row.alarm_id, change: type });
  }
}

/** 1 s, 2 s, 4 s … capped, with ±20 % jitter so a provider outage does not end in a thundering herd. */
export function backoffMs(attempt: number, maxMs: number): number {
  const base = Math.min(maxMs, 1000 * 2 ** Math.max(0, attempt - 1));
  const jitter = base * 0.2 * (Math.random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(maxMs, base + jitter)));
}
