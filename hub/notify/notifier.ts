/**
 * One interface for every outbound channel (traccar style: one notifier class
 * per channel). The outbox sender is the only caller; a notifier never retries
 * by itself, it only says whether a failure is worth retrying.
 */

export interface OutboundSms {
  /** Outbox row id, for logs and provider idempotency. */
  outboxId: number;
  /** E.164 number, e.g. +8613800000000. */
  to: string;
  body: string;
}

export type SendResult =
  | { ok: true; providerRef: string }
  | {
      ok: false;
      /** true for 429, 5xx, timeouts and network errors: the outbox tries again later. */
      retryable: boolean;
      /** HTTP status when the provider answered. */
      status?: number;
      /** Provider error code when it gave one (e.g. Twilio 21211). */
      providerCode?: string | number;
      message: string;
    };

export interface SmsNotifier {
  readonly name: string;
  send(message: OutboundSms): Promise<SendResult>;
}
