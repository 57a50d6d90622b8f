/**
 * The watchers' periodic pass (hub/interval-loop.ts): a pass at start and one
 * per tick, never two at once; stop() ends the ticks, tells the pass under way
 * and waits for it; a pass that throws is logged and the loop goes on. The
 * ticks come from vitest's fake interval timer, so a test steps through them
 * rather than waiting for them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IntervalLoop, type IntervalLoopOptions } from "../hub/interval-loop.ts";
import { createLogger } from "../hub/log.ts";

/** A pass that waits until the test lets it finish, recording what it was told. */
class Passes {
  started = 0;
  finished = 0;
  /** What `proceed` said when each pass was let finish. */
  readonly proceeded: boolean[] = [];
  private release: (() => void) | null = null;

  readonly pass = async (proceed: () => boolean): Promise<number> => {
    this.started += 1;
    await new Promise<void>((resolve) => {
      this.release = resolve;
    });
    this.proceeded.push(proceed());
    this.finished += 1;
    return this.started;
  };

  get waiting(): boolean {
    return this.release !== null;
  }

  /** Lets the pass under way finish, and the loop see that it did. */
  async finish(): Promise<void> {
    const release = this.release;
    if (!release) throw new Error("no pass is running");
    this.release = null;
    release();
    await settle();
  }
}

/** A few turns of the microtask queue: long enough for a released pass and what follows it to settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

function logged(): { lines: Record<string, unknown>[]; options: Omit<IntervalLoopOptions, "intervalMs"> } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, options: { logger, failure: "test pass failed; retrying next tick" } };
}

describe("interval loop", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs a pass at start and at each tick, and a tick that finds a pass running joins it", async () => {
    const passes = new Passes();
    const loop = new IntervalLoop(passes.pass, { ...logged().options, intervalMs: 1000 });
    loop.start();
    expect(loop.running).toBe(true);
    expect(passes.started).toBe(1);

    // Ten ticks come while the first pass is still running: none starts a second one.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(passes.started).toBe(1);
    // Asked directly meanwhile, it answers with the pass under way.
    const joined = loop.run();
    await passes.finish();
    expect(await joined).toBe(1);

    await vi.advanceTimersByTimeAsync(1000);
    expect(passes.started).toBe(2);
    await passes.finish();
    await loop.stop();
    expect(loop.running).toBe(false);
  });

  it("with whileRunning 'again', runs once more after a pass it was asked for during, however often asked", async () => {
    const passes = new Passes();
    const loop = new IntervalLoop(passes.pass, { ...logged().options, intervalMs: 60_000, whileRunning: "again" });
    void loop.run();
    void loop.run();
    void loop.run();
    expect(passes.started).toBe(1);
    await passes.finish();
    expect(passes.started).toBe(2);
    await passes.finish();
    expect(passes.started).toBe(2);
    expect(passes.waiting).toBe(false);
  });

  it("stop() during a pass: no more ticks, the pass is told to end, and stop waits for it", async () => {
    const passes = new Passes();
    const loop = new IntervalLoop(passes.pass, { ...logged().options, intervalMs: 1000, whileRunning: "again" });
    loop.start();
    void loop.run(); // would run again after this pass, were it not stopped
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    await passes.finish();
    await stopping;
    expect(stopped).toBe(true);
    expect(passes.proceeded).toEqual([false]);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(passes.started).toBe(1);

    // It starts again as new: the next pass may proceed.
    loop.start();
    expect(passes.started).toBe(2);
    await passes.finish();
    expect(passes.proceeded).toEqual([false, true]);
    await loop.stop();
  });

  it("logs a pass that throws, resolves without a value, and runs the next tick's pass", async () => {
    const { lines, options } = logged();
    let calls = 0;
    const loop = new IntervalLoop(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error("the database is away");
        return calls;
      },
      { ...options, intervalMs: 1000 },
    );
    await expect(loop.run()).resolves.toBeUndefined();
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: "test pass failed; retrying next tick",
        err: expect.objectContaining({ message: "the database is away" }),
      }),
    ]);
    loop.start();
    await settle();
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(3);
    await loop.stop();
  });
});
