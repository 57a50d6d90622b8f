/**
 * The Anxin hub as a user runs it: `tsx hub/main.ts` (what `npm start` runs)
 * in a child process, configured only through its environment, its log (JSON
 * lines at info, as when piped to a file) written to a file. `tsx` runs the
 * hub in a child node process of its own; that one is measured and signalled.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deepestProcess, fdSoftLimit, withFdLimit } from "./proc-stats.ts";
import { epochMs, sleep } from "./stats.ts";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TSX_CLI = path.join(REPO_ROOT, "node_modules/tsx/dist/cli.mjs");

export const BENCH_ADMIN_PASSWORD = "load-bench-admin-password";

export interface HubProcessOptions {
  dataDir: string;
  httpPort: number;
  mqttPort: number;
  logFile: string;
  /** Extra or overriding environment (scenario settings, --hub-env). */
  env: Record<string, string>;
  /** Write a V8 CPU profile of the hub here when it stops (--hub-cpu-prof). */
  cpuProfDir?: string;
}

/** Resolves once a TCP connection to host:port succeeds. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function healthAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: "127.0.0.1", port, path: "/health", timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 || response.statusCode === 503);
    });
    request.on("error", () => resolve(false));
    request.on("timeout", () => request.destroy());
  });
}

export class HubProcess {
  readonly options: HubProcessOptions;
  private child: ChildProcess | null = null;
  private hubPid = 0;
  private exited: Promise<number | null> = Promise.resolve(null);
  /** Epoch ms of the last start: the spawn, and the first moment its MQTT port accepted a connection. */
  spawnedAt = Number.NaN;
  mqttUpAt = Number.NaN;

  constructor(options: HubProcessOptions) {
    this.options = options;
  }

  /** The node process running the hub (not the tsx wrapper). */
  get pid(): number {
    return this.hubPid;
  }

  get fdLimit(): number {
    return fdSoftLimit(this.hubPid);
  }

  environment(): Record<string, string> {
    const { dataDir, httpPort, mqttPort, env } = this.options;
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      ANXIN_DATA_DIR: dataDir,
      ANXIN_HTTP_PORT: String(httpPort),
      ANXIN_HTTP_HOST: "127.0.0.1",
      ANXIN_MQTT_PORT: String(mqttPort),
      ANXIN_MQTT_HOST: "127.0.0.1",
      ANXIN_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
      ANXIN_SEED_DEMO: "false",
      ANXIN_LOG_LEVEL: "info",
      ANXIN_LOG_FORMAT: "json",
      ...env,
    };
  }

  /** Starts the hub and resolves once MQTT and HTTP both answer; rejects if it exits or takes over `timeoutMs`. */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.child) throw new Error("hub already started");
    const logStart = fs.existsSync(this.options.logFile) ? fs.statSync(this.options.logFile).size : 0;
    const log = fs.openSync(this.options.logFile, "a");
    // `tsx hub/main.ts` runs the hub in a child node it gives no flags to; profiling needs node itself.
    const profile = this.options.cpuProfDir;
    const { command, args } = withFdLimit(
      process.execPath,
      profile
        ? ["--cpu-prof", `--cpu-prof-dir=${profile}`, "--import", "tsx", "hub/main.ts"]
        : [TSX_CLI, "hub/main.ts"],
    );
    this.spawnedAt = epochMs();
    this.mqttUpAt = Number.NaN;
    const child = spawn(command, args, { cwd: REPO_ROOT, env: this.environment(), stdio: ["ignore", log, log] });
    fs.closeSync(log);
    this.child = child;
    let exitCode: number | null | undefined;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        exitCode = code ?? (signal ? -1 : null);
        resolve(exitCode);
      });
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exitCode !== undefined) {
        this.child = null;
        throw new Error(`the hub exited during start (code ${exitCode}); see ${this.options.logFile}`);
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`the hub did not start within ${timeoutMs / 1000} s; see ${this.options.logFile}`);
      }
      if (Number.isNaN(this.mqttUpAt) && (await canConnect("127.0.0.1", this.options.mqttPort)))
        this.mqttUpAt = epochMs();
      // A hub swamped by a reconnecting fleet may answer HTTP slowly: its own "started" line counts too.
      if (!Number.isNaN(this.mqttUpAt) && (this.saidStarted(logStart) || (await healthAnswers(this.options.httpPort))))
        break;
      await sleep(100);
    }
    this.hubPid = deepestProcess(child.pid ?? 0, "hub/main.ts");
  }

  private saidStarted(from: number): boolean {
    const fd = fs.openSync(this.options.logFile, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.max(0, size - from));
      fs.readSync(fd, buffer, 0, buffer.length, from);
      return buffer.includes('"msg":"Anxin hub started"');
    } finally {
      fs.closeSync(fd);
    }
  }

  /** True while the child has not exited. */
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** When the hub exited without being asked to: its exit code and the last lines of its log (a crash). */
  crashReport(): string | null {
    if (!this.child || this.running) return null;
    const code = this.child.exitCode ?? this.child.signalCode;
    const tail = fs.readFileSync(this.options.logFile, "utf8").split("\n").slice(-40);
    const error = tail.find((line) => /Error|error:/.test(line) && !line.startsWith("{")) ?? "";
    return `exited with ${code}${error ? `: ${error.trim()}` : ""} (${this.options.logFile})`;
  }

  /** SIGTERM, as systemd or Ctrl+C would: the hub stops cleanly. Resolves with the exit code. */
  async terminate(timeoutMs = 60_000): Promise<number | null> {
    if (!this.child) return null;
    if (!this.running) {
      this.child = null;
      return this.exited;
    }
    try {
      process.kill(this.hubPid || (this.child.pid ?? 0), "SIGTERM");
    } catch {
      // exited just now
    }
    const code = await Promise.race([this.exited, sleep(timeoutMs).then(() => undefined)]);
    if (code === undefined) {
      await this.kill();
      return null;
    }
    this.child = null;
    return code;
  }

  /** SIGKILL of the hub and its tsx wrapper: a crash or a power cut. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    for (const pid of [this.hubPid, child.pid ?? 0]) {
      try {
        if (pid > 0) process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await this.exited;
    this.child = null;
  }
}
