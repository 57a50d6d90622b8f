/**
 * Drives the cascade's deadlines from the table, not from memory: every
 * `intervalMs` (one second) it times out open offers whose `expires_at` has
 * passed, and restarts OSRM refinements left `pending`. It scans once at
 * start, so an offer that expired while the hub was down is passed on to the
 * next worker as soon as the hub is back.
 */

import type { Logger } from "pino";
import { IntervalLoop } from "../interval-loop.ts";
import type { DispatchService } from "./dispatch-service.ts";

export class OfferWatcher {
  private readonly service: DispatchService;
  private readonly logger: Logger;
  private readonly loop: IntervalLoop;

  constructor(deps: { service: DispatchService; logger: Logger }, options: { intervalMs: number }) {
    this.service = deps.service;
    this.logger = deps.logger;
    this.loop = new IntervalLoop(() => this.pass(), {
      intervalMs: options.intervalMs,
      logger: deps.logger,
      failure: "offer watcher pass failed; retrying next tick",
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Stops the ticks and waits for a pass under way. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass; a pass still running (slow device feedback) is not overlapped. */
  async scan(): Promise<void> {
    await this.loop.run();
  }

  private async pass(): Promise<void> {
    const expired = await this.service.timeOutExpiredOffers();
    if (expired > 0) this.logger.info({ expired }, "offers timed out; next workers asked");
    await this.service.resumePendingRefinements();
  }
}
