/**
 * Pushes alarm changes, device faults and test requests to every live console,
 * gathered per push window instead of one frame per change.
 *
 * A change only marks its alarm dirty (a fault or test keeps its latest state
 * by id) and asks for a push: at the end of the current tick if the last push
 * was at least `coalesceMs` ago, else when that window ends. A push reads the
 * dirty alarms once (one query for the alarms, one per table they name),
 * serialises them once, packs them into frames of a few hundred
 * (console-frames.ts), and sends the same buffers to every console. An alarm
 * that changed five times since the last push is sent once, as it is after
 * the fifth change, and is read after the transactions that changed it
 * committed (the push runs after them, never inside the emitter's call).
 *
 * Why a throttle and not a fixed delay or setImmediate alone: a quiet hub
 * pushes a press at once (no delay added to press → console); a busy one
 * pushes at most once per window of 10 ms (the default), so a window adds at
 * most 10 ms (the goal is a p99 of 50 ms, of which the ack takes up to 20)
 * and a console gets at most about 100 frames a second, close to the 60 Hz a
 * screen shows, however many alarms change. setImmediate alone would send one
 * alarm's stages one by one whenever they commit in separate ticks.
 *
 * A burst is read READ_CHUNK (250) alarms per pass, with other I/O (acks,
 * logins) let through between passes, so pushing 5,000 alarms never holds the
 * event loop for the whole burst.
 *
 * Back-pressure: a console whose unsent bytes pass `maxBufferedBytes` (a
 * browser on a bad link, a frozen tab) is closed with SLOW_CONSOLE_CLOSE and
 * gets nothing more; it reconnects and reloads its lists over HTTP, as after
 * any drop. Without this the hub would keep every frame for it in memory.
 */

import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import type { ConsoleFrame, DeviceFault, DeviceTest } from "../../protocol/console/index.ts";
import type { AlarmViews } from "../alarms/alarm-views.ts";
import type { EventBus } from "../events.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import { BATCH_LIMITS, encodeFrame, packBatches } from "./console-frames.ts";

/** The close code of a console that fell too far behind; it reconnects and reloads. */
export const SLOW_CONSOLE_CLOSE = 4002;
/**
 * Alarms read and summarised per pass, one frame's worth; the rest follow once
 * other I/O (acks, logins) has run. Read with one query per table, 250
 * summaries cost about a twelfth of reading them one by one, a few ms, so a
 * burst never holds the event loop for long.
 */
const READ_CHUNK = BATCH_LIMITS.items;
/** A failed read (the database busy or gone) is tried again after this long, with its alarms still dirty. */
const RETRY_MS = 1000;

export interface ConsolePushSettings {
  /** At most one push per this many ms (a push waits no longer than that); 0: every tick that changed something. */
  coalesceMs: number;
  /** A console with more unsent bytes than this is closed with SLOW_CONSOLE_CLOSE. */
  maxBufferedBytes: number;
}

export const DEFAULT_CONSOLE_PUSH: ConsolePushSettings = { coalesceMs: 10, maxBufferedBytes: 8 * 1024 * 1024 };

export interface ConsolePushDeps {
  bus: EventBus;
  commits: Pick<SqlDatabase, "afterCommit">;
  views: Pick<AlarmViews, "summariesOf">;
  logger: Logger;
}

export class ConsolePush {
  private readonly deps: ConsolePushDeps;
  private readonly settings: ConsolePushSettings;
  private readonly consoles = new Set<WebSocket>();
  private readonly dirtyAlarms = new Set<number>();
  private readonly faults = new Map<number, DeviceFault>();
  private readonly tests = new Map<number, DeviceTest>();
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** A push is reading the alarms; another asked for meanwhile waits for it (`flushAgain`). */
  private flushing = false;
  private flushAgain = false;
  /** When the last push ran (performance.now()); the next waits for the window to end. */
  private lastPushAt = Number.NEGATIVE_INFINITY;
  private unsubscribes: Array<() => void> = [];

  constructor(deps: ConsolePushDeps, settings: ConsolePushSettings) {
    this.deps = deps;
    this.settings = settings;
  }

  start(): void {
    const { bus, commits } = this.deps;
    // With no console open nothing is kept: a console that opens later loads the lists over HTTP. A change
    // told inside a transaction is marked once it committed: the push reads it back (on PostgreSQL from
    // another connection, which sees only what is committed), and a change rolled back is never pushed.
    this.unsubscribes = [
      bus.on("alarm.changed", ({ alarmId }) => {
        if (this.consoles.size === 0) return;
        commits.afterCommit(() => this.alarmsChanged([alarmId]));
      }),
      // A blackout's Last Wills and the reconnect after it open and clear thousands of faults at once.
      bus.on("device.fault", ({ fault }) => {
        if (this.consoles.size === 0) return;
        commits.afterCommit(() => this.faultsChanged([fault]));
      }),
      bus.on("device.test", ({ test }) => {
        if (this.consoles.size === 0) return;
        commits.afterCommit(() => this.testsChanged([test]));
      }),
    ];
  }

