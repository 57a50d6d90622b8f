/**
 * Log lines for refusals that an attacker can cause by the thousand (sockets
 * over a cap, oversized packets, throttled logins). Per code, the first refusal
 * of a window is logged at once with its details; the others are counted and
 * reported in one summary line when the window ends. So a flood costs at most
 * two lines per code per window, and an operator still sees it begin.
 */
import type { Logger } from "pino";
import type { ErrorCode } from "../errors.ts";

export const REFUSAL_LOG_WINDOW_MS = 10_000;

export class RefusalLog {
  private readonly logger: Logger;
  private readonly suppressed = new Map<ErrorCode, { count: number; addresses: Set<string> }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(deps: { logger: Logger }) {
    this.logger = deps.logger;
  }

  start(): void {
    this.timer ??= setInterval(() => this.flush(), REFUSAL_LOG_WINDOW_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }

  refused(code: ErrorCode, address: string, details: Record<string, unknown>, message: string): void {
    const seen = this.suppressed.get(code);
    if (seen) {
      seen.count += 1;
      if (seen.addresses.size < 100) seen.addresses.add(address);
      return;
    }
    this.suppressed.set(code, { count: 0, addresses: new Set() });
    this.logger.warn({ code, address, ...details }, message);
  }

  flush(): void {
    for (const [code, seen] of this.suppressed) {
      if (seen.count > 0) {
        this.logger.warn(
          {
            code,
            more: seen.count,
            addresses: [...seen.addresses].slice(0, 10),
            distinctAddresses: seen.addresses.size,
          },
          `${seen.count} more MQTT refusals like the last (${code}) in ${REFUSAL_LOG_WINDOW_MS / 1000} s`,
        );
      }
    }
    this.suppressed.clear();
  }
}
