/**
 * Issue 12: devices reconnect after a random wait that grows with each failed
 * attempt (firmware-sim/reconnect-backoff.ts, docs/protocol.md "Reconnecting"),
 * so a fleet dropped at one instant does not come back in one second.
 */
import net from "node:net";
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import {
  isConnectionRefused,
  ReconnectLoop,
  reconnectBoundMs,
  reconnectDelayMs,
} from "../firmware-sim/reconnect-backoff.ts";
import { RECONNECT_FIRST_MAX_MS, RECONNECT_MAX_MS, RECONNECT_REFUSED_HOLD_MS } from "../protocol/index.ts";

describe("reconnect backoff", () => {
  it("bounds the first wait by 2 s, then grows each bound by half, up to 30 s", () => {
    const bounds = Array.from({ length: 12 }, (_, attempt) => reconnectBoundMs(attempt));
    expect(bounds.slice(0, 5)).toEqual([2000, 3000, 4500, 6750, 10125]);
    for (let i = 1; i < bounds.length; i += 1) expect(bounds[i]).toBeGreaterThanOrEqual(bounds[i - 1] as number);
    expect(bounds.at(-1)).toBe(RECONNECT_MAX_MS);
    expect(Math.max(...bounds)).toBe(RECONNECT_MAX_MS);
  });

  it("draws each wait at random between 0 and its bound", () => {
    for (const attempt of [0, 1, 3, 8, 50]) {
      const waits = Array.from({ length: 400 }, () => reconnectDelayMs(attempt));
      const bound = reconnectBoundMs(attempt);
      for (const wait of waits) {
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThan(bound);
      }
      // Spread over the whole range, not one fixed period: both halves are used, and many distinct values.
      expect(waits.some((w) => w < bound / 2)).toBe(true);
      expect(waits.some((w) => w >= bound / 2)).toBe(true);
      expect(new Set(waits).size).toBeGreaterThan(100);
    }
    expect(reconnectDelayMs(0, () => 0)).toBe(0);
    expect(reconnectDelayMs(0, () => 0.9999)).toBe(RECONNECT_FIRST_MAX_MS - 1);
  });

  it("waits longer after every failed attempt, and from the start again once a session is up", async () => {
    let reconnects = 0;
    let wake: () => void = () => {};
    // A tiny draw keeps the real waits a few milliseconds while showing their bound grow.
    const loop = new ReconnectLoop(
      () => {
        reconnects += 1;
        wake();
      },
      () => 0.001,
    );
    const next = () => new Promise<void>((resolve) => (wake = resolve));
    const waits: (number | null)[] = [];
    for (let i = 0; i < 5; i += 1) {
      const woken = next();
      waits.push(loop.closed());
      // A second close while an attempt is already scheduled schedules nothing more.
      expect(loop.closed()).toBeNull();
      await woken;
    }
    expect(waits).toEqual([2, 3, 4, 6, 10]);
    expect(reconnects).toBe(5);

    loop.connected();
    const woken = next();
    expect(loop.closed()).toBe(2);
    await woken;
    loop.stop();
    expect(loop.closed()).toBeNull();
    expect(reconnects).toBe(6);
  });

  it("keeps the first bound while the hub's host refuses the connection, for 30 s of a loss, then grows", async () => {
    let clock = 0;
    let wake: () => void = () => {};
    const loop = new ReconnectLoop(
      () => wake(),
      // A tiny draw keeps the real waits a few milliseconds; each is a thousandth of its bound.
      () => 0.001,
      () => clock,
    );
    const close = async (how: { refused?: boolean }, after: number) => {
      clock += after;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      // As mqtt.js reports it: the error, then the close.
      if (how.refused) loop.sawError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
      const wait = loop.closed();
      await woken;
      return wait;
    };
    // Nothing listens (a restart): every wait is drawn from the first bound.
    const refusedWaits = [];
    for (let i = 0; i < 6; i += 1) refusedWaits.push(await close({ refused: true }, 1000));
    expect(refusedWaits).toEqual([2, 2, 2, 2, 2, 2]);
    // Any other failure grows the bound as before.
    expect(await close({}, 1000)).toBe(2);
    expect(await close({}, 1000)).toBe(3);
    // Past the hold, refusals grow it too: a long outage settles at the slow rate.
    clock += RECONNECT_REFUSED_HOLD_MS;
    expect(await close({ refused: true }, 0)).toBe(4);
    expect(await close({ refused: true }, 0)).toBe(6);
    // A session starts a new loss: refusals hold again.
    loop.connected();
    expect(await close({ refused: true }, 0)).toBe(2);
    expect(await close({ refused: true }, 1000)).toBe(2);
    loop.stop();
  });

  it("recognises mqtt.js's report of a refused connection, and nothing else", async () => {
    // A port nothing listens on: bind one, note it, close it.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 2000 });
    const error = await new Promise<Error>((resolve) => client.once("error", resolve));
    await client.endAsync(true);
    expect(isConnectionRefused(error)).toBe(true);
    expect(isConnectionRefused(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe(false);
    expect(isConnectionRefused(null)).toBe(false);
  });
});
