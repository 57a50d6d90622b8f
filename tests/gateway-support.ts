/**
 * Helpers for the gateway tests: emulated Arduino boards offered through the gateway's injectable
 * port access (plug one in, pull it out, plug a new one in), a config with short timings, and
 * readers of what the hub stored and what the LED on pin 13 did.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EmulatedBoard } from "../firmware-sim/arduino/emulated-board.ts";
import type { SerialStream } from "../gateway/board-connection.ts";
import type { BoardConfig, GatewayConfig } from "../gateway/config.ts";
import { GatewayError } from "../gateway/errors.ts";
import { type DisplayState, PATTERNS } from "../gateway/feedback-pattern.ts";
import { Gateway, type PortAccess, type PortInfo } from "../gateway/gateway.ts";
import type { TestHub } from "./support/test-hub.ts";

export const BUTTON = 2;
export const LED = 13;
export const BUZZER = 8;
export const HOLD_MS = 600;

/** A USB hub of emulated Unos: `plug` offers a fresh board under a path, `openPort` powers it up. */
export class EmulatedPorts implements PortAccess {
  private readonly offered = new Map<string, EmulatedBoard>();
  private readonly started = new Set<EmulatedBoard>();
  readonly all: EmulatedBoard[] = [];

  plug(portPath: string): EmulatedBoard {
    const board = new EmulatedBoard({ path: portPath });
    this.offered.set(portPath, board);
    this.all.push(board);
    return board;
  }

  /** Pulls the cable of the board at `portPath`: its port closes as a real unplug does. */
  unplug(portPath: string): void {
    this.offered.get(portPath)?.unplug();
    this.offered.delete(portPath);
  }

  openPort(portPath: string): SerialStream {
    const board = this.offered.get(portPath);
    // A board powers up once; after that (or with nothing offered) the path is as good as absent.
    if (!board || this.started.has(board)) {
      throw new GatewayError("PORT_NOT_FOUND", `serial port ${portPath} does not exist`);
    }
    this.started.add(board);
    return board.start();
  }

  async listPorts(): Promise<PortInfo[]> {
    return [...this.offered.keys()].map((p) => ({ path: p, vendorId: "2341", productId: "0043" }));
  }

  unplugAll(): void {
    for (const board of this.all) board.unplug();
  }
}

export function boardConfig(deviceId: string, secret: string, portPath: string): BoardConfig {
  return {
    deviceId,
    secret,
    port: { path: portPath },
    pins: { button: BUTTON, led: LED, buzzer: BUZZER, pullup: true },
    holdMs: HOLD_MS,
    cancelWindowMs: 1_500,
  };
}

export function gatewayConfig(mqttUrl: string, boards: BoardConfig[], dataDir = tempDir()): GatewayConfig {
  return {
    mqttUrl,
    dataDir,
    heartbeatIntervalMs: 60_000,
    reconnectIntervalMs: 200,
    readyTimeoutMs: 5_000,
    retryInitialMs: 300,
    retryMaxMs: 1_000,
    unreachableAfterMs: 60_000,
    boards,
  };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "anxin-gw-"));
}

