/**
 * Drives the relatives' cascade from the table, not from memory: every
 * `intervalMs` it moves on cascades whose step deadline has passed, settles
 * contacts whose SMS or call ended (a permanent refusal from the provider
 * included), and stops cascades of alarms closed by any path. It scans once at
 * start, so a wave that fell due while the hub was down goes out as soon as the
 * hub is back.
 */
import type { Logger } from "pino";
import { IntervalLoop } from "../interval-loop.ts";
import type { RelativeCascadeService } from "./cascade-service.ts";

export class CascadeWatcher {
  private readonly service: Pick<RelativeCascadeService, "scan">;
  private readonly logger: Logger;
  private readonly loop: IntervalLoop;

  constructor(
    deps: { service: Pick<RelativeCascadeService, "scan">; logger: Logger },
    options: { intervalMs: number },
  ) {
    this.service = deps.service;
    this.logger = deps.logger;
    this.loop = new IntervalLoop((proceed) => this.pass(proceed), {
      intervalMs: options.intervalMs,
      logger: deps.logger,
      failure: "relatives' cascade pass failed; retrying next tick",
    });
  }

  start(): void {
    this.loop.start();
  }

  /** A pass under way ends at its next chunk; the rest is found at the next start. */
  stop(): void {
    void this.loop.stop();
  }

  /** One pass, in chunks (the service's `scan`); a pass still running is not overlapped. */
  async scan(): Promise<void> {
    await this.loop.run();
  }

  private async pass(proceed: () => boolean): Promise<void> {
    const pass = await this.service.scan(proceed);
    if (pass.advanced + pass.settled + pass.stopped > 0) this.logger.info(pass, "relatives' cascade moved on");
  }
}
