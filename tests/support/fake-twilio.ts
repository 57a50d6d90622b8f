import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  checkAccount,
  checkAuth,
  type FakeTwilioOptions,
  injectedRefusal,
  MAX_REQUEST_BYTES,
  readBody,
  sendJson,
} from "./fake-twilio-http.ts";
import { IdempotencyLedger, type RememberedAnswer } from "./fake-twilio-idempotency.ts";
import { type FakeTwilioLimits, ProviderLimits, type ThrottleReason } from "./fake-twilio-limits.ts";
import {
  applyCallUpdate,
  callResource,
  type FakeTwilioCall,
  type FakeTwilioCallUpdate,
  type FakeTwilioMessage,
  messageResource,
  newSid,
  parseCallForm,
  parseCallUpdateForm,
  parseMessageForm,
  progressCall,
  type Refusal,
  refusal,
  twilioError,
} from "./fake-twilio-resources.ts";
import { TwilioWebhookClient, type WebhookTarget } from "./twilio-webhooks.ts";

/**
 * A local stand-in for Twilio's Messages and Calls endpoints (create a
 * message, create a call, end a call). It checks every
 * request the way Twilio does (auth, account, form encoding, E.164, body and
 * TwiML limits) so a test that passes here fails for the same reasons it would
 * fail against Twilio. Its 201 bodies follow Twilio's OpenAPI spec;
 * `tests/contract/check-twilio-fake.ts` proves that through Prism. It honours
 * `I-Twilio-Idempotency-Token` as Twilio does (fake-twilio-idempotency.ts), and
 * can play a slow Twilio that takes a request but answers only after the
 * client gave up (`holdAnswers`), and a busy provider: a rate limit, random
 * 429s and a delay before each answer (`limits`, fake-twilio-limits.ts). It
 * also plays Twilio calling the hub back: signed inbound SMS and status
 * callbacks (see twilio-webhooks.ts).
 */

export type { FakeTwilioOptions } from "./fake-twilio-http.ts";
export type { FakeTwilioLimits } from "./fake-twilio-limits.ts";
export type { FakeTwilioCall, FakeTwilioCallUpdate, FakeTwilioMessage } from "./fake-twilio-resources.ts";
export type { TwilioWebhookClient, WebhookResponse, WebhookTarget } from "./twilio-webhooks.ts";
export { twilioSignature } from "./twilio-webhooks.ts";

/** What a request asks for: a message, a call, or a change to a call. */
export type FakeTwilioResource = "message" | "call" | "call update";

export interface FakeTwilioRequest {
  method: string;
  path: string;
  /** HTTP status the fake answered with. */
  status: number;
  /** Twilio error code when the request was refused. */
  code?: number;
  /** Why the request was refused; absent for an accepted message or call. */
  rejection?: string;
  /** A repeated idempotency token: answered with the original, nothing created. */
  replayed?: boolean;
  /** Taken, but answered only after the client gave up (see `holdAnswers`). */
  held?: boolean;
  /** The `To` of a message or call create. */
  to?: string;
  /** Refused with 429 by the limits (see `setLimits`): over the rate, or at random. */
  throttled?: ThrottleReason;
  receivedAt: Date;
}

