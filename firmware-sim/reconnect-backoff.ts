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
 */

// The numbers are the protocol's (protocol/reconnect.ts), which the hub's supervision relies on too.
import { RECONNECT_FIRST_MAX_MS, RECONNECT_GROWTH, RECONNECT_MAX_MS } from "../protocol/index.ts";

/** The longest wait before reconnect attempt `attempt` (0 = the first after the connection was lost). */
export function reconnectBoundMs(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MAX_MS * RECONNECT_GROWTH ** Math.max(0, attempt));
}

/** A random wait before reconnect attempt `attempt`, uniform in [0, bound). */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * reconnectBoundMs(attempt));
}

/**
 * Drives an MQTT client's reconnects (mqtt.js only knows a fixed
 * `reconnectPeriod`; set it to 0 and let this call `reconnect`).
 */
export class ReconnectLoop {
  private readonly reconnect: () => void;
  private readonly random: () => number;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(reconnect: () => void, random: () => number = Math.random) {
    this.reconnect = reconnect;
    this.random = random;
  }

  /** A session is up (logged in and set up): the next loss starts again from the shortest bound. */
  connected(): void {
    this.attempt = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The connection closed or could not be opened: schedules the next attempt; returns its wait, or null. */
  closed(): number | null {
    if (this.stopped || this.timer) return null;
    const wait = reconnectDelayMs(this.attempt, this.random);
    this.attempt += 1;
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
