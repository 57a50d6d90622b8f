/**
 * Ends the relatives' calls the hub no longer wants ringing: the cascade
 * stopped (a relative confirmed, or the alarm was closed) and wrote one
 * `call_hangups` row per call that had not ended, in the same transaction. The
 * outbox sender drains these rows with the same backoff as its messages, so a
 * provider outage or a hub restart delays a hang-up but never loses it.
 *
 * What a row needs depends on what the outbox knows of its call by now:
 * - never placed (withdrawn before the sender got to it): nothing to end;
 * - already over (a final status callback): nothing to end;
 * - queued or ringing, as far as we know: `canceled`; if Twilio answers that
 *   the call is `in-progress` (answered since), `canceled` had no effect, so
 *   `completed` follows at once;
 * - known to be answered (`in-progress`): `completed`.
 * Twilio's 404 / 20404 (no such call any more) and 21220 (the call is not in a
 * state that can change: it has ended) both mean it no longer rings: done.
 */
import type { Logger } from "pino";
import type { AlarmEventDetails } from "../../protocol/console/index.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { CallHangupRepository, DueHangup, HangupStatus } from "../storage/call-hangup-repo.ts";
import { isFinalStatus } from "../storage/delivery-status.ts";
import type { CallHangup, HangupResult } from "./notifier.ts";
import { retryDelayMs } from "./retry-delay.ts";

/** Makes one request to end a call (the outbox sender's paced `VoiceNotifier.hangUp`). */
export type HangUp = (call: CallHangup) => Promise<HangupResult>;

/** How long a request waits for a call whose placement is still in flight. */
const PLACING_WAIT_MS = 200;
const GONE_CODES = new Set(["20404", "21220"]);

export class CallHangups {
  private readonly repo: CallHangupRepository;
  private readonly alarms: AlarmRepository;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly maxBackoffMs: number;

  constructor(
    deps: {
      repo: CallHangupRepository;
      alarms: AlarmRepository;
      bus: EventBus;
      logger: Logger;
    },
    options: { maxBackoffMs: number },
  ) {
    this.repo = deps.repo;
    this.alarms = deps.alarms;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.maxBackoffMs = options.maxBackoffMs;
  }

  /** When the next request falls due after `afterMs` (the ones due by then are in flight), or null. */
  nextDueAt(afterMs?: number): Promise<number | null> {
    return this.repo.nextDueAt(afterMs);
  }

  /** The request due first by `nowMs` that is not in `skip` (the ones in flight). */
  nextDue(nowMs: number, skip: ReadonlySet<number>): Promise<DueHangup | undefined> {
    return this.repo.nextDue(nowMs, skip);
  }

  /**
   * Ends one call. `placing` holds the outbox rows whose send is in flight
   * right now; `hangUp` makes each request to the provider (the outbox sender
   * paces them). Resolves once the outcome is recorded.
   */
  async endOne(row: DueHangup, placing: ReadonlySet<number>, hangUp: HangUp): Promise<void> {
    const log = this.logger.child({ outboxId: row.outbox_id, alarmId: row.alarm_id, to: row.recipient });
    if (row.provider_ref === null) {
      // A send in flight may still place the call; its sid is stored when it returns.
      if (placing.has(row.outbox_id) || row.outbox_status === "pending") {
        await this.repo.postpone(row.outbox_id, Date.now() + PLACING_WAIT_MS);
        return;
      }
      await this.repo.markDone(row.outbox_id, "not_placed", { sid: null, sentStatus: null, callStatus: null }, false);
      log.info({ reason: row.reason }, "voice call withdrawn before it was placed");
      return;
    }
    const sid = row.provider_ref;
    if (isFinalStatus("voice", row.delivery_status)) {
      await this.repo.markDone(
        row.outbox_id,
        "already_ended",
        { sid, sentStatus: null, callStatus: row.delivery_status },
        false,
      );
      return;
    }
    // One key per request to end the call and status asked for: `completed` after `canceled` is a new request.
    const request = (status: HangupStatus) => ({
      outboxId: row.outbox_id,
      sid,
      status,
      idempotencyKey: `${row.idempotency_key}-${status}`,
    });
    let status: HangupStatus = row.delivery_status === "in-progress" ? "completed" : "canceled";
    let result: HangupResult = await hangUp(request(status));
    if (result.ok && status === "canceled" && result.callStatus === "in-progress") {
      status = "completed";
      result = await hangUp(request(status));
    }
    if (result.ok && isFinalStatus("voice", result.callStatus)) {
      const outcome = result.callStatus === status ? "hung_up" : "already_ended";
      await this.repo.markDone(
        row.outbox_id,
        outcome,
        { sid, sentStatus: status, callStatus: result.callStatus },
        true,
      );
      log.info({ sid, status, callStatus: result.callStatus }, "voice call ended");
      await this.record(row, "call_hung_up", {
        to: row.recipient,
        purpose: row.purpose,
        status,
        callStatus: result.callStatus,
        result: outcome,
        providerRef: sid,
      });
      return;
    }
    if (!result.ok && (result.status === 404 || GONE_CODES.has(String(result.providerCode ?? "")))) {
      await this.repo.markDone(row.outbox_id, "already_ended", { sid, sentStatus: status, callStatus: null }, true);
      log.info({ sid, status, reason: result.message }, "voice call to end was already gone");
      await this.record(row, "call_hung_up", {
        to: row.recipient,
        purpose: row.purpose,
        status,
        result: "already_ended",
        providerRef: sid,
      });
      return;
    }
    const reason = result.ok
      ? `the call is still ${result.callStatus} after ${status}`
      : `${result.status ?? "network"} ${result.providerCode ?? ""} ${result.message}`.replace(/\s+/g, " ").trim();
    if (result.ok || result.retryable) {
      const delay = retryDelayMs(row.attempts + 1, this.maxBackoffMs, result.ok ? undefined : result.retryAfterMs);
      // Twilio answered (the call still live, a 429 or 5xx): a repeat of the same request would only get the
      // same answer back, so the next one gets a new key. No answer: the same key, a safe repeat.
      const answered = result.ok || result.status !== undefined;
      await this.repo.markRetry(row.outbox_id, reason, Date.now() + delay, { sid, status }, answered);
      log.warn({ sid, reason, attempt: row.attempts + 1, retryInMs: delay }, "ending a voice call failed, will retry");
      return;
    }
    await this.repo.markFailed(row.outbox_id, reason, { sid, status });
    log.error({ code: "TWILIO_HANGUP_REFUSED", sid, reason }, "ending a voice call refused by provider, not retried");
    // The provider's words, as they came: an `error`, not one of our coded reasons.
    await this.record(row, "call_hangup_failed", {
      to: row.recipient,
      purpose: row.purpose,
      status,
      error: reason,
      providerRef: sid,
    });
  }

  private async record<T extends "call_hung_up" | "call_hangup_failed">(
    row: DueHangup,
    type: T,
    detail: AlarmEventDetails[T],
  ): Promise<void> {
    if (row.alarm_id === null) return;
    await this.alarms.appendEvent(row.alarm_id, type, "system", detail);
    this.bus.emit("alarm.changed", { alarmId: row.alarm_id, change: type });
  }
}
