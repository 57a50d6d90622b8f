/**
 * A hub in a process of its own (`node --import tsx hub/main.ts`), as a node of
 * a cluster is run: for tests that kill one with SIGKILL, which an in-process
 * hub cannot be. It starts on ephemeral loopback ports, in a data dir of its
 * own, and resolves once it logged that it started, with the URLs it logged.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_ADMIN_PASSWORD } from "./test-hub.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface HubProcess {
  httpUrl: string;
  mqttUrl: string;
  /** Its data dir (the first hub on an empty database writes demo-devices.json here); removed when killed. */
  dataDir: string;
  /** Every line it printed so far (JSON log lines, mostly). */
  output: string[];
  /** Sends the signal and waits until the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Sends a signal that should not end it (SIGHUP: reload); `running` says whether it did. */
  signal(signal: NodeJS.Signals): void;
  readonly running: boolean;
}

export interface StartOptions {
  /** Sends `signal` once, as soon as the hub prints a line containing `when` (e.g. while it is starting). */
  signalWhen?: { when: string; signal: NodeJS.Signals };
}

export async function startHubProcess(
  env: Record<string, string>,
  timeoutMs = 30_000,
  options: StartOptions = {},
): Promise<HubProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-node-"));
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ANXIN_DATA_DIR: dataDir,
    ANXIN_HTTP_PORT: "0",
    ANXIN_HTTP_HOST: "127.0.0.1",
    ANXIN_MQTT_PORT: "0",
    ANXIN_MQTT_HOST: "127.0.0.1",
    ANXIN_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    ANXIN_LOG_FORMAT: "json",
    ANXIN_TEST_ALARM_INTERVAL_H: "0",
    ...env,
  };
  // ANXIN_HUB_NODE_ARGS: node options for the hubs (`--cpu-prof --cpu-prof-dir=DIR` to profile a cluster
  // node: Node refuses --cpu-prof in NODE_OPTIONS). The profile is written when the hub exits by itself.
  const nodeArgs = (process.env.ANXIN_HUB_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "hub/main.ts"], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const started = new Promise<{ http: string; mqtt: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the hub did not start:\n${output.join("\n")}`)), timeoutMs);
    let partial = "";
    let signalled = false;
    const read = (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        const { signalWhen } = options;
        if (signalWhen && !signalled && line.includes(signalWhen.when)) {
          signalled = true;
          child.kill(signalWhen.signal);
        }
        const started = parseStarted(line);
        if (started) {
          clearTimeout(timer);
          resolve(started);
        }
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the hub exited before it started:\n${output.join("\n")}`));
    });
  });
  try {
    const { http, mqtt } = await started;
    return {
      httpUrl: http,
      mqttUrl: mqtt,
      dataDir,
      output,
      async kill(signal) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
      signal(signal) {
        child.kill(signal);
      },
      get running() {
        return child.exitCode === null && child.signalCode === null;
      },
    };
  } catch (error) {
    await killed(child, exited);
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

function parseStarted(line: string): { http: string; mqtt: string } | null {
  if (!line.includes("Anxin hub started")) return null;
  try {
    const parsed = JSON.parse(line) as { http?: unknown; mqtt?: unknown };
    return typeof parsed.http === "string" && typeof parsed.mqtt === "string"
      ? { http: parsed.http, mqtt: parsed.mqtt }
      : null;
  } catch {
    return null;
  }
}

async function killed(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await exited;
}
