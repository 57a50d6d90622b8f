/**
 * Drives family updates from the table, not from memory: it scans the queue
 * at start (steps recorded just before a crash or a stop go out once the hub
 * is back), every `intervalMs`, and at once when an alarm changes, so an
 * update leaves within moments of its step.
 */
import type { Logger } from "pino";
import type { EventBus } from "../events.ts";
import { IntervalLoop } from "../interval-loop.ts";
import type { FamilyUpdates } from "./family-updates.ts";

export class FamilyWatcher {
  private readonly updates: Pick<FamilyUpdates, "scan">;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  /** Asked for during a pass, it runs once more after it: a change during a pass is not missed. */
  private readonly loop: IntervalLoop;
  private unsubscribe: (() => void) | null = null;
  private woken = false;

  constructor(
    deps: { updates: Pick<FamilyUpdates, "scan">; bus: EventBus; logger: Logger },
    options: { intervalMs: number },
  ) {
    this.updates = deps.updates;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.loop = new IntervalLoop(() => this.pass(), {
      intervalMs: options.intervalMs,
      logger: deps.logger,
      failure: "family update pass failed; retrying next tick",
      whileRunning: "again",
    });
  }

  start(): void {
    this.loop.start();
    // Its own `family_updated` changes are skipped, so a pass never wakes another for nothing.
    this.unsubscribe = this.bus.on("alarm.changed", ({ change }) => {
      // `received` is a new alarm on the consoles: no step of it is for the family yet.
      if (change !== "family_updated" && change !== "clinic_stood_down" && change !== "received") this.wake();
    });
  }

  /**
   * One pass after the current tick, however many alarms changed in it: a burst
   * of hundreds of changes is one scan of the queue, not hundreds. The flag is
   * cleared before the pass, so a change during or after it wakes another.
   */
  private wake(): void {
    if (this.woken) return;
    this.woken = true;
    setImmediate(() => {
      this.woken = false;
      void this.scan();
    });
  }

  /** Stops waking, and waits for a pass under way. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.loop.stop();
  }

  /** One pass at a time: asked while one runs, it runs once more after it. Never rejects. */
  async scan(): Promise<void> {
    // A wake-up queued just before stop() must not touch a database that is being closed.
    if (!this.loop.running) return;
    await this.loop.run();
  }

  private async pass(): Promise<void> {
    const pass = await this.updates.scan();
    if (pass.done > 0) this.logger.info(pass, "family updates queued");
  }
}
