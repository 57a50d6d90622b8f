/**
 * "1,200 garbage frames left RSS 40 MB higher" (issue 11): which frames, and
 * what keeps the memory. A hub runs in this process so the heap can be measured
 * after a full GC (`node --expose-gc`); each scenario sends 1,200 frames of
 * one kind and reports what stays (heap, external buffers, RSS) once its
 * connections are closed. Not part of `npm test`.
 *
 *   node --expose-gc --import tsx bench/topic-garbage.ts [--frames 1200] [--snapshot]
 *
 * `--snapshot` writes a heap snapshot after each scenario (open in Chrome
 * DevTools, Memory tab, and compare).
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import mqtt from "mqtt";
import { loadConfig } from "../hub/config.ts";
import { Hub } from "../hub/hub.ts";
import { createLogger } from "../hub/log.ts";
import type { DemoDeviceCredential } from "../hub/seed/demo-district.ts";

const { values } = parseArgs({
  options: { frames: { type: "string", default: "1200" }, snapshot: { type: "boolean", default: false } },
});
const FRAMES = Number(values.frames);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc --import tsx bench/topic-garbage.ts");

interface Footprint {
  heapMB: number;
  externalMB: number;
  rssMB: number;
}

async function settle(): Promise<Footprint> {
  for (let i = 0; i < 3; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc?.();
  }
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  return { heapMB: mb(m.heapUsed), externalMB: mb(m.external + m.arrayBuffers), rssMB: mb(m.rss) };
}

function randomTopic(i: number, levels: number): string {
  const parts = ["anxin", "v1", "devices"];
  for (let l = 0; l < levels; l += 1) parts.push(`g${i}x${l}${Math.random().toString(36).slice(2, 10)}`);
  return parts.join("/");
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-garbage-"));
const password = "bench-admin-password";
const config = loadConfig({
  ANXIN_DATA_DIR: dataDir,
  ANXIN_HTTP_PORT: "0",
  ANXIN_MQTT_PORT: "0",
  ANXIN_HTTP_HOST: "127.0.0.1",
  ANXIN_MQTT_HOST: "127.0.0.1",
  ANXIN_ADMIN_PASSWORD: password,
  ANXIN_LOG_LEVEL: "silent",
  ANXIN_TEST_ALARM_INTERVAL_H: "0",
  ANXIN_MQTT_LOGIN_FAILURES: "100000",
});
const hub = new Hub(config, { logger: createLogger("silent") });
await hub.start();
const url = `mqtt://127.0.0.1:${hub.mqttPort}`;
const devices = (JSON.parse(fs.readFileSync(hub.demoDevicesFile, "utf8")) as { devices: DemoDeviceCredential[] })
  .devices;

const connect = (options: mqtt.IClientOptions) =>
  mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
const device = (i: number) => devices[i % devices.length] as DemoDeviceCredential;

/** A scenario sends its frames; what it returns (if anything) runs after the footprint is measured. */
type Scenario = () => Promise<(() => Promise<void>) | undefined>;

async function subscribeGarbage(client: mqtt.MqttClient, levels: number): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < FRAMES; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        client.subscribeAsync(randomTopic(i + j, levels), { qos: 1 }).then(
          () => {
            accepted += 1;
          },
          () => {},
        ),
      ),
    );
    if (!client.connected) break;
  }
  return accepted;
}

