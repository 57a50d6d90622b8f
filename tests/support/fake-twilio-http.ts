/**
 * The fake Twilio's HTTP plumbing: reading a bounded body, Twilio's Basic auth
 * and account checks, injected failures, and JSON answers with Twilio's headers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeTwilioLimits } from "./fake-twilio-limits.ts";
import { newSid, type Refusal, refusal } from "./fake-twilio-resources.ts";

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  /** A busy provider from the start (rate limit, random 429s, answer delay); none by default. */
  limits?: FakeTwilioLimits;
}

export const MAX_REQUEST_BYTES = 64 * 1024;

/** Twilio's own codes for the statuses tests inject, so the SDK sees realistic bodies. */
const INJECTED: Record<number, { code: number; message: string }> = {
  429: { code: 20429, message: "Too Many Requests" },
  500: { code: 20500, message: "Internal Server Error" },
  502: { code: 20502, message: "Bad Gateway" },
  503: { code: 20503, message: "Service Unavailable" },
};

/** Reads the request body as UTF-8; undefined when it is too large to be a real SMS request. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
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

export function checkAuth(header: string | undefined, options: FakeTwilioOptions): Refusal | undefined {
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

export function checkAccount(pathSid: string, options: FakeTwilioOptions, path: string): Refusal | undefined {
  // The credentials are valid but name another account: Twilio does not reveal it exists.
  return pathSid === options.accountSid
    ? undefined
    : refusal(404, 20404, `The requested resource ${path} was not found`);
}

export function injectedRefusal(status: number, code: number | undefined): Refusal {
  const known = INJECTED[status];
  const headers: Record<string, string> = status === 429 || status === 503 ? { "Retry-After": "1" } : {};
  return refusal(status, code ?? known?.code ?? 20000 + status, known?.message ?? `Injected HTTP ${status}`, headers);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
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
