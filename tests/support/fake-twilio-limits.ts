/**
 * The stand-in as a busy provider: a rate limit (N requests taken per second),
 * a share of requests refused at random (as Twilio refuses requests when the
 * account has too many in flight, error 20429), and a delay before every
 * answer. All three are off unless asked for. A refused request is refused
 * before anything is made or remembered, as Twilio's 429 is ("never
 * processed, always safe to retry"), so it does not count against the rate.
 */

import { seededRandom } from "../../hub/seed/prng.ts";
import { type Refusal, refusal } from "./fake-twilio-resources.ts";

export interface FakeTwilioLimits {
  /** Most requests taken in any 1 s window; one more gets 429 (20429) with `Retry-After`. */
  ratePerSecond?: number;
  /** Share (0…1) of the requests refused at random with the same 429. */
  throttleShare?: number;
  /** Milliseconds before each answer (a real Twilio takes 100–300 ms). */
  delayMs?: number;
  /** Seed of the random refusals, so a run can be repeated. */
  seed?: number;
}

const WINDOW_MS = 1000;

/** Why a request was refused, for the stand-in's request log. */
export type ThrottleReason = "rate limit" | "random throttle";

export class ProviderLimits {
  private limits: FakeTwilioLimits = {};
  /** When each request in the current window was taken, oldest first. */
  private readonly taken: number[] = [];
  private random: () => number = seededRandom(1);

  set(limits: FakeTwilioLimits): void {
    this.limits = { ...limits };
    this.random = seededRandom(limits.seed ?? 1);
    this.taken.length = 0;
  }

  get delayMs(): number {
    return this.limits.delayMs ?? 0;
  }

  /** A refusal for a request arriving at `now`, or undefined when it may go through (and then counts). */
  admit(now: number): { refusal: Refusal; reason: ThrottleReason } | undefined {
    const { ratePerSecond, throttleShare } = this.limits;
    while (this.taken.length > 0 && (this.taken[0] ?? 0) <= now - WINDOW_MS) this.taken.shift();
    if (ratePerSecond !== undefined && this.taken.length >= ratePerSecond) {
      const freesAt = (this.taken[0] ?? now) + WINDOW_MS;
      return { refusal: tooMany(freesAt - now), reason: "rate limit" };
    }
    if (throttleShare !== undefined && throttleShare > 0 && this.random() < throttleShare) {
      return { refusal: tooMany(WINDOW_MS), reason: "random throttle" };
    }
    if (ratePerSecond !== undefined) this.taken.push(now);
    return undefined;
  }
}

/** Twilio's 429 body (20429); `Retry-After` in whole seconds, at least 1, as HTTP has it. */
function tooMany(waitMs: number): Refusal {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return refusal(429, 20429, "Too Many Requests", { "Retry-After": String(seconds) });
}