export async function startGateway(config: GatewayConfig, ports: PortAccess): Promise<Gateway> {
  const log = process.env.GATEWAY_TEST_LOG
    ? (level: string, message: string) => console.log(level, message)
    : undefined;
  const gateway = new Gateway({ config, ports, connectTimeoutMs: 2_000, ...(log ? { log } : {}) });
  await gateway.start();
  return gateway;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A press held past the hold time: the resident's SOS. */
export async function holdButton(board: EmulatedBoard): Promise<void> {
  board.press(BUTTON);
  await sleep(HOLD_MS + 300);
  board.release(BUTTON);
  // A finger needs a moment between presses, and the firmware must sample the pin high in between.
  await sleep(120);
}

/** A short press, well under the hold time. */
export async function tapButton(board: EmulatedBoard): Promise<void> {
  board.press(BUTTON);
  await sleep(120);
  board.release(BUTTON);
  await sleep(120);
}

export interface AlarmRow {
  id: number;
  status: string;
  kind: string;
}

export function alarmsOf(th: TestHub, deviceId: string): AlarmRow[] {
  return th.hub.db
    .prepare("SELECT id, status, kind FROM alarms WHERE device_id = ? ORDER BY id")
    .all(deviceId) as AlarmRow[];
}

export function pressesOf(th: TestHub, deviceId: string): { press_id: string }[] {
  return th.hub.db.prepare("SELECT press_id FROM presses WHERE device_id = ?").all(deviceId) as { press_id: string }[];
}

export function openOfflineFault(th: TestHub, deviceId: string): boolean {
  const row = th.hub.db
    .prepare("SELECT id FROM device_faults WHERE device_id = ? AND kind = 'offline' AND cleared_at IS NULL")
    .get(deviceId);
  return row !== undefined;
}

export function deviceOnline(th: TestHub, deviceId: string): boolean {
  const row = th.hub.db.prepare("SELECT online FROM devices WHERE id = ?").get(deviceId) as { online: number };
  return row.online === 1;
}

/**
 * Records the LED's lit spans and names the blinking pattern they belong to: the state whose first
 * on-time is nearest the latest spans.
 *
 * The spans are measured on the wall clock, as a resident would see them: the gateway times each
 * pattern on its own (wall) clock and writes every edge to the board as it is due, and the board sets
 * the pin in the emulator slice that runs next. The emulator's simulated clock is not the pattern's:
 * on a busy machine the emulator catches up at most 50 ms of lag and drops the rest, so simulated time
 * falls behind for good and a 500 ms blink can span far fewer simulated ms (suspected in a run that
 * read no `acknowledged` within 6 s, with two suites at once).
 */
export class LedReader {
  /** Every completed interval, lit or dark, in order (wall milliseconds; simulated ones for a failure's message). */
  private readonly intervals: { lit: boolean; ms: number; simulatedMs: number }[] = [];
  /** The last edge, on both clocks (simulated for `steadyLitFor`). */
  private lastEdge: { wallMs: number; simulatedMs: number } | null = null;
  /** Simulated time of the last reset: "no edge since" counts from here when none came. */
  private resetAt: number;
  private readonly board: EmulatedBoard;
  private readonly pin: number;
  readonly stop: () => void;

  constructor(board: EmulatedBoard, pin = LED) {
    this.board = board;
    this.pin = pin;
    this.resetAt = board.simulatedMs;
    this.stop = board.watch(pin, (high, atMs) => {
      const edge = { wallMs: performance.now(), simulatedMs: atMs };
      // An edge ends the interval before it: dark if the LED now rises, lit if it now falls.
      const last = this.lastEdge;
      if (last) {
        this.intervals.push({ lit: !high, ms: edge.wallMs - last.wallMs, simulatedMs: atMs - last.simulatedMs });
      }
      this.lastEdge = edge;
    });
  }

  /** Forgets what was seen, so the next reading is of the pattern shown from now on. */
  reset(): void {
    this.intervals.length = 0;
    this.lastEdge = null;
    this.resetAt = this.board.simulatedMs;
  }

  /** Lit, with no edge for at least `ms` of simulated time: steady on, not a blink caught high. */
  steadyLitFor(ms: number): boolean {
    const since = this.lastEdge?.simulatedMs ?? this.resetAt;
    return this.board.level(this.pin) && this.board.simulatedMs - since >= ms;
  }

  /**
   * Whether the latest full cycle of lit/dark intervals is `state`'s rhythm ([on, off, on, off…]),
   * each within `toleranceMs`.
   */
  shows(state: DisplayState, toleranceMs = 60): boolean {
    const { led } = PATTERNS[state];
    if (typeof led === "string") return false;
    const recent = this.intervals.slice(-led.length);
    if (recent.length < led.length) return false;
    // Rotate so the comparison starts at a lit interval, wherever the cycle was cut.
    return led.some(
      (_, start) =>
        start % 2 === 0 &&
        recent.every((interval, i) => {
          const expected = led[(start + i) % led.length] ?? -1;
          return interval.lit === ((start + i) % 2 === 0) && Math.abs(interval.ms - expected) <= toleranceMs;
        }),
    );
  }

  /** The latest intervals, for a failure's message: "lit 498 ms (sim 502)", … */
  describe(count = 8): string {
    const recent = this.intervals.slice(-count);
    if (recent.length === 0) return "no LED edge seen";
    return recent
      .map((i) => `${i.lit ? "lit" : "dark"} ${Math.round(i.ms)} ms (sim ${Math.round(i.simulatedMs)})`)
      .join(", ");
  }

  /** The blinking state the last three lit spans match, or null before there are three. */
  blinking(): DisplayState | null {
    const recent = this.intervals
      .filter((interval) => interval.lit)
      .slice(-3)
      .map((interval) => interval.ms);
    if (recent.length < 3) return null;
    const candidates: DisplayState[] = ["sending", "received", "acknowledged"];
    const nearest = (span: number) =>
      candidates.reduce((best, state) => (Math.abs(onMs(state) - span) < Math.abs(onMs(best) - span) ? state : best));
    const names = new Set(recent.map(nearest));
    return names.size === 1 ? (recent.map(nearest)[0] ?? null) : null;
  }
}

function onMs(state: DisplayState): number {
  const { led } = PATTERNS[state];
  return typeof led === "string" ? 0 : (led[0] ?? 0);
}

/**
 * Waits until `check` holds, giving up only once BOTH clocks ran out (the error then says what `seen`
 * reports, the LED's latest intervals, say): the board's simulated time (on a busy machine the
 * emulator runs slower than real time, and steady-on is judged in simulated time) and wall time (the
 * hub's side of the change, and the gateway's blinking, run in real time).
 */
export async function waitForBoard(
  board: EmulatedBoard,
  check: () => boolean,
  { simulatedMs, wallMs, seen }: { simulatedMs: number; wallMs: number; seen?: () => string },
): Promise<void> {
  const simStart = board.simulatedMs;
  const wallStart = Date.now();
  while (!check()) {
    if (board.simulatedMs - simStart >= simulatedMs && Date.now() - wallStart >= wallMs) {
      const what = seen ? `; seen: ${seen()}` : "";
      throw new Error(`board condition not met in ${simulatedMs} simulated ms and ${wallMs} ms${what}`);
    }
    await sleep(25);
  }
}