const scenarios: Record<string, Scenario> = {
  /** Random bytes on fresh TCP connections, before any login. */
  "raw garbage bytes, 1 frame per connection": async () => {
    await Promise.all(
      Array.from(
        { length: FRAMES },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect({ port: hub.mqttPort, host: "127.0.0.1" });
            socket.on("connect", () =>
              socket.end(Buffer.from(Array.from({ length: 512 }, () => (Math.random() * 256) | 0))),
            );
            socket.on("error", () => {});
            socket.on("close", () => resolve());
          }),
      ),
    );
    return undefined;
  },
  /**
   * The first packet the broker ever writes makes mqtt-packet build its table of
   * the 65,536 two-byte numbers (a Buffer each): a one-time cost, measured apart.
   */
  "first MQTT session (mqtt-packet's number table)": async () => {
    const client = await connect({ clientId: "admin:first", username: "admin", password });
    await client.endAsync();
    return undefined;
  },
  /** A monitor subscribes to 1,200 distinct filters under anxin/v1/ and stays: one trie node per level each. */
  "admin subscribes to 1,200 garbage filters of 100 levels, stays connected": async () => {
    const client = await connect({ clientId: "admin:deep", username: "admin", password });
    const accepted = await subscribeGarbage(client, 97);
    console.log(`  (${accepted} of ${FRAMES} subscriptions accepted)`);
    return () => client.endAsync(true);
  },
  "admin subscribes to 1,200 garbage filters of 6 levels, stays connected": async () => {
    const client = await connect({ clientId: "admin:wide", username: "admin", password });
    const accepted = await subscribeGarbage(client, 3);
    console.log(`  (${accepted} of ${FRAMES} subscriptions accepted)`);
    return () => client.endAsync(true);
  },
  /** A device subscribes to 1,200 topics it may not read (each refused with SUBACK 0x80). */
  "device subscribes to 1,200 forbidden filters": async () => {
    const d = device(5);
    const client = await connect({ clientId: `${d.deviceId}:garbage`, username: d.deviceId, password: d.secret });
    await subscribeGarbage(client, 6);
    return () => client.endAsync(true);
  },
  /** Devices publish garbage on their own status, retained (each refused by the schema, told an error). */
  "devices publish garbage retained status": async () => {
    for (let i = 0; i < FRAMES; i += 60) {
      await Promise.all(
        Array.from({ length: 60 }, async (_, j) => {
          const d = device(i + j);
          const client = await connect({ clientId: `${d.deviceId}:g${i}`, username: d.deviceId, password: d.secret });
          await client
            .publishAsync(`anxin/v1/devices/${d.deviceId}/status`, Buffer.alloc(3000, 0x7a), { qos: 1, retain: true })
            .catch(() => {});
          await client.endAsync();
        }),
      );
    }
    return undefined;
  },
  /** Devices publish to 1,200 garbage topics of other devices (each denied; the connection is closed). */
  "devices publish to garbage topics": async () => {
    for (let i = 0; i < FRAMES; i += 60) {
      await Promise.all(
        Array.from({ length: 60 }, async (_, j) => {
          const d = device(i + j);
          const client = await connect({ clientId: `${d.deviceId}:p${i}`, username: d.deviceId, password: d.secret });
          client.publish(randomTopic(i + j, 4), "x", { qos: 0 });
          await new Promise<void>((resolve) => client.once("close", () => resolve()));
          client.end(true);
        }),
      );
    }
    return undefined;
  },
};

console.log(`${FRAMES} frames per scenario; footprint after a full GC, against the end of the scenario before`);
let previous = await settle();
console.log(`start: heap ${previous.heapMB} MB, buffers ${previous.externalMB} MB, rss ${previous.rssMB} MB`);
for (const [name, run] of Object.entries(scenarios)) {
  const cleanup = await run();
  const now = await settle();
  const d = (a: number, b: number) => `${a - b >= 0 ? "+" : ""}${Math.round((a - b) * 10) / 10}`;
  console.log(
    `${name}: heap ${d(now.heapMB, previous.heapMB)} MB, buffers ${d(now.externalMB, previous.externalMB)} MB, ` +
      `rss ${d(now.rssMB, previous.rssMB)} MB (now ${now.rssMB} MB)`,
  );
  if (values.snapshot)
    console.log(`  snapshot: ${v8.writeHeapSnapshot(path.join(dataDir, `${name.slice(0, 20)}.heapsnapshot`))}`);
  previous = now;
  if (cleanup) {
    await cleanup();
    const after = await settle();
    console.log(`  once it disconnects: heap ${d(after.heapMB, now.heapMB)} MB`);
    previous = after;
  }
}
await hub.stop();
if (!values.snapshot) fs.rmSync(dataDir, { recursive: true, force: true });
