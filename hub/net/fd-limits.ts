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
 * hard limit (systemd `LimitNOFILE=`, see deploy/anxin.service; `ulimit -Hn`
 * as root). This module reads what the process got and says it at start.
 */
import fs from "node:fs";

export interface FdLimits {
  soft: number;
  hard: number;
}

/** Descriptors for what is not a connection: SQLite and its WAL, the log, outgoing Twilio requests. */
export const FD_OTHER = 128;

/** How many MQTT and HTTP connections the hub takes at once. */
export interface ConnectionCaps {
  mqtt: number;
  http: number;
}

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
 * How the descriptors are shared. HTTP (consoles, workers' phones, webhooks)
 * gets its configured cap, at most a quarter of the limit; FD_OTHER stay for
 * files and outgoing requests; the broker gets the rest, up to its configured
 * cap. Both servers close a connection past their cap at once, so neither can
 * take the other's descriptors: before HTTP had a cap, a console that leaked
 * connections used up every descriptor, and buttons reconnecting after a
 * restart were accepted and reset by libuv, silently, for as long as it lasted
 * (issue 12). A small limit keeps at least half of it away from the broker: a
 * hub whose HTTP side cannot accept is worse off than one that takes fewer buttons.
 */
export function connectionCaps(configured: ConnectionCaps, limits: FdLimits | null): ConnectionCaps {
  if (!limits || !Number.isFinite(limits.soft)) return configured;
  const http = Math.max(1, Math.min(configured.http, Math.floor(limits.soft / 4)));
  const reserve = Math.min(http + FD_OTHER, Math.floor(limits.soft / 2));
  return { mqtt: Math.max(1, Math.min(configured.mqtt, limits.soft - reserve)), http };
}
