/**
 * When a device tries to reconnect (docs/protocol.md, "Reconnecting"): the
 * first attempt after a random wait of 0–2 s, each further one after a random
 * wait up to 1.5 times the previous bound, never more than 30 s ("full
 * jitter": uniform between 0 and the bound).
 *
 * Why random: a power cut or a hub restart drops every button of a county at
 * the same instant. With a fixed period they all come back in the same
 * second, again and again, each time into a broker still busy with the last
 * wave, and CONNECTs time out and are retried together (issue 12: 5,000
 * buttons needed 55 s after a hub restart). Spread over the bound, N devices
 * arrive at about N / bound per second instead.
 *
 * Why the bound grows, and only by 1.5: while the hub is away, attempts cost
 * it nothing, but once it is back the bound in force is how long the last
 * device can still be waiting. Growing by 1.5 keeps that under ~10 s after a
 * restart of ~10 s (the bounds run 2, 3, 4.5, 6.8, 10, 15, 23, 30 s), while a
 * long outage settles at one attempt per device every 15 s on average.
 *
 * Why a refused connection does not grow it at first: "connection refused"
 * means the hub's host answered that nothing listens (the hub restarting).
 * That costs the hub nothing, so for RECONNECT_REFUSED_HOLD_MS after the loss
 * such attempts keep the first bound, and the fleet is back within about 2 s
 * of the hub listening again; refusals past that grow the bound as usual.
 */

// The numbers are the protocol's (protocol/reconnect.ts), which the hub's supervision relies on too.
import {
  RECONNECT_FIRST_MAX_MS,
  RECONNECT_GROWTH,
  RECONNECT_MAX_MS,
  RECONNECT_REFUSED_HOLD_MS,
} from "../protocol/index.ts";

/** A TCP connect the peer refused (nothing listening), as opposed to no answer or a closed connection. */
export function isConnectionRefused(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ECONNREFUSED";
}

/** The longest wait before reconnect attempt `attempt` (0 = the first after the connection was lost). */
export function reconnectBoundMs(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MAX_MS * RECONNECT_GROWTH ** Math.max(0, attempt));
}

/** A random wait before reconnect attempt `attempt`, uniform in [0, bound). */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * reconnectBoundMs(attempt));
}

/**
 * The waits of one device's reconnects: each drawn at random under a bound
 * that grows with every failed attempt, except an attempt whose TCP connection
 * was refused within RECONNECT_REFUSED_HOLD_MS of the loss. The simulator and
 * the gateway use it through ReconnectLoop, the load bench's raw buttons directly.
 */
export class ReconnectBackoff {
  private readonly random: () => number;
  private readonly now: () => number;
  private attempt = 0;
  /** When the current loss began (the first failure since the last session), for the refused-connection hold. */
  private lostAt: number | null = null;

  constructor(random: () => number = Math.random, now: () => number = () => performance.now()) {
    this.random = random;
    this.now = now;
  }

  /** The wait before the next attempt, after one that failed (`refused`: its TCP connection was refused). */
  next(refused: boolean): number {
    const now = this.now();
    this.lostAt ??= now;
    const wait = reconnectDelayMs(this.attempt, this.random);
    if (!(refused && now - this.lostAt < RECONNECT_REFUSED_HOLD_MS)) this.attempt += 1;
    return wait;
  }

  /** A session is up (logged in and set up): the next loss starts again from the shortest bound. */
  reset(): void {
    this.attempt = 0;
    this.lostAt = null;
  }
}

/**
 * Drives an MQTT client's reconnects (mqtt.js only knows a fixed
 * `reconnectPeriod`; set it to 0 and let this call `reconnect`).
 */
export class ReconnectLoop {
  private readonly reconnect: () => void;
  private readonly backoff: ReconnectBackoff;
  /** mqtt.js reports a refused TCP connection as an error just before the close. */
  private refused = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(reconnect: () => void, random: () => number = Math.random, now: () => number = () => performance.now()) {
    this.reconnect = reconnect;
    this.backoff = new ReconnectBackoff(random, now);
  }

  /** A session is up (logged in and set up): the next loss starts again from the shortest bound. */
  connected(): void {
    this.backoff.reset();
    this.refused = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The client reported an error: a refused TCP connection is noted for the close that follows. */
  sawError(error: unknown): void {
    if (isConnectionRefused(error)) this.refused = true;
  }

  /** The connection closed or could not be opened: schedules the next attempt; returns its wait, or null. */
  closed(): number | null {
    const refused = this.refused;
    this.refused = false;
    if (this.stopped || this.timer) return null;
    const wait = this.backoff.next(refused);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.reconnect();
    }, wait);
    return wait;
  }

  /** No more attempts: the device is stopping. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