  /** Alarms that changed (here, or on another hub: hub/realtime/cluster-feed.ts), pushed with the next batch. */
  alarmsChanged(alarmIds: readonly number[]): void {
    if (this.consoles.size === 0) return;
    for (const alarmId of alarmIds) this.dirtyAlarms.add(alarmId);
    this.changed();
  }

  faultsChanged(faults: readonly DeviceFault[]): void {
    if (this.consoles.size === 0) return;
    for (const fault of faults) this.faults.set(fault.id, fault);
    this.changed();
  }

  testsChanged(tests: readonly DeviceTest[]): void {
    if (this.consoles.size === 0) return;
    for (const test of tests) this.tests.set(test.id, test);
    this.changed();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
    this.cancel();
    this.forget();
    this.consoles.clear();
  }

  add(socket: WebSocket): void {
    this.consoles.add(socket);
  }

  remove(socket: WebSocket): void {
    this.consoles.delete(socket);
  }

  /** A frame that is not batched (the database's write state), to every console now. */
  broadcast(frame: ConsoleFrame): void {
    const data = encodeFrame(frame);
    for (const socket of this.consoles) this.deliver(socket, data);
  }

  /** Something was marked: push after this tick, or when the window since the last push ends. */
  private changed(): void {
    this.schedule(this.lastPushAt + this.settings.coalesceMs - performance.now());
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.immediate) return;
    if (delayMs <= 0) this.immediate = setImmediate(() => void this.flush());
    else {
      this.timer = setTimeout(() => void this.flush(), delayMs);
      this.timer.unref();
    }
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private forget(): void {
    this.dirtyAlarms.clear();
    this.faults.clear();
    this.tests.clear();
  }

  /**
   * One push at a time, so frames about an alarm leave in the order its states were read: a push asked
   * for while one reads is made once that one is out. Never rejects.
   */
  private async flush(): Promise<void> {
    this.timer = null;
    this.immediate = null;
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      await this.push();
    } finally {
      this.flushing = false;
      if (this.flushAgain) {
        this.flushAgain = false;
        this.schedule(0);
      }
    }
  }

  private async push(): Promise<void> {
    if (this.consoles.size === 0) {
      this.forget();
      return;
    }
    this.lastPushAt = performance.now();
    const ids = take(this.dirtyAlarms, READ_CHUNK);
    let frames: Buffer[];
    try {
      const alarms = ids.length === 0 ? [] : await this.deps.views.summariesOf(ids);
      frames = packBatches(
        "alarms",
        alarms.map((alarm) => JSON.stringify(alarm)),
      );
    } catch (error) {
      // Kept dirty: the consoles get these alarms once the database answers again.
      for (const id of ids) this.dirtyAlarms.add(id);
      this.deps.logger.error({ err: error, alarms: ids.length }, "could not read alarms for the consoles; retrying");
      this.schedule(RETRY_MS);
      return;
    }
    frames.push(
      ...packBatches(
        "device_faults",
        [...this.faults.values()].map((f) => JSON.stringify(f)),
      ),
    );
    frames.push(
      ...packBatches(
        "device_tests",
        [...this.tests.values()].map((t) => JSON.stringify(t)),
      ),
    );
    this.faults.clear();
    this.tests.clear();
    for (const socket of this.consoles) for (const frame of frames) this.deliver(socket, frame);
    // The rest of a burst once pending I/O has run.
    if (this.dirtyAlarms.size > 0) this.schedule(0);
  }

  private deliver(socket: WebSocket, data: Buffer): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.settings.maxBufferedBytes) {
      this.closeSlow(socket);
      return;
    }
    socket.send(data, { binary: false });
  }

  /**
   * Stops sending to a console that cannot keep up and closes it with a code it
   * (and its log) can tell apart. Its unsent frames are dropped with the socket
   * once it is closed (ws ends a close handshake the peer never answers after 30 s).
   */
  private closeSlow(socket: WebSocket): void {
    this.consoles.delete(socket);
    this.deps.logger.warn(
      { bufferedBytes: socket.bufferedAmount, limit: this.settings.maxBufferedBytes, code: "CONSOLE_TOO_SLOW" },
      "a console fell too far behind its pushes; closed so it reloads",
    );
    socket.close(SLOW_CONSOLE_CLOSE, "console too slow; reload");
  }
}

/** Removes and returns up to `n` of the set's first members. */
function take(set: Set<number>, n: number): number[] {
  const out: number[] = [];
  for (const id of set) {
    if (out.length >= n) break;
    out.push(id);
  }
  for (const id of out) set.delete(id);
  return out;
}
