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
 *
 * A pipeline, not rounds: up to `concurrency` requests are in flight, and the
 * next one starts as soon as any finishes and the pacer (the provider's
 * allowed rate, `rate-pacer.ts`) has a token, so one slow request holds up
 * nobody. The next row is the first due one in priority order
 * (`outbox-priority.ts`) that is not in flight. "In flight" lives only in
 * memory, on purpose: the row stays `pending` with its idempotency key until
 * the outcome is recorded, so after a crash it is simply due again and its
 * retry carries the same key: the provider answers it with the message it may
 * already have taken, never a second one.
 */
import type { Logger } from "pino";
import type { EventBus } from "../events.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { DueHangup } from "../storage/call-hangup-repo.ts";
import type { OutboxRepository, OutboxRow } from "../storage/outbox-repo.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import type { CallHangups, HangUp } from "./call-hangups.ts";
import type { SmsNotifier, VoiceNotifier } from "./notifier.ts";
import { OutboxOutcomes, type ProviderAnswer } from "./outbox-outcomes.ts";
import { RatePacer } from "./rate-pacer.ts";

export interface OutboxSenderOptions {
  /** Longest sleep while nothing is due (new messages wake it at once). */
  pollMs: number;
  maxBackoffMs: number;
  /** Requests per second the provider allows; requests it takes never exceed it. */
  ratePerS: number;
  /** Requests in flight at most. */
  concurrency: number;
}

export class OutboxSender {
  private readonly outbox: OutboxRepository;
  private readonly notifier: SmsNotifier;
  private readonly voice: VoiceNotifier;
  private readonly hangups: CallHangups | null;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly options: OutboxSenderOptions;
  private readonly outcomes: OutboxOutcomes;
  /** Outbox rows whose send is in flight (a call being placed, too: a hang-up must wait for its sid). */
  private readonly sending = new Set<number>();
  /** Hang-ups in flight, by their call's outbox row. */
  private readonly ending = new Set<number>();
  private readonly requests = new Set<Promise<void>>();
  private pacer: RatePacer | null = null;
  private loop: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Cuts the current pause short. */
  private nudge: (() => void) | null = null;
  /** A wake that came while no pause was running: the next pause returns at once. */
  private nudged = false;
  private running = false;

  constructor(
    deps: {
      sql: SqlSession;
      outbox: OutboxRepository;
      alarms: AlarmRepository;
      notifier: SmsNotifier;
      voice: VoiceNotifier;
      /** Requests to end placed calls; sent through the same pipeline, pacer and backoff. */
      hangups?: CallHangups;
      bus: EventBus;
      logger: Logger;
    },
    options: OutboxSenderOptions,
  ) {
    this.outbox = deps.outbox;
    this.notifier = deps.notifier;
    this.voice = deps.voice;
    this.hangups = deps.hangups ?? null;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.options = options;
    this.outcomes = new OutboxOutcomes(
      { sql: deps.sql, outbox: deps.outbox, alarms: deps.alarms, bus: deps.bus, logger: deps.logger },
      { maxBackoffMs: options.maxBackoffMs, smsChannel: deps.notifier.name, voiceChannel: deps.voice.name },
    );
  }

  start(): void {
    this.running = true;
    this.pacer = new RatePacer({ ratePerS: this.options.ratePerS });
    this.unsubscribe = this.bus.on("outbox.enqueued", () => this.wake());
    this.loop = this.run();
  }

  /** Starts nothing new and waits for the requests in flight (each ends within the provider timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.wake();
    await this.loop;
    await Promise.all(this.requests);
  }

  /** Looks for due work now (a message was queued, a request finished). */
  wake(): void {
    this.nudged = true;
    this.nudge?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let waitMs: number;
      try {
        waitMs = await this.step();
      } catch (error) {
        // The database refused a read: nothing can be sent or recorded now; try again after a poll.
        this.logger.error({ err: error, code: "OUTBOX_READ_FAILED" }, "outbox sender could not read the outbox");
        waitMs = this.options.pollMs;
      }
      if (waitMs > 0) await this.pause(waitMs);
    }
  }

  /** Starts the next request when a slot and a token are free; 0 to go on at once, else how long to wait. */
  private async step(): Promise<number> {
    const pacer = this.pacer;
    if (!pacer) return this.options.pollMs;
    // Full: a finishing request wakes the loop.
    if (this.sending.size + this.ending.size >= this.options.concurrency) return this.options.pollMs;
    const tokenWaitMs = pacer.take();
    if (tokenWaitMs > 0) return tokenWaitMs;
    const now = Date.now();
    // Hang-ups first: few, and each stops a phone ringing for nothing.
    const hangup = await this.hangups?.nextDue(now, this.ending);
    if (hangup) {
      this.launch(hangup.outbox_id, this.ending, () => this.endCall(hangup));
      return 0;
    }
    const row = await this.outbox.nextDue(now, this.sending);
    if (row) {
      this.launch(row.id, this.sending, () => this.send(row));
      return 0;
    }
    pacer.refund();
    return this.idleMs(now);
  }

  private launch(id: number, inFlight: Set<number>, work: () => Promise<void>): void {
    inFlight.add(id);
    const request: Promise<void> = work()
      .catch((error: unknown) => this.logger.error({ err: error, outboxId: id }, "outbox request failed unexpectedly"))
      .finally(() => {
        inFlight.delete(id);
        this.requests.delete(request);
        this.wake();
      });
    this.requests.add(request);
  }

  /** Nothing due now: until the next row falls due (those due already are in flight), at most a poll. */
  private async idleMs(now: number): Promise<number> {
    const hangupDue = this.hangups ? await this.hangups.nextDueAt(now) : null;
    const dues = [await this.outbox.nextDueAt(now), hangupDue].filter((t) => t !== null);
    if (dues.length === 0) return this.options.pollMs;
    return Math.max(1, Math.min(this.options.pollMs, Math.min(...dues) - now));
  }

  private pause(ms: number): Promise<void> {
    if (this.nudged || !this.running) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.nudge = null;
        this.nudged = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.nudge = done;
    });
  }

  private async send(row: OutboxRow): Promise<void> {
    const idempotencyKey = row.idempotency_key;
    const result = await this.answered(() =>
      row.channel === "voice"
        ? this.voice.send({ outboxId: row.id, idempotencyKey, to: row.recipient, twiml: row.body })
        : this.notifier.send({ outboxId: row.id, idempotencyKey, to: row.recipient, body: row.body }),
    );
    await this.outcomes.record(row, result);
  }

  /** Ends a call; the pacer's token taken for it pays its first request, a second one waits for its own. */
  private async endCall(row: DueHangup): Promise<void> {
    let tokenHeld = true;
    const hangUp: HangUp = async (call) => {
      if (!tokenHeld) await this.takeToken();
      tokenHeld = false;
      return this.answered(() => this.voice.hangUp(call));
    };
    await this.hangups?.endOne(row, this.sending, hangUp);
    if (tokenHeld) this.pacer?.refund();
  }

  /** Tells the pacer how the provider answered: a 429 slows it (and may give the token back). */
  private async answered<R extends ProviderAnswer>(request: () => Promise<R>): Promise<R> {
    const result = await request();
    this.pacer?.answered(!result.ok && result.status === 429);
    return result;
  }

  private async takeToken(): Promise<void> {
    for (;;) {
      const waitMs = this.pacer?.take() ?? 0;
      if (waitMs === 0) return;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
