/**
 * Twilio's `I-Twilio-Idempotency-Token`, as the stand-in honours it: per
 * account, method and path, a token Twilio has seen in the last 24 h gets the
 * original successful answer back (the same message or call, nothing created
 * again). A repeat that arrives while the original is still being processed
 * waits for it. A refused request (4xx, 5xx, 429) is not remembered, so a
 * retry after one is processed afresh.
 */
import type { IncomingHttpHeaders } from "node:http";

export const IDEMPOTENCY_HEADER = "i-twilio-idempotency-token";
const REMEMBERED_MS = 24 * 60 * 60 * 1000;

export interface RememberedAnswer {
  status: number;
  body: Record<string, unknown>;
}

interface Entry {
  at: number;
  answer: Promise<RememberedAnswer | null>;
}

export interface PendingAnswer {
  /** The answer to remember, or null when the request was refused (then the token is forgotten). */
  settle(answer: RememberedAnswer | null): void;
}

export class IdempotencyLedger {
  private readonly entries = new Map<string, Entry>();

  /** The ledger key of a request, or undefined when it carries no token. */
  keyOf(headers: IncomingHttpHeaders, accountSid: string, method: string, path: string): string | undefined {
    const raw = headers[IDEMPOTENCY_HEADER];
    const token = Array.isArray(raw) ? raw[0] : raw;
    return token ? `${accountSid} ${method} ${path} ${token}` : undefined;
  }

  /** The original's answer for a token seen within 24 h (null if it was refused); undefined for a new token. */
  earlier(key: string, now = Date.now()): Promise<RememberedAnswer | null> | undefined {
    const entry = this.entries.get(key);
    if (!entry || now - entry.at > REMEMBERED_MS) return undefined;
    return entry.answer;
  }

  /** Records a request with a new token; its answer is remembered once settled. */
  begin(key: string, now = Date.now()): PendingAnswer {
    let settle: (answer: RememberedAnswer | null) => void = () => {};
    const answer = new Promise<RememberedAnswer | null>((resolve) => {
      settle = resolve;
    });
    const entry: Entry = { at: now, answer };
    this.entries.set(key, entry);
    return {
      settle: (value) => {
        if (value === null && this.entries.get(key) === entry) this.entries.delete(key);
        settle(value);
      },
    };
  }
}
