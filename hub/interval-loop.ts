/**
 * A periodic pass, as the watchers, the pipeline's retry and the write probe
 * run one: a pass at `start()` (what fell due while no hub ran it is handled at
 * once), then one every `intervalMs`, never two at once. A pass that throws is
 * logged and the next tick tries again: nothing is thrown out of the timer. The
 * timer never keeps the process alive (unref), and `stop()` ends it.
 *
 * What the work is due is read from the tables by the pass itself, so a tick
 * that finds a pass still running (a slow device, a burst) is simply not a new
 * pass: by default it joins the one under way. With `whileRunning: "again"`,
 * being asked during a pass runs one more pass after it instead, for a loop
 * that is also woken by changes (a change during a pass is not missed).
 */
import type { Logger } from "./log.ts";

export interface IntervalLoopOptions {
  intervalMs: number;
  logger: Logger;
  /** The log line of a pass that threw. */
  failure: string;
  /** Asked for while a pass runs: `join` (the default) answers with that pass; `again` runs one more after it. */
  whileRunning?: "join" | "again";
}

/**
 * `pass` gets `proceed`, false once `stop()` was called: a pass that works in
 * chunks asks it between them and ends early, leaving the rest to the next start.
 */
export type LoopPass<T> = (proceed: () => boolean) => Promise<T>;

export class IntervalLoop<T = void> {
  private readonly pass: LoopPass<T>;
  private readonly options: IntervalLoopOptions;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private current: Promise<T | undefined> | null = null;
  /** Asked for while a pass ran (`whileRunning: "again"`). */
  private again = false;

  constructor(pass: LoopPass<T>, options: IntervalLoopOptions) {
    this.pass = pass;
    this.options = options;
  }

  /** Between `start()` and `stop()`. */
  get running(): boolean {
    return this.timer !== null;
  }

  /** A pass now, then one every `intervalMs`; a second `start()` changes nothing. */
  start(): void {
    if (this.timer) return;
    this.stopped = false;
    void this.run();
    this.timer = setInterval(() => void this.run(), this.options.intervalMs);
    this.timer.unref();
  }

  /** No more ticks; a pass under way is told to end (`proceed`), and the promise resolves once it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.again = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.current;
  }

  /**
   * A pass now, or the one under way (see `whileRunning`). Resolves with what the pass returned, or
   * undefined when it threw (logged); never rejects.
   */
  run(): Promise<T | undefined> {
    if (this.current !== null) {
      if (this.options.whileRunning === "again" && !this.stopped) this.again = true;
      return this.current;
    }
    this.current = this.guarded().finally(() => {
      this.current = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.run();
      }
    });
    return this.current;
  }

  private async guarded(): Promise<T | undefined> {
    try {
      return await this.pass(() => !this.stopped);
    } catch (error) {
      this.options.logger.error({ err: error }, this.options.failure);
      return undefined;
    }
  }
}
