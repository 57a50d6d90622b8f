import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
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
 * `tests/contract/check-twilio-fake.ts` proves that through Prism. It also
 * plays Twilio calling the hub back: signed inbound SMS and status callbacks
 * (see twilio-webhooks.ts).
 */

export type { FakeTwilioCall, FakeTwilioCallUpdate, FakeTwilioMessage } from "./fake-twilio-resources.ts";
export type { TwilioWebhookClient, WebhookResponse, WebhookTarget } from "./twilio-webhooks.ts";
export { twilioSignature } from "./twilio-webhooks.ts";

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
}

export interface FakeTwilioRequest {
  method: string;
  path: string;
  /** HTTP status the fake answered with. */
  status: number;
  /** Twilio error code when the request was refused. */
  code?: number;
  /** Why the request was refused; absent for an accepted message or call. */
  rejection?: string;
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
const MAX_REQUEST_BYTES = 64 * 1024;

/** Twilio's own codes for the statuses tests inject, so the SDK sees realistic bodies. */
const INJECTED: Record<number, { code: number; message: string }> = {
  429: { code: 20429, message: "Too Many Requests" },
  500: { code: 20500, message: "Internal Server Error" },
  502: { code: 20502, message: "Bad Gateway" },
  503: { code: 20503, message: "Service Unavailable" },
};

export async function startFakeTwilio(options: FakeTwilioOptions): Promise<FakeTwilio> {
  const messages: FakeTwilioMessage[] = [];
  const calls: FakeTwilioCall[] = [];
  const callUpdates: FakeTwilioCallUpdate[] = [];
  const requests: FakeTwilioRequest[] = [];
  const injected: { status: number; code?: number }[] = [];
  const waiters = new Set<() => void>();

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
    const refuse = (r: Refusal, reason = r.message): void => {
      requests.push({ method, path, status: r.status, code: r.code, rejection: reason, receivedAt });
      sendJson(res, r.status, twilioError(r.status, r.code, r.message), r.headers);
    };

    const raw = await readBody(req);
    const match = MESSAGES_PATH.exec(path) ?? CALLS_PATH.exec(path) ?? CALL_PATH.exec(path);
    if (!match) {
      refuse(refusal(404, 20404, `The requested resource ${path} was not found`));
      return;
    }
    if (method !== "POST") {
      refuse(refusal(405, 20004, `Method ${method} not allowed on ${path} by this fake`));
      return;
    }
    const failure = injected.shift();
    if (failure) {
      refuse(injectedRefusal(failure.status, failure.code), `injected by failNext(${failure.status})`);
      return;
    }
    const denied =
      raw === undefined
        ? refusal(413, 20413, `Request body larger than ${MAX_REQUEST_BYTES} bytes`)
        : (checkAuth(req.headers.authorization, options) ?? checkAccount(match[1] ?? "", options, path));
    if (denied) {
      refuse(denied);
      return;
    }
    const contentType = req.headers["content-type"];
    const one = CALL_PATH.exec(path);
    if (one) {
      const call = calls.find((c) => c.sid === one[2]);
      if (!call) return refuse(refusal(404, 20404, `The requested resource ${path} was not found`));
      const parsed = parseCallUpdateForm(contentType, raw ?? "");
      if ("code" in parsed) return refuse(parsed);
      const before = call.status;
      applyCallUpdate(call, parsed.status, receivedAt);
      callUpdates.push({ sid: call.sid, status: parsed.status, before, after: call.status, receivedAt });
      requests.push({ method, path, status: 200, receivedAt });
      sendJson(res, 200, callResource(options.accountSid, call, receivedAt));
    } else if (CALLS_PATH.test(path)) {
      const parsed = parseCallForm(contentType, raw ?? "");
      if ("code" in parsed) return refuse(parsed);
      const call: FakeTwilioCall = { sid: newSid("CA"), ...parsed, status: "queued", receivedAt };
      calls.push(call);
      requests.push({ method, path, status: 201, receivedAt });
      sendJson(res, 201, callResource(options.accountSid, call));
    } else {
      const parsed = parseMessageForm(contentType, raw ?? "");
      if ("code" in parsed) return refuse(parsed);
      const message: FakeTwilioMessage = { sid: newSid("SM"), ...parsed, receivedAt };
      messages.push(message);
      requests.push({ method, path, status: 201, receivedAt });
      sendJson(res, 201, messageResource(options.accountSid, message));
    }
    for (const wake of waiters) wake();
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

/** Reads the request body as UTF-8; undefined when it is too large to be a real SMS request. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function checkAuth(header: string | undefined, options: FakeTwilioOptions): Refusal | undefined {
  const challenge = { "WWW-Authenticate": 'Basic realm="Twilio API"' };
  const [scheme, encoded] = (header ?? "").split(" ");
  if (scheme?.toLowerCase() !== "basic" || !encoded) {
    return refusal(401, 20003, "Authentication Error - No credentials provided", challenge);
  }
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (colon < 0 || user !== options.accountSid) {
    return refusal(401, 20003, "Authentication Error - invalid username", challenge);
  }
  if (password !== options.authToken) {
    return refusal(401, 20003, "Authentication Error - invalid password", challenge);
  }
  return undefined;
}

function checkAccount(pathSid: string, options: FakeTwilioOptions, path: string): Refusal | undefined {
  // The credentials are valid but name another account: Twilio does not reveal it exists.
  return pathSid === options.accountSid
    ? undefined
    : refusal(404, 20404, `The requested resource ${path} was not found`);
}

function injectedRefusal(status: number, code: number | undefined): Refusal {
  const known = INJECTED[status];
  const headers: Record<string, string> = status === 429 || status === 503 ? { "Retry-After": "1" } : {};
  return refusal(status, code ?? known?.code ?? 20000 + status, known?.message ?? `Injected HTTP ${status}`, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Twilio-Request-Id": newSid("RQ"),
    ...headers,
  });
  res.end(text);
}
