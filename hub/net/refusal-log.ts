/**
 * Log lines for refusals that an attacker can cause by the thousand (sockets
 * over a cap, oversized packets, throttled logins, denied publishes and
 * subscriptions). Per code and scope (nothing, or the client's identity), the
 * first refusal of a window is logged at once with its details; the others are
 * counted and reported in one summary line when the window ends. So a flood
 * costs at most two lines per code and scope per window, and an operator still
 * sees it begin. Scopes are bounded too: past 1000 in a window, refusals are
 * only counted.
 */
import type { Logger } from "pino";
import type { ErrorCode } from "../errors.ts";

export const REFUSAL_LOG_WINDOW_MS = 10_000;
const MAX_SCOPES = 1000;

interface Suppressed {
  code: ErrorCode;
  count: number;
  addresses: Set<string>;
}

export class RefusalLog {
  private readonly logger: Logger;
  private readonly suppressed = new Map<string, Suppressed>();
  private unlogged = 0;
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

  /** `scope` separates refusals that deserve their own line (one client's identity); default: one per code. */
  refused(code: ErrorCode, address: string, details: Record<string, unknown>, message: string, scope = ""): void {
    const key = `${code}\u0000${scope}`;
    const seen = this.suppressed.get(key);
    if (seen) {
      seen.count += 1;
      if (seen.addresses.size < 100) seen.addresses.add(address);
      return;
    }
    if (this.suppressed.size >= MAX_SCOPES) {
      this.unlogged += 1;
      return;
    }
    this.suppressed.set(key, { code, count: 0, addresses: new Set() });
    this.logger.warn({ code, address, ...details }, message);
  }

  flush(): void {
    for (const seen of this.suppressed.values()) {
      if (seen.count === 0) continue;
      this.logger.warn(
        {
          code: seen.code,
          more: seen.count,
          addresses: [...seen.addresses].slice(0, 10),
          distinctAddresses: seen.addresses.size,
        },
        `${seen.count} more refusals like the last (${seen.code}) in ${REFUSAL_LOG_WINDOW_MS / 1000} s`,
      );
    }
    if (this.unlogged > 0) {
      this.logger.warn({ more: this.unlogged }, `${this.unlogged} more refusals of other kinds or clients`);
    }
    this.suppressed.clear();
    this.unlogged = 0;
  }
}
