/**
 * File descriptors: every MQTT connection holds one, and so does every HTTP
 * connection, the database and its WAL, and each outgoing request. When the
 * process runs out, `accept()` fails for HTTP too, and `/health` and the
 * console's login stop answering. The broker's connection cap therefore stays
 * below the process's limit with a reserve kept for everything else.
 *
 * "Raise where allowed": Node.js itself raises the soft RLIMIT_NOFILE to the
 * hard limit when it starts (src/node.cc, PlatformInit), and it offers no
 * setrlimit, so by the time this runs the soft limit is already as high as an
 * unprivileged process can make it. Only whoever starts the hub can raise the
 * hard limit (systemd `LimitNOFILE=`, see deploy/anxin-hub.service; `ulimit -Hn`
 * as root). This module reads what the process got and says it at start.
 */
import fs from "node:fs";

export interface FdLimits {
  soft: number;
  hard: number;
}

/** Descriptors kept out of the broker's reach: consoles, workers' phones, SQLite, Twilio, logs. */
export const FD_RESERVE = 256;

/** The "Max open files" line of /proc/self/limits; null where there is no /proc (macOS, Windows). */
export function readFdLimits(file = "/proc/self/limits"): FdLimits | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
  return parseFdLimits(text);
}

export function parseFdLimits(text: string): FdLimits | null {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!match) return null;
  const value = (field: string | undefined) => (field === "unlimited" ? Number.POSITIVE_INFINITY : Number(field));
  const soft = value(match[1]);
  const hard = value(match[2]);
  return Number.isNaN(soft) || Number.isNaN(hard) ? null : { soft, hard };
}

/**
 * The broker's cap: the configured one, lowered so that the reserve stays free.
 * A small limit keeps at least half of it for the rest of the hub: a hub whose
 * HTTP side cannot accept is worse off than one that takes fewer buttons.
 */
export function effectiveConnectionCap(configured: number, limits: FdLimits | null): number {
  if (!limits || !Number.isFinite(limits.soft)) return configured;
  const reserve = Math.min(FD_RESERVE, Math.floor(limits.soft / 2));
  return Math.max(1, Math.min(configured, limits.soft - reserve));
}
