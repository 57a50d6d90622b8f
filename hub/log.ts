import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";

/** `auto`: readable lines for a person at a terminal, JSON lines for a pipe, a file, a service manager or CI. */
export type LogFormat = "auto" | "json" | "pretty";

/** Whether `auto` means pretty here: stdout is a terminal and no CI variable says a machine is reading. */
export function prettyLogsFor(
  format: LogFormat,
  stdout: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (format !== "auto") return format === "pretty";
  return stdout.isTTY === true && !env.CI;
}

/**
 * The hub logs JSON lines (pino), or, for a person at a terminal, the same
 * records through pino-pretty. A caller may pass its own destination, which is
 * how tests read the log lines the hub promises for refused input.
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = "json"): Logger {
  const options = { level, base: { service: "anxin-hub" } };
  if (destination) return pino(options, destination);
  if (prettyLogsFor(format)) {
    // In-process and synchronous, so nothing logged just before an exit is lost.
    return pino(
      options,
      pretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service", sync: true }),
    );
  }
  return pino(options);
}

export type { Logger };
