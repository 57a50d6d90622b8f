import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Twilio's Messages endpoint. It checks every request the
 * way Twilio does (auth, account, form encoding, E.164, body length) so a test
 * that passes here fails for the same reasons it would fail against Twilio.
 * Its 201 body follows `api.v2010.account.message` in Twilio's OpenAPI spec;
 * `tests/contract/check-twilio-fake.ts` proves that through Prism.
 */

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
}

export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
  receivedAt: Date;
}

export interface FakeTwilioRequest {
  method: string;
  path: string;
  /** HTTP status the fake answered with. */
  status: number;
  /** Twilio error code when the request was refused. */
  code?: number;
  /** Why the request was refused; absent for an accepted message. */
  rejection?: string;
  receivedAt: Date;
}

export interface FakeTwilio {
  /** Base URL, e.g. http://127.0.0.1:54321 (no trailing slash). */
  url: string;
  messages: FakeTwilioMessage[];
  requests: FakeTwilioRequest[];
  /** Make the next `count` requests to the Messages endpoint fail with `status` (and Twilio `code`). */
  failNext(status: number, count?: number, code?: number): void;
  /** Resolves once `n` messages were accepted; rejects after `timeoutMs`. */
  waitForMessages(n: number, timeoutMs?: number): Promise<FakeTwilioMessage[]>;
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MAX_BODY_CHARS = 1600;
const MAX_REQUEST_BYTES = 64 * 1024;

/** Twilio's own codes for the statuses tests inject, so the SDK sees realistic bodies. */
const INJECTED: Record<number, { code: number; message: string }> = {
  429: { code: 20429, message: "Too Many Requests" },
  500: { code: 20500, message: "Internal Server Error" },
  502: { code: 20502, message: "Bad Gateway" },
  503: { code: 20503, message: "Service Unavailable" },
};

interface Refusal {
  status: number;
  code: number;
  message: string;
  headers?: Record<string, string>;
}

type ParsedMessage = Omit<FakeTwilioMessage, "sid" | "receivedAt">;

function refusal(status: number, code: number, message: string, headers?: Record<string, string>): Refusal {
  return headers ? { status, code, message, headers } : { status, code, message };
}

export async function startFakeTwilio(options: FakeTwilioOptions): Promise<FakeTwilio> {
  const messages: FakeTwilioMessage[] = [];
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
    const match = MESSAGES_PATH.exec(path);
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
    const parsed = parseMessageForm(req.headers["content-type"], raw ?? "");
    if ("code" in parsed) {
      refuse(parsed);
      return;
    }
    const message: FakeTwilioMessage = { sid: newSid("SM"), ...parsed, receivedAt };
    messages.push(message);
    requests.push({ method, path, status: 201, receivedAt });
    sendJson(res, 201, messageResource(options.accountSid, message));
    for (const wake of waiters) wake();
  }

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    requests,
    failNext(status: number, count = 1, code?: number): void {
      for (let i = 0; i < count; i++) injected.push(code === undefined ? { status } : { status, code });
    },
    waitForMessages(n: number, timeoutMs = 2000): Promise<FakeTwilioMessage[]> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length < n) return;
          cleanup();
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`fake-twilio: ${messages.length}/${n} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
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

function parseMessageForm(contentType: string | undefined, raw: string): ParsedMessage | Refusal {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") {
    return refusal(415, 20415, `Content-Type must be application/x-www-form-urlencoded, got '${contentType ?? ""}'`);
  }
  const form = new URLSearchParams(raw);
  const to = form.get("To");
  const from = form.get("From");
  const body = form.get("Body");
  const statusCallback = form.get("StatusCallback");
  if (!to) return refusal(400, 21604, "A 'To' phone number is required.");
  if (!E164.test(to)) return refusal(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (!from) return refusal(400, 21603, "A 'From' phone number is required.");
  if (!body) return refusal(400, 21602, "Message body is required.");
  // Twilio counts characters, not UTF-16 units: 1600 Chinese characters are allowed.
  if ([...body].length > MAX_BODY_CHARS) {
    return refusal(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
  }
  if (statusCallback !== null && !isHttpUrl(statusCallback)) {
    return refusal(400, 21609, `The StatusCallback URL ${statusCallback} is not a valid URL.`);
  }
  return statusCallback === null ? { to, from, body } : { to, from, body, statusCallback };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function injectedRefusal(status: number, code: number | undefined): Refusal {
  const known = INJECTED[status];
  const headers: Record<string, string> = status === 429 || status === 503 ? { "Retry-After": "1" } : {};
  return refusal(status, code ?? known?.code ?? 20000 + status, known?.message ?? `Injected HTTP ${status}`, headers);
}

/** The spec's `api.v2010.account.message`, field for field (numbers in it are strings). */
function messageResource(accountSid: string, message: FakeTwilioMessage): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}`;
  const date = rfc2822(message.receivedAt);
  return {
    account_sid: accountSid,
    api_version: "2010-04-01",
    body: message.body,
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: null,
    num_media: "0",
    num_segments: String(segmentCount(message.body)),
    price: null,
    price_unit: "USD",
    sid: message.sid,
    status: "queued",
    subresource_uris: { media: `${uri}/Media.json` },
    to: message.to,
    uri: `${uri}.json`,
  };
}

function twilioError(status: number, code: number, message: string): Record<string, unknown> {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
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

function newSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

/** Twilio dates look like "Thu, 24 Aug 2023 05:01:45 +0000". */
function rfc2822(date: Date): string {
  return date.toUTCString().replace("GMT", "+0000");
}

// GSM 03.38 basic set; anything outside it (Chinese, emoji) forces UCS-2.
const GSM7 = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXTENDED = new Set("^{}\\[~]|€\f");

function segmentCount(body: string): number {
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM7.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else gsm = false;
  }
  const units = gsm ? septets : body.length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return units <= single ? 1 : Math.ceil(units / multi);
}
