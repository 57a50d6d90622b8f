/**
 * Paces the outbox's requests to the provider's allowed rate: a token bucket
 * that refills at the rate and holds a small burst (0.1 s worth, at least 2),
 * enough that a timer firing late on a busy machine costs no throughput, too
 * little to matter to the provider after an idle spell.
 *
 * A 429 means the provider did not take the request (Twilio: "never
 * processed, always safe to retry"), and it may mean we are too fast for it
 * (another client of the account, a lower limit than configured). So:
 * - every 429 slows the rate a little, and the rate climbs back to the
 *   configured one while none come. The steps are small: a provider that
 *   refuses a few requests at random (a 5 % share) leaves the rate where it
 *   is, one that refuses many pulls it down within a second;
 * - while 429s are rare (at most a tenth of the answers over the last
 *   second or so) a refused request's token is given back: it used none of
 *   the provider's allowance, and without that a provider refusing 5 % at
 *   random could never be used past 95 %. When they are frequent we are over
 *   the limit, and giving tokens back would only buy more refusals.
 * Requests the provider takes therefore never exceed the configured rate
 * (plus the burst): every one of them spent a token.
 */

export interface RatePacerOptions {
  /** The provider's allowed rate, requests per second. */
  ratePerS: number;
}

/** Each 429 multiplies the rate by this. */
const SLOWDOWN = 0.98;
/** The rate never drops below this share of the configured one. */
const FLOOR = 0.1;
/** Without 429s the rate climbs back by this share of the configured rate per second. */
const RECOVERY_PER_S = 0.2;
/** Up to this share of 429s among recent answers, a refused request's token is given back. */
const BLIP_SHARE = 0.1;
/** How fast the memory of answers fades (ms): about the last second counts. */
const MEMORY_MS = 1000;

export class RatePacer {
  private readonly ceiling: number;
  private readonly burst: number;
  private current: number;
  private tokens: number;
  private updatedAt: number;
  /** Answers and 429s, each fading with MEMORY_MS. */
  private answers = 0;
  private refusals = 0;

  constructor(options: RatePacerOptions, nowMs: number = performance.now()) {
    this.ceiling = options.ratePerS;
    this.burst = Math.max(2, Math.ceil(options.ratePerS * 0.1));
    this.current = options.ratePerS;
    this.tokens = this.burst;
    this.updatedAt = nowMs;
  }

  /** Requests per second allowed now (below the configured rate after 429s). */
  get ratePerS(): number {
    return this.current;
  }

  /** Takes a token: 0 when taken, else how many ms until one is there (nothing taken). */
  take(nowMs: number = performance.now()): number {
    this.advance(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.current) * 1000));
  }

  /** Gives back a token whose request was not made after all. */
  refund(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  /** The provider answered a request that spent a token; `refused`: with 429. */
  answered(refused: boolean, nowMs: number = performance.now()): void {
    this.advance(nowMs);
    this.answers += 1;
    if (!refused) return;
    this.refusals += 1;
    this.current = Math.max(this.ceiling * FLOOR, this.current * SLOWDOWN);
    if (this.refusals <= this.answers * BLIP_SHARE) this.refund();
  }

  private advance(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.updatedAt);
    if (elapsedMs === 0) return;
    this.updatedAt = nowMs;
    const elapsedS = elapsedMs / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedS * this.current);
    this.current = Math.min(this.ceiling, this.current + elapsedS * this.ceiling * RECOVERY_PER_S);
    const fade = Math.exp(-elapsedMs / MEMORY_MS);
    this.answers *= fade;
    this.refusals *= fade;
  }
}
