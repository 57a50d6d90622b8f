/**
 * What the Twilio channels (SMS, voice) share: one way to build the real SDK
 * client, pointed at another origin when asked (a local fake or a Prism proxy
 * in tests), one whole-request deadline, and the idempotency token every
 * request carries.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import type { SendResult } from "./notifier.ts";

export interface TwilioAccountOptions {
  accountSid: string;
  authToken: string;
  /** Replaces https://api.twilio.com, e.g. a local fake or a Prism proxy in tests. */
  apiBaseUrl?: string;
  /** Whole-request deadline; defaults to 10 s. */
  timeoutMs?: number;
}

export type SendFailure = Extract<SendResult, { ok: false }>;

/**
 * The SDK's default is 30 s. The outbox retries a request that timed out with
 * the same idempotency token, which is safe (Twilio answers the repeat with the
 * original message or call, never a second one), so waiting longer than this
 * for one answer only delays the retry that may reach a relative.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Twilio remembers a token for 24 h per account and answers a repeated one with the original response. */
export const IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token";

/** The request being made in this async context (see `withIdempotencyToken`). */
interface RequestContext {
  token: string;
  /** A 429's `Retry-After`, in ms, as the request client saw it. */
  retryAfterMs?: number;
}

const currentRequest = new AsyncLocalStorage<RequestContext>();

/**
 * Makes the Twilio requests `work` starts carry `token`. The SDK has no
 * per-request header option, so the token travels in the async context down
 * to the request client, which adds the header. The way back is the same: the
 * SDK's errors carry no headers, so a 429's `Retry-After` is noted in the
 * context by the request client and put on the failure here.
 */
export async function withIdempotencyToken<R extends { ok: true } | SendFailure>(
  token: string,
  work: () => Promise<R>,
): Promise<R | SendFailure> {
  const context: RequestContext = { token };
  const result = await currentRequest.run(context, work);
  if (result.ok || result.status !== 429 || context.retryAfterMs === undefined) return result;
  return { ...result, retryAfterMs: context.retryAfterMs };
}

/** `Retry-After` as seconds or an HTTP date (RFC 9110), in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(value: unknown, nowMs = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== "string" || text.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Keeps the real SDK (auth, form encoding, axios, error parsing). It adds the
 * idempotency header of the current request, and with `apiBaseUrl` swaps the
 * origin it talks to: the SDK builds absolute api.twilio.com URIs (possibly
 * with an edge/region host), so the path is kept and the origin replaced.
 */
class AnxinRequestClient extends twilio.RequestClient {
  private readonly apiBaseUrl: string | null;

  constructor(apiBaseUrl: string | null, options: RequestClient.RequestClientOptions) {
    super(options);
    this.apiBaseUrl = apiBaseUrl;
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const context = currentRequest.getStore();
    const headers = context === undefined ? opts.headers : { ...opts.headers, [IDEMPOTENCY_HEADER]: context.token };
    const original = new URL(opts.uri);
    const uri = this.apiBaseUrl === null ? opts.uri : `${this.apiBaseUrl}${original.pathname}${original.search}`;
    const response = await super.request<TData>({ ...opts, uri, ...(headers ? { headers } : {}) });
    if (context !== undefined && response.statusCode === 429) {
      const headerValues = (response.headers ?? {}) as Record<string, unknown>;
      const wait = retryAfterMs(headerValues["retry-after"]);
      if (wait !== undefined) context.retryAfterMs = wait;
    }
    return response;
  }
}

export function createTwilioClient(options: TwilioAccountOptions): twilio.Twilio {
  const { accountSid, authToken, apiBaseUrl } = options;
  // autoRetry stays off: retrying inside one send would hide 429s from the outbox.
  const clientOptions = { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, autoRetry: false };
  return twilio(accountSid, authToken, {
    autoRetry: false,
    httpClient: new AnxinRequestClient(apiBaseUrl ? apiBaseUrl.replace(/\/+$/, "") : null, clientOptions),
  });
}

/**
 * axios' timeout is per socket inactivity; a server trickling bytes could hold
 * the outbox sender for ever, so the whole call gets a deadline too.
 */
export async function withDeadline<R extends { ok: boolean }>(
  work: () => Promise<R>,
  timeoutMs: number,
): Promise<R | SendFailure> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<SendFailure>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, retryable: true, message: `twilio: no answer within ${timeoutMs} ms` }),
      timeoutMs + 250,
    );
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
