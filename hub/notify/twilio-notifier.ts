import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import type { OutboundSms, SendResult, SmsNotifier } from "./notifier.ts";

export interface TwilioSmsNotifierOptions {
  accountSid: string;
  authToken: string;
  /** Our Twilio number (E.164) or alphanumeric sender ID. */
  from: string;
  /** Replaces https://api.twilio.com, e.g. a local fake or a Prism proxy in tests. */
  apiBaseUrl?: string;
  /** Where Twilio should POST delivery status updates. */
  statusCallbackUrl?: string;
  /** Whole-request deadline; defaults to 10 s. */
  timeoutMs?: number;
}

export type SendFailure = Extract<SendResult, { ok: false }>;

/**
 * The SDK's default is 30 s. The outbox retries failed sends, so waiting longer
 * than this for one answer only delays the retry that may reach a relative.
 */
const DEFAULT_TIMEOUT_MS = 10_000;

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
 * Keeps the real SDK (auth, form encoding, axios, error parsing) and only swaps
 * the origin it talks to. The SDK builds absolute api.twilio.com URIs (possibly
 * with an edge/region host), so the path is kept and the origin replaced.
 */
class RebasedRequestClient extends twilio.RequestClient {
  private readonly apiBaseUrl: string;

  constructor(apiBaseUrl: string, options: RequestClient.RequestClientOptions) {
    super(options);
    this.apiBaseUrl = apiBaseUrl;
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const original = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.apiBaseUrl}${original.pathname}${original.search}` });
  }
}

/**
 * Sends SMS through Twilio's Messages API. It never retries and never throws:
 * the outbox owns retries, so this class only reports whether a failure is
 * transient (429, 5xx, timeout, network) or permanent (other 4xx, bad config).
 */
export class TwilioSmsNotifier implements SmsNotifier {
  readonly name = "twilio";
  private readonly options: TwilioSmsNotifierOptions;
  private client: twilio.Twilio | undefined;

  constructor(options: TwilioSmsNotifierOptions) {
    this.options = options;
  }

  async send(message: OutboundSms): Promise<SendResult> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    // axios' timeout is per socket inactivity; a server trickling bytes could
    // hold the outbox sender for ever, so the whole call gets a deadline too.
    const deadline = new Promise<SendFailure>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, retryable: true, message: `twilio: no answer within ${timeoutMs} ms` }),
        timeoutMs + 250,
      );
    });
    try {
      return await Promise.race([this.create(message), deadline]);
    } finally {
      clearTimeout(timer);
    }
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
    if (!this.client) {
      const { accountSid, authToken, apiBaseUrl } = this.options;
      const clientOptions = { timeout: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
      this.client = twilio(accountSid, authToken, {
        // autoRetry stays off: retrying inside one send would hide 429s from the outbox.
        autoRetry: false,
        ...(apiBaseUrl
          ? { httpClient: new RebasedRequestClient(apiBaseUrl.replace(/\/+$/, ""), clientOptions) }
          : clientOptions),
      });
    }
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
