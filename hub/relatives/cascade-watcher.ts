/**
 * Drives the relatives' cascade from the table, not from memory: every
 * `intervalMs` it moves on cascades whose step deadline has passed, settles
 * contacts whose SMS or call ended (a permanent refusal from the provider
 * included), and stops cascades of alarms closed by any path. It scans once at
 * start, so a wave that fell due while the hub was down goes out as soon as the
 * hub is back.
 */
import type { Logger } from "pino";
import type { RelativeCascadeService } from "./cascade-service.ts";

export class CascadeWatcher {
  private readonly service: Pick<RelativeCascadeService, "scan">;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private scanning: Promise<void> | null = null;

  constructor(
    deps: { service: Pick<RelativeCascadeService, "scan">; logger: Logger },
    options: { intervalMs: number },
  ) {
    this.service = deps.service;
    this.logger = deps.logger;
    this.intervalMs = options.intervalMs;
  }

  start(): void {
    this.stopped = false;
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.intervalMs);
    this.timer.unref();
  }

  /** A pass under way ends at its next chunk; the rest is found at the next start. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass, in chunks (the service's `scan`); a pass still running is not overlapped. */
  scan(): Promise<void> {
    if (!this.scanning) {
      this.scanning = this.pass().finally(() => {
        this.scanning = null;
      });
    }
    return this.scanning;
  }

  private async pass(): Promise<void> {
    try {
      const pass = await this.service.scan(() => !this.stopped);
      if (pass.advanced + pass.settled + pass.stopped > 0) this.logger.info(pass, "relatives' cascade moved on");
    } catch (error) {
      this.logger.error({ err: error }, "relatives' cascade pass failed; retrying next tick");
    }
  }
}
