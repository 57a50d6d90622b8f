import { type DestinationStream, type Logger, pino } from "pino";

/**
 * The hub logs JSON lines (pino). A caller may pass its own destination, which is
 * how tests read the log lines the hub promises for refused input.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: "anxin-hub" } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
