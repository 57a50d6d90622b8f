/**
 * Failed MQTT logins, counted per address and per username. Once a key has
 * `freeFailures` failures, its next login is refused unchecked for a while:
 * 1 s, then twice as long after each further refusal, up to 15 minutes. A
 * refusal while waiting counts too, so hammering only prolongs the wait; an
 * attacker who keeps going is held at one try per 15 minutes. A key that has
 * not failed for 15 minutes starts again from zero; a username's count is
 * cleared by a successful login (an address's is not: an attacker with one
 * valid account must not be able to wipe its own address's record).
 *
 * Only refusals count, so a fleet reconnecting after a blackout with the right
 * secrets is never slowed (and broker-auth.ts checks a device's secret even
 * while its name or address waits). Memory is bounded: each map keeps its most
 * recently failed keys only.
 */

export const THROTTLE_BASE_MS = 1000;
export const THROTTLE_MAX_MS = 15 * 60_000;
/** Keys per map; a flood from more addresses or names than this forgets the oldest. */
const MAX_KEYS = 10_000;

interface Failures {
  count: number;
  lastAt: number;
  blockedUntil: number;
}

export class FailureCounter {
  private readonly freeFailures: number;
  private readonly entries = new Map<string, Failures>();

  constructor(options: { freeFailures: number }) {
    this.freeFailures = options.freeFailures;
  }

  /** Milliseconds the key must still wait; 0 when it may try. */
  waitMs(key: string, now: number): number {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.blockedUntil - now) : 0;
  }

  fail(key: string, now: number): void {
    const previous = this.entries.get(key);
    const count = previous && now - previous.lastAt < THROTTLE_MAX_MS ? previous.count + 1 : 1;
    const over = count - this.freeFailures;
    const blockedUntil = over >= 0 ? now + Math.min(THROTTLE_MAX_MS, THROTTLE_BASE_MS * 2 ** Math.min(over, 30)) : 0;
    // Delete first so the key moves to the end: the map's order is least recently failed first.
    this.entries.delete(key);
    this.entries.set(key, { count, lastAt: now, blockedUntil });
    if (this.entries.size > MAX_KEYS) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export class LoginThrottle {
  private readonly byAddress: FailureCounter;
  private readonly byUsername: FailureCounter;

  constructor(options: { freeFailures: number }) {
    this.byAddress = new FailureCounter(options);
    this.byUsername = new FailureCounter(options);
  }

  /** How long a login from `address` as `username` must still wait (the longer of the two). */
  waitMs(address: string, username: string | undefined, now: number): number {
    const byName = username ? this.byUsername.waitMs(usernameKey(username), now) : 0;
    return Math.max(this.byAddress.waitMs(address, now), byName);
  }

  failed(address: string, username: string | undefined, now: number): void {
    this.byAddress.fail(address, now);
    if (username) this.byUsername.fail(usernameKey(username), now);
  }

  succeeded(username: string): void {
    this.byUsername.clear(usernameKey(username));
  }
}

/** `Admin` and `admin` are one target: a guess under another case must not start a fresh count. */
function usernameKey(username: string): string {
  return username.toLowerCase();
}