export interface FakeTwilio {
  /** Base URL, e.g. http://127.0.0.1:54321 (no trailing slash). */
  url: string;
  messages: FakeTwilioMessage[];
  calls: FakeTwilioCall[];
  /** Accepted call updates (a call ended through the API), in order. */
  callUpdates: FakeTwilioCallUpdate[];
  requests: FakeTwilioRequest[];
  /** Make the next `count` requests to the Messages or Calls endpoints fail with `status` (and Twilio `code`). */
  failNext(status: number, count?: number, code?: number): void;
  /** Forgets the failures `failNext` queued and no request has used yet. */
  resetFailures(): void;
  /** A busy provider from now on: rate limit, random 429s, answer delay (`{}`: none of them). */
  setLimits(limits: FakeTwilioLimits): void;
  /**
   * A slow Twilio: the next `count` messages, calls or call updates (or only
   * those of one kind) are made as asked, but their answer is held until the
   * client gives up waiting (closes the connection), so the client never
   * learns they were taken.
   */
  holdAnswers(count?: number, only?: FakeTwilioResource): void;
  /** Moves a call on as the phone network would (ringing, in-progress, completed…). */
  setCallStatus(sid: string, status: string): void;
  /** Resolves once `n` messages were accepted; rejects after `timeoutMs`. */
  waitForMessages(n: number, timeoutMs?: number): Promise<FakeTwilioMessage[]>;
  /** Resolves once `n` calls were accepted; rejects after `timeoutMs`. */
  waitForCalls(n: number, timeoutMs?: number): Promise<FakeTwilioCall[]>;
  /** Resolves once `n` call updates were accepted; rejects after `timeoutMs`. */
  waitForCallUpdates(n: number, timeoutMs?: number): Promise<FakeTwilioCallUpdate[]>;
  /** Twilio calling the hub: signed inbound SMS and status callbacks to `target`. */
  webhooks(target: WebhookTarget): TwilioWebhookClient;
  close(): Promise<void>;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const CALLS_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/;
const CALL_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
/** A recording's audio (GET, with the account's credentials, as Twilio's media URLs want by default). */
const RECORDING_MEDIA_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Recordings\/(RE[0-9a-f]{32})\.mp3$/;
/** What the stand-in plays for every recording: an MP3 frame header and silence. */
export const FAKE_RECORDING_AUDIO = Buffer.concat([Buffer.from("ID3\x03\x00\x00\x00\x00\x00\x00"), Buffer.alloc(512)]);

export async function startFakeTwilio(options: FakeTwilioOptions): Promise<FakeTwilio> {
  const messages: FakeTwilioMessage[] = [];
  const calls: FakeTwilioCall[] = [];
  const callUpdates: FakeTwilioCallUpdate[] = [];
  const requests: FakeTwilioRequest[] = [];
  const injected: { status: number; code?: number }[] = [];
  const waiters = new Set<() => void>();
  const ledger = new IdempotencyLedger();
  const holds: { only?: FakeTwilioResource }[] = [];
  const limits = new ProviderLimits();
  limits.set(options.limits ?? {});

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake must show up as a failing request, not a hung test.
      sendJson(res, 500, twilioError(500, 20500, `fake-twilio crashed: ${String(error)}`));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = new Date();
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const method = req.method ?? "GET";
    // The delay counts from the request's arrival, so it is the same for every answer, refusals too.
    const answerAt = receivedAt.getTime() + limits.delayMs;
    const answer = async (status: number, body: unknown, headers?: Record<string, string>): Promise<void> => {
      const wait = answerAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sendJson(res, status, body, headers);
    };
    let to: string | undefined;
    const refuse = (r: Refusal, reason = r.message, throttled?: ThrottleReason): Promise<void> => {
      const seen = {
        method,
        path,
        status: r.status,
        code: r.code,
        rejection: reason,
        receivedAt,
        ...(to ? { to } : {}),
      };
      requests.push(throttled ? { ...seen, throttled } : seen);
      return answer(r.status, twilioError(r.status, r.code, r.message), r.headers);
    };

    const raw = await readBody(req);
    const media = RECORDING_MEDIA_PATH.exec(path);
    if (media && method === "GET") {
      const denied = checkAuth(req.headers.authorization, options) ?? checkAccount(media[1] ?? "", options, path);
      if (denied) return refuse(denied);
      requests.push({ method, path, status: 200, receivedAt });
      res.writeHead(200, { "content-type": "audio/mpeg", "content-length": String(FAKE_RECORDING_AUDIO.length) });
      res.end(FAKE_RECORDING_AUDIO);
      return;
    }
    to = raw ? (new URLSearchParams(raw).get("To") ?? undefined) : undefined;
    const match = MESSAGES_PATH.exec(path) ?? CALLS_PATH.exec(path) ?? CALL_PATH.exec(path);
    if (!match) {
      await refuse(refusal(404, 20404, `The requested resource ${path} was not found`));
      return;
    }
    if (method !== "POST") {
      await refuse(refusal(405, 20004, `Method ${method} not allowed on ${path} by this fake`));
      return;
    }
    const failure = injected.shift();
    if (failure) {
      await refuse(injectedRefusal(failure.status, failure.code), `injected by failNext(${failure.status})`);
      return;
    }
    const denied =
      raw === undefined
        ? refusal(413, 20413, `Request body larger than ${MAX_REQUEST_BYTES} bytes`)
        : (checkAuth(req.headers.authorization, options) ?? checkAccount(match[1] ?? "", options, path));
    if (denied) {
      await refuse(denied);
      return;
    }
    // After the credentials (Twilio checks who asks first), before anything is made or remembered.
    const throttled = limits.admit(receivedAt.getTime());
    if (throttled) {
      await refuse(throttled.refusal, `429 by ${throttled.reason}`, throttled.reason);
      return;
    }
    const key = ledger.keyOf(req.headers, options.accountSid, method, path);
    const original = key === undefined ? undefined : await ledger.earlier(key);
    if (original) {
      requests.push({ method, path, status: original.status, replayed: true, receivedAt, ...(to ? { to } : {}) });
      await answer(original.status, original.body);
      return;
    }
    const pending = key === undefined ? undefined : ledger.begin(key);
    const made = perform(path, req.headers["content-type"], raw ?? "", receivedAt);
    if ("code" in made) {
      pending?.settle(null);
      await refuse(made);
      return;
    }
    pending?.settle(made);
    const resource: FakeTwilioResource = CALL_PATH.test(path)
      ? "call update"
      : CALLS_PATH.test(path)
        ? "call"
        : "message";
    const hold = holds.findIndex((h) => h.only === undefined || h.only === resource);
    const held = hold >= 0;
    if (held) holds.splice(hold, 1);
    requests.push({ method, path, status: made.status, receivedAt, ...(to ? { to } : {}), ...(held ? { held } : {}) });
    for (const wake of waiters) wake();
    // Taken, but the answer comes only after the client stopped waiting for it: it never arrives.
    if (held) await once(res, "close");
    else await answer(made.status, made.body);
  }

