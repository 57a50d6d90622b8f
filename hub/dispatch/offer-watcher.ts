/**
 * Drives the cascade's deadlines from the table, not from memory: every
 * `intervalMs` (one second) it times out open offers whose `expires_at` has
 * passed, and restarts OSRM refinements left `pending`. It scans once at
 * start, so an offer that expired while the hub was down is passed on to the
 * next worker as soon as the hub is back.
 */
import type { Logger } from "pino";
import type { DispatchService } from "./dispatch-service.ts";

export class OfferWatcher {
  private readonly service: DispatchService;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;

  constructor(deps: { service: DispatchService; logger: Logger }, options: { intervalMs: number }) {
    this.service = deps.service;
    this.logger = deps.logger;
    this.intervalMs = options.intervalMs;
  }

  start(): void {
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.scanning;
  }

  /** One pass; a pass still running (slow device feedback) is not overlapped. */
  scan(): Promise<void> {
    if (this.scanning !== null) return this.scanning;
    this.scanning = (async () => {
      try {
        const expired = await this.service.timeOutExpiredOffers();
        if (expired > 0) this.logger.info({ expired }, "offers timed out; next workers asked");
        await this.service.resumePendingRefinements();
      } catch (error) {
        this.logger.error({ err: error }, "offer watcher pass failed; retrying next tick");
      } finally {
        this.scanning = null;
      }
    })();
    return this.scanning;
  }
}
