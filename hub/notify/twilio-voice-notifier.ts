import type twilio from "twilio";
import type { CallHangup, HangupResult, OutboundCall, SendResult, VoiceNotifier } from "./notifier.ts";
import {
  createTwilioClient,
  DEFAULT_TIMEOUT_MS,
  type TwilioAccountOptions,
  withDeadline,
  withIdempotencyToken,
} from "./twilio-client.ts";
import { classifyTwilioError } from "./twilio-notifier.ts";

export interface TwilioVoiceNotifierOptions extends TwilioAccountOptions {
  /** Our Twilio number (E.164): the caller id the relative sees. */
  from: string;
  /** Where Twilio should POST the call's end (completed, busy, no-answer, failed, canceled). */
  statusCallbackUrl?: string;
  /** Seconds the phone may ring before Twilio gives up with `no-answer`; Twilio's default is 60. */
  ringTimeoutS?: number;
}

/**
 * Places calls through Twilio's Calls API with the TwiML inline (no webhook
 * has to serve it), and ends them (POST …/Calls/{Sid}.json with `Status`).
 * Like the SMS channel it never retries and never throws; the outbox owns
 * retries and this class only classifies failures. Creates and updates carry
 * their idempotency key: a retried create never rings a relative twice.
 */
export class TwilioVoiceNotifier implements VoiceNotifier {
  readonly name = "twilio-voice";
  private readonly options: TwilioVoiceNotifierOptions;
  private client: twilio.Twilio | undefined;

  constructor(options: TwilioVoiceNotifierOptions) {
    this.options = options;
  }

  send(call: OutboundCall): Promise<SendResult> {
    return withDeadline(
      () => withIdempotencyToken(call.idempotencyKey, () => this.create(call)),
      this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
  }

  private async create(call: OutboundCall): Promise<SendResult> {
    const { statusCallbackUrl, ringTimeoutS } = this.options;
    try {
      const created = await this.getClient().calls.create({
        to: call.to,
        from: this.options.from,
        twiml: call.twiml,
        // No StatusCallbackEvent: Twilio then reports only the end (completed, busy, no-answer, failed,
        // canceled), which is all the cascade acts on.
        ...(statusCallbackUrl ? { statusCallback: statusCallbackUrl } : {}),
        ...(ringTimeoutS ? { timeout: ringTimeoutS } : {}),
      });
      return { ok: true, providerRef: created.sid };
    } catch (error) {
      return classifyTwilioError(error);
    }
  }

  hangUp(call: CallHangup): Promise<HangupResult> {
    return withDeadline(
      () => withIdempotencyToken(call.idempotencyKey, () => this.update(call)),
      this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
  }

  private async update(call: CallHangup): Promise<HangupResult> {
    try {
      const updated = await this.getClient().calls(call.sid).update({ status: call.status });
      return { ok: true, callStatus: updated.status };
    } catch (error) {
      return classifyTwilioError(error);
    }
  }

  private getClient(): twilio.Twilio {
    this.client ??= createTwilioClient(this.options);
    return this.client;
  }
}
