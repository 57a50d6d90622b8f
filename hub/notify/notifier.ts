/**
 * One interface per outbound channel, one class per channel and provider
 * behind it (traccar style): `SmsNotifier` and `VoiceNotifier`, each with a
 * Twilio and a console implementation. The outbox sender is the only caller; a
 * notifier never retries by itself, it only says whether a failure is worth
 * retrying.
 */

export interface OutboundSms {
  /** Outbox row id, for logs. */
  outboxId: number;
  /**
   * The same on every attempt whose outcome was unknown (a timeout, a network
   * error), so the provider answers a repeat with the original message instead
   * of sending it again; a fresh one once the provider has answered.
   */
  idempotencyKey: string;
  /** E.164 number, e.g. +8613800000000. */
  to: string;
  body: string;
}

export interface OutboundCall {
  /** Outbox row id, for logs. */
  outboxId: number;
  /** As for an SMS: a repeat after a timeout returns the original call instead of ringing twice. */
  idempotencyKey: string;
  /** E.164 number to ring. */
  to: string;
  /** What the call says: a complete TwiML document (Twilio allows 4000 characters). */
  twiml: string;
}

export type SendResult =
  | {
      ok: true;
      /** The provider's id for the message or call (Twilio: SM… / CA…); status callbacks name it. */
      providerRef: string;
    }
  | {
      ok: false;
      /** true for 429, 5xx, timeouts and network errors: the outbox tries again later. */
      retryable: boolean;
      /** HTTP status when the provider answered. */
      status?: number;
      /** Provider error code when it gave one (e.g. Twilio 21211). */
      providerCode?: string | number;
      /** With a 429: how long the provider asked us to wait (`Retry-After`), in ms. */
      retryAfterMs?: number;
      message: string;
    };

/** A channel: sends one message of its kind. */
export interface Notifier<M> {
  readonly name: string;
  send(message: M): Promise<SendResult>;
}

export type SmsNotifier = Notifier<OutboundSms>;

/** Ends a placed call: `canceled` stops a queued or ringing one, `completed` also hangs up an answered one. */
export interface CallHangup {
  /** Outbox row id of the call, for logs. */
  outboxId: number;
  /** The provider's id of the call (Twilio: CA…). */
  sid: string;
  status: "canceled" | "completed";
  /** One per request to end the call (see OutboundSms.idempotencyKey). */
  idempotencyKey: string;
}

export type HangupResult =
  | {
      ok: true;
      /** The call's status in the provider's answer; `in-progress` after `canceled` means it was answered meanwhile. */
      callStatus: string;
    }
  | Extract<SendResult, { ok: false }>;

export interface VoiceNotifier extends Notifier<OutboundCall> {
  /** Like `send`, it never retries and never throws; the outbox sender owns retries. */
  hangUp(call: CallHangup): Promise<HangupResult>;
}
