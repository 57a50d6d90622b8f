/**
 * What the Twilio channels (SMS, voice) share: one way to build the real SDK
 * client, pointed at another origin when asked (a local fake or a Prism proxy
 * in tests), and one whole-request deadline.
 */
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
 * The SDK's default is 30 s. The outbox retries failed sends, so waiting longer
 * than this for one answer only delays the retry that may reach a relative.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

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

export function createTwilioClient(options: TwilioAccountOptions): twilio.Twilio {
  const { accountSid, authToken, apiBaseUrl } = options;
  const clientOptions = { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  return twilio(accountSid, authToken, {
    // autoRetry stays off: retrying inside one send would hide 429s from the outbox.
    autoRetry: false,
    ...(apiBaseUrl
      ? { httpClient: new RebasedRequestClient(apiBaseUrl.replace(/\/+$/, ""), clientOptions) }
      : clientOptions),
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
