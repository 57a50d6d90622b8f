import type twilio from "twilio";
import type { OutboundSms, SendResult, SmsNotifier } from "./notifier.ts";
import {
  createTwilioClient,
  DEFAULT_TIMEOUT_MS,
  type SendFailure,
  type TwilioAccountOptions,
  withDeadline,
  withIdempotencyToken,
} from "./twilio-client.ts";

export type { SendFailure } from "./twilio-client.ts";

export interface TwilioSmsNotifierOptions extends TwilioAccountOptions {
  /** Our Twilio number (E.164) or alphanumeric sender ID. */
  from: string;
  /** Where Twilio should POST delivery status updates. */
  statusCallbackUrl?: string;
}

/** Node/undici/axios codes for failures where Twilio never answered: worth retrying. */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ERR_NETWORK",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/**
 * Sends SMS through Twilio's Messages API. It never retries and never throws:
 * the outbox owns retries, so this class only reports whether a failure is
 * transient (429, 5xx, timeout, network) or permanent (other 4xx, bad config).
 * Each create carries the message's idempotency key, so the outbox's retry of
 * a create whose answer never came cannot send the text twice.
 */
export class TwilioSmsNotifier implements SmsNotifier {
  readonly name = "twilio";
  private readonly options: TwilioSmsNotifierOptions;
  private client: twilio.Twilio | undefined;

  constructor(options: TwilioSmsNotifierOptions) {
    this.options = options;
  }

  send(message: OutboundSms): Promise<SendResult> {
    return withDeadline(
      () => withIdempotencyToken(message.idempotencyKey, () => this.create(message)),
      this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
  }

  private async create(message: OutboundSms): Promise<SendResult> {
    try {
      const created = await this.getClient().messages.create({
        to: message.to,
        from: this.options.from,
        body: message.body,
        ...(this.options.statusCallbackUrl ? { statusCallback: this.options.statusCallbackUrl } : {}),
      });
      return { ok: true, providerRef: created.sid };
    } catch (error) {
      return classifyTwilioError(error);
    }
  }

  /** Built on first use so a bad AccountSid becomes a failed send, not a crash at startup. */
  private getClient(): twilio.Twilio {
    this.client ??= createTwilioClient(this.options);
    return this.client;
  }
}

/**
 * Maps anything the SDK can throw to a SendResult. RestException and
 * TwilioServiceException both carry the HTTP `status` and Twilio `code`;
 * transport failures come from axios with a string `code` and no status.
 */
export function classifyTwilioError(error: unknown): SendFailure {
  const fields = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : {};
  const ownMessage = typeof fields.message === "string" && fields.message ? fields.message : undefined;

  if (typeof fields.status === "number") {
    const status = fields.status;
    // RestException copies `message` from the body; a non-Twilio body (proxy, load balancer) leaves it empty.
    const rawMessage = ownMessage ?? "response carried no Twilio error message";
    // 408 is a timeout told by the server: as transient as one we measured.
    const retryable = status === 429 || status === 408 || status >= 500;
    const providerCode = typeof fields.code === "number" || typeof fields.code === "string" ? fields.code : undefined;
    return {
      ok: false,
      retryable,
      status,
      ...(providerCode === undefined ? {} : { providerCode }),
      message: `twilio HTTP ${status}${providerCode === undefined ? "" : ` code ${providerCode}`}: ${rawMessage}`,
    };
  }

  const rawMessage = ownMessage ?? String(error);
  const code = transportCode(fields);
  if (code !== undefined || fields.isAxiosError === true) {
    return { ok: false, retryable: true, message: `twilio unreachable (${code ?? "network error"}): ${rawMessage}` };
  }
  // Not from the network or Twilio: a config or programming error that would fail the same way again.
  return { ok: false, retryable: false, message: `twilio client error: ${rawMessage}` };
}

/** Finds a transient errno-style code on the error or its cause (fetch/undici nest it). */
function transportCode(fields: Record<string, unknown>): string | undefined {
  if (typeof fields.code === "string" && (TRANSIENT_CODES.has(fields.code) || fields.code.startsWith("UND_ERR_"))) {
    return fields.code;
  }
  const cause = fields.cause;
  return typeof cause === "object" && cause !== null ? transportCode(cause as Record<string, unknown>) : undefined;
}
