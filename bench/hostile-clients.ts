/**
 * The hostile cases of issue 11, measured against a real hub started as
 * `npm start` does (a child process, so its RSS is its own), under
 * `prlimit --nofile=<n>` as on a machine with a common `ulimit -n`. Each case
 * gets a fresh hub with the default settings. Not part of `npm test`.
 *
 *   npx tsx bench/hostile-clients.ts [--root DIR] [--nofile 1024] [--only NAME]
 *
 * `--root` runs another checkout's hub (e.g. the commit before the fix), so the
 * same figures can be taken before and after.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { SimulatedButton } from "../firmware-sim/device.ts";
import {
  mqttLoginResult,
  openIdleSockets,
  type SocketCrowd,
  streamHugePacket,
} from "../tests/support/hostile-clients.ts";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: path.resolve(import.meta.dirname, "..") },
    nofile: { type: "string", default: "1024" },
    only: { type: "string" },
  },
});
const ROOT = path.resolve(values.root);
const NOFILE = Number(values.nofile);
const PASSWORD = "bench-admin-password";

interface BenchHub {
  child: ChildProcess;
  httpUrl: string;
  mqttPort: number;
  mqttUrl: string;
  dataDir: string;
  devices: { deviceId: string; secret: string }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startHub(): Promise<BenchHub> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-hostile-"));
  const child = spawn("prlimit", [`--nofile=${NOFILE}:${NOFILE}`, process.execPath, "--import", "tsx", "hub/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      ANXIN_DATA_DIR: dataDir,
      ANXIN_HTTP_PORT: "0",
      ANXIN_MQTT_PORT: "0",
      ANXIN_HTTP_HOST: "127.0.0.1",
      ANXIN_MQTT_HOST: "127.0.0.1",
      ANXIN_LOG_FORMAT: "json",
      ANXIN_LOG_LEVEL: "info",
      ANXIN_ADMIN_PASSWORD: PASSWORD,
      ANXIN_TEST_ALARM_INTERVAL_H: "0",
    },
    stdio: ["ignore", "pipe", "ignore"],
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const startedLine = () => out.split("\n").find((line) => line.includes('"msg":"Anxin hub started"'));
  for (let waited = 0; !startedLine(); waited += 100) {
    if (waited > 60_000) throw new Error(`hub did not start:\n${out}`);
    await sleep(100);
  }
  const started = JSON.parse(startedLine() ?? "{}") as { http: string; mqtt: string };
  const mqttPort = Number(new URL(started.mqtt).port);
  const devices = (
    JSON.parse(fs.readFileSync(path.join(dataDir, "demo-devices.json"), "utf8")) as {
      devices: { deviceId: string; secret: string }[];
    }
  ).devices;
  // The log grows with every line the hub writes; only the start was needed.
  child.stdout?.removeAllListeners("data");
  child.stdout?.resume();
  return { child, httpUrl: started.http, mqttPort, mqttUrl: started.mqtt, dataDir, devices };
}

async function stopHub(hub: BenchHub): Promise<void> {
  const closed = new Promise<void>((resolve) => hub.child.once("close", () => resolve()));
  if (hub.child.pid) process.kill(-hub.child.pid, "SIGKILL");
  await closed;
  fs.rmSync(hub.dataDir, { recursive: true, force: true });
}

function rssMB(hub: BenchHub): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${hub.child.pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T | string }> {
  const t0 = performance.now();
  try {
    const result = await run();
    return { ms: Math.round(performance.now() - t0), result };
  } catch (error) {
    return { ms: Math.round(performance.now() - t0), result: `failed (${(error as Error).name})` };
  }
}

const httpStatus = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(30_000) }).then((r) => r.status);
const login = (hub: BenchHub) =>
  httpStatus(`${hub.httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
async function buttonGetsIn(hub: BenchHub, index: number): Promise<string> {
  const credential = hub.devices[index];
  if (!credential) throw new Error("no device");
  const button = new SimulatedButton({ mqttUrl: hub.mqttUrl, ...credential });
  try {
    await button.start({ timeoutMs: 60_000 });
    return "connected";
  } finally {
    await button.stop();
  }
}

const cases: Record<string, (hub: BenchHub) => Promise<void>> = {
  "huge CONNECT": async (hub) => {
    const before = rssMB(hub);
    const runs = await Promise.all(
      [0, 1, 2, 3].map(() =>
        streamHugePacket(hub.mqttPort, {
          declaredBytes: 268_435_455,
          chunkBytes: 256 * 1024,
          maxSendBytes: 256 * 1024 * 1024,
        }),
      ),
    );
    const after = rssMB(hub);
    const sent = runs.map((r) => `${Math.round(r.sent / 1024 / 1024)} MB${r.closedByHub ? " (closed by hub)" : ""}`);
    console.log(`  4 × CONNECT declaring 268 MB, streamed: ${sent.join(", ")}`);
    console.log(`  hub RSS ${before.rss} MB before, ${after.rss} MB after, peak ${after.peak} MB`);
  },
  "100 MB retained publish after login": async (hub) => {
    const credential = hub.devices[0];
    if (!credential) return;
    const before = rssMB(hub);
    const client = await mqtt.connectAsync(hub.mqttUrl, {
      clientId: `${credential.deviceId}:big`,
      username: credential.deviceId,
      password: credential.secret,
      reconnectPeriod: 0,
    });
    const outcome = await new Promise<string>((resolve) => {
      client.once("close", () => resolve("connection closed by hub"));
      client.publish(
        `anxin/v1/devices/${credential.deviceId}/status`,
        Buffer.alloc(100 * 1024 * 1024, 0x20),
        {
          qos: 1,
          retain: true,
        },
        (error) => resolve(error ? `refused (${error.message})` : "accepted (PUBACK)"),
      );
    });
    client.end(true);
    const watcher = await mqtt.connectAsync(hub.mqttUrl, {
      clientId: "admin:watch",
      username: "admin",
      password: PASSWORD,
      reconnectPeriod: 0,
    });
    let retainedBytes = 0;
    watcher.on("message", (_topic, payload, packet) => {
      if (packet.retain) retainedBytes += payload.length;
    });
    await watcher.subscribeAsync(`anxin/v1/devices/${credential.deviceId}/status`, { qos: 1 });
    await sleep(2000);
    await watcher.endAsync(true);
    const after = rssMB(hub);
    console.log(
      `  publish: ${outcome}; retained and sent to a later subscriber: ${Math.round(retainedBytes / 1024)} KB`,
    );
    console.log(`  hub RSS ${before.rss} MB before, ${after.rss} MB after, peak ${after.peak} MB`);
  },
  "1,200 idle sockets from one address": async (hub) => idleSockets(hub, 1),
  "1,200 idle sockets from 20 addresses": async (hub) => idleSockets(hub, 20),
  "password guessing over MQTT (10 s, one address)": async (hub) => {
    const results = new Map<string, number>();
    const t0 = performance.now();
    let attempts = 0;
    while (performance.now() - t0 < 10_000) {
      const result = await mqttLoginResult(hub.mqttPort, "127.0.0.51", {
        clientId: "admin:guess",
        username: "admin",
        password: `guess-${attempts}`,
      });
      attempts += 1;
      results.set(String(result), (results.get(String(result)) ?? 0) + 1);
    }
    const checked = results.get("4") ?? 0;
    console.log(
      `  ${attempts} attempts in 10 s (${(attempts / 10).toFixed(1)}/s); passwords actually checked: ${checked} ` +
        `(${(checked / 10).toFixed(1)}/s); answers ${JSON.stringify(Object.fromEntries(results))}`,
    );
    const rightFromElsewhere = await mqttLoginResult(hub.mqttPort, "127.0.0.52", {
      clientId: "admin:ok",
      username: "admin",
      password: PASSWORD,
    });
    console.log(`  the right password from another address right after: ${rightFromElsewhere}`);
  },
};

async function idleSockets(hub: BenchHub, addresses: number): Promise<void> {
  const crowds: SocketCrowd[] = [];
  for (let a = 0; a < addresses; a += 1) {
    crowds.push(openIdleSockets(hub.mqttPort, 1200 / addresses, `127.0.1.${a + 1}`));
  }
  await sleep(3000);
  const closed = crowds.reduce((n, c) => n + c.closed(), 0);
  const fds = fs.readdirSync(`/proc/${hub.child.pid}/fd`).length;
  const health = await timed(() => httpStatus(`${hub.httpUrl}/health`));
  const console_ = await timed(() => login(hub));
  const button = await timed(() => buttonGetsIn(hub, 1));
  console.log(`  after 3 s: ${closed} of 1200 closed by the hub, hub holds ${fds} of ${NOFILE} descriptors`);
  console.log(`  /health: ${health.result} in ${health.ms} ms; console login: ${console_.result} in ${console_.ms} ms`);
  console.log(`  a real button: ${button.result} in ${button.ms} ms`);
  for (const crowd of crowds) crowd.destroy();
}

console.log(`hub from ${ROOT}, RLIMIT_NOFILE ${NOFILE}, default settings`);
for (const [name, run] of Object.entries(cases)) {
  if (values.only && !name.includes(values.only)) continue;
  console.log(`\n${name}`);
  const hub = await startHub();
  try {
    await run(hub);
  } finally {
    await stopHub(hub);
  }
}
