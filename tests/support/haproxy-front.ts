/**
 * HAProxy in front of test hubs, with the project's own configuration
 * (deploy/haproxy.cfg, addresses from the environment): Debian's `haproxy` in
 * the foreground (`-db`), on free loopback ports, stopped afterwards.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { accepts, freePort } from "./ports.ts";

const config = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../deploy/haproxy.cfg");

export interface HubAddress {
  mqttPort: number;
  httpPort: number;
}

export interface HaproxyFront {
  mqttUrl: string;
  httpUrl: string;
  output: string[];
  stop(): Promise<void>;
}

/**
 * HAProxy in front of one to three hubs; the configuration's other server lines point at a port nothing
 * listens on, so HAProxy marks them down at its first checks and sends them nothing.
 */
export async function startHaproxy(hubs: readonly HubAddress[]): Promise<HaproxyFront> {
  if (hubs.length < 1 || hubs.length > 3) throw new Error("deploy/haproxy.cfg has three servers");
  const [mqttPort, httpPort, nowhere] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANXIN_LB_MQTT: `127.0.0.1:${mqttPort}`,
    ANXIN_LB_HTTP: `127.0.0.1:${httpPort}`,
    // Two descriptors a connection: within a test machine's limit, and far more than a test needs.
    ANXIN_LB_MAXCONN: "4000",
  };
  for (let index = 0; index < 3; index += 1) {
    const hub = hubs[index] ?? { mqttPort: nowhere, httpPort: nowhere };
    env[`ANXIN_HUB${index + 1}`] = "127.0.0.1";
    env[`ANXIN_HUB${index + 1}_MQTT`] = String(hub.mqttPort);
    env[`ANXIN_HUB${index + 1}_HTTP`] = String(hub.httpPort);
  }
  const child = spawn("haproxy", ["-db", "-f", config], { env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const read = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout?.on("data", read);
  child.stderr?.on("data", read);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(mqttPort)) || !(await accepts(httpPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopped(child, exited);
      throw new Error(`haproxy did not start (is Debian's haproxy installed?):\n${output.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    output,
    stop: () => stopped(child, exited),
  };
}

async function stopped(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await exited;
}
