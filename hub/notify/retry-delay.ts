/**
 * How long a message or a request to end a call waits before its next
 * attempt, after a failure worth retrying.
 */

/** 1 s, 2 s, 4 s … capped, with ±20 % jitter so a provider outage does not end in a thundering herd. */
export function backoffMs(attempt: number, maxMs: number): number {
  const base = Math.min(maxMs, 1000 * 2 ** Math.max(0, attempt - 1));
  const jitter = base * 0.2 * (Math.random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(maxMs, base + jitter)));
}

/**
 * The exponential backoff; but when the provider said when to come back (a
 * 429's `Retry-After`), then, plus up to 20 % jitter. A 429 is about the
 * account's pace, not this message, and the outbox's pacer already slows the
 * whole account down, so a message refused a few times in a burst does not
 * also wait out a growing backoff. Never more than `maxMs`.
 */
export function retryDelayMs(attempt: number, maxMs: number, retryAfterMs?: number): number {
  if (retryAfterMs === undefined) return backoffMs(attempt, maxMs);
  return Math.round(Math.min(maxMs, retryAfterMs * (1 + 0.2 * Math.random())));
}