  /** Makes the message or call, or changes the call, as Twilio would. */
  function perform(path: string, contentType: string | undefined, raw: string, at: Date): RememberedAnswer | Refusal {
    const one = CALL_PATH.exec(path);
    if (one) {
      const call = calls.find((c) => c.sid === one[2]);
      if (!call) return refusal(404, 20404, `The requested resource ${path} was not found`);
      const parsed = parseCallUpdateForm(contentType, raw);
      if ("code" in parsed) return parsed;
      const before = call.status;
      applyCallUpdate(call, parsed.status, at);
      callUpdates.push({ sid: call.sid, status: parsed.status, before, after: call.status, receivedAt: at });
      return { status: 200, body: callResource(options.accountSid, call, at) };
    }
    if (CALLS_PATH.test(path)) {
      const parsed = parseCallForm(contentType, raw);
      if ("code" in parsed) return parsed;
      const call: FakeTwilioCall = { sid: newSid("CA"), ...parsed, status: "queued", receivedAt: at };
      calls.push(call);
      return { status: 201, body: callResource(options.accountSid, call) };
    }
    const parsed = parseMessageForm(contentType, raw);
    if ("code" in parsed) return parsed;
    const message: FakeTwilioMessage = { sid: newSid("SM"), ...parsed, receivedAt: at };
    messages.push(message);
    return { status: 201, body: messageResource(options.accountSid, message) };
  }

  function waitFor<T>(list: T[], what: string, n: number, timeoutMs: number): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (list.length < n) return;
        cleanup();
        resolve([...list]);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake-twilio: ${list.length}/${n} ${what} after ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const state = { accountSid: options.accountSid, authToken: options.authToken, messages, calls };

  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    calls,
    callUpdates,
    requests,
    failNext(status: number, count = 1, code?: number): void {
      for (let i = 0; i < count; i++) injected.push(code === undefined ? { status } : { status, code });
    },
    resetFailures(): void {
      injected.length = 0;
    },
    setLimits(next: FakeTwilioLimits): void {
      limits.set(next);
    },
    holdAnswers(count = 1, only?: FakeTwilioResource): void {
      for (let i = 0; i < count; i++) holds.push(only === undefined ? {} : { only });
    },
    setCallStatus(sid: string, status: string): void {
      const call = calls.find((c) => c.sid === sid);
      if (!call) throw new Error(`fake-twilio: no call ${sid}`);
      progressCall(call, status, new Date());
    },
    waitForMessages: (n, timeoutMs = 2000) => waitFor(messages, "messages", n, timeoutMs),
    waitForCalls: (n, timeoutMs = 2000) => waitFor(calls, "calls", n, timeoutMs),
    waitForCallUpdates: (n, timeoutMs = 2000) => waitFor(callUpdates, "call updates", n, timeoutMs),
    webhooks: (target) => new TwilioWebhookClient(state, target),
    async close(): Promise<void> {
      // Keep-alive sockets from the SDK would otherwise hold close() open.
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
