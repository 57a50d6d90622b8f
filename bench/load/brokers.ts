/**
 * The two reference brokers the hub is measured against in the same run:
 * Debian's Mosquitto (its own config, its own port) and a bare Aedes (the
 * hub's Aedes version with nothing added), each in a child process with a
 * high file-descriptor limit.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { REPO_ROOT } from "./hub-process.ts";
import { withFdLimit } from "./proc-stats.ts";
import { sleep } from "./stats.ts";
import type { BenchTls } from "./tls-files.ts";

export const MOSQUITTO_MISSING =
  "Mosquitto is not installed, so its column is skipped. On Debian or Ubuntu: sudo apt-get install mosquitto " +
  "(the bench starts its own instance on its own port; the system service need not run).";

export interface BrokerProcess {
  name: string;
  port: number;
  pid: number;
  /** Set when the broker exited without being stopped. */
  crashReport(): string | null;
  stop(): Promise<void>;
}

/** Children the bench stopped itself: their exit is no crash. */
const stopped = new WeakSet<ChildProcess>();

function crashReporter(child: ChildProcess, logFile: string): () => string | null {
  return () =>
    stopped.has(child) || (child.exitCode === null && child.signalCode === null)
      ? null
      : `exited with ${child.exitCode ?? child.signalCode} (${logFile})`;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited during start`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    stopped.add(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
}

/** The mosquitto binary, or null when it is not installed. */
export function findMosquitto(): string | null {
  for (const candidate of ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync("sh", ["-c", "command -v mosquitto"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Mosquitto with what a device fleet needs and nothing more: anonymous
 * (the bare brokers check no credentials), no persistence, unlimited
 * connections, Nagle off like the hub's broker. As root it would drop to the
 * `mosquitto` user, which could not write our log; it stays root here.
 * With `--tls` its one listener serves TLS only (no client certificates asked for, as the hub's).
 */
export function mosquittoConfig(port: number, logFile: string, asRoot: boolean, tls: BenchTls | null = null): string {
  return [
    `listener ${port} 127.0.0.1`,
    ...(tls ? [`cafile ${tls.caFile}`, `certfile ${tls.certFile}`, `keyfile ${tls.keyFile}`] : []),
    "allow_anonymous true",
    "max_connections -1",
    "persistence false",
    "set_tcp_nodelay true",
    `log_dest file ${logFile}`,
    "log_type error",
    "log_type warning",
    "connection_messages false",
    ...(asRoot ? ["user root"] : []),
    "",
  ].join("\n");
}

export async function startMosquitto(
  binary: string,
  port: number,
  dir: string,
  tls: BenchTls | null = null,
): Promise<BrokerProcess> {
  const configFile = path.join(dir, "mosquitto.conf");
  const logFile = path.join(dir, "mosquitto.log");
  fs.writeFileSync(configFile, mosquittoConfig(port, logFile, process.getuid?.() === 0, tls));
  const { command, args } = withFdLimit(binary, ["-c", configFile]);
  const out = fs.openSync(logFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", out, out] });
  fs.closeSync(out);
  await waitForPort(port, child, 10_000, "mosquitto");
  return {
    name: "Mosquitto",
    port,
    pid: child.pid ?? 0,
    crashReport: crashReporter(child, logFile),
    stop: stopper(child),
  };
}

export async function startBareAedes(port: number, dir: string, tls: BenchTls | null = null): Promise<BrokerProcess> {
  const logFile = path.join(dir, "bare-aedes.log");
  const out = fs.openSync(logFile, "a");
  const { command, args } = withFdLimit(process.execPath, [
    "--import",
    "tsx",
    path.join(REPO_ROOT, "bench/load/bare-aedes-main.ts"),
    String(port),
    ...(tls ? [tls.certFile, tls.keyFile] : []),
  ]);
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  await waitForPort(port, child, 30_000, "bare Aedes");
  return {
    name: "bare Aedes",
    port,
    pid: child.pid ?? 0,
    crashReport: crashReporter(child, logFile),
    stop: stopper(child),
  };
}
