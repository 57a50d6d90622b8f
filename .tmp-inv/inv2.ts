import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import mqtt from "mqtt";
import { loadConfig } from "../hub/config.ts";
import { Hub } from "../hub/hub.ts";
import { createLogger } from "../hub/log.ts";

const gc = (globalThis as any).gc;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "inv-"));
const hub = new Hub(
  loadConfig({
    ANXIN_DATA_DIR: dataDir,
    ANXIN_HTTP_PORT: "0",
    ANXIN_MQTT_PORT: "0",
    ANXIN_HTTP_HOST: "127.0.0.1",
    ANXIN_MQTT_HOST: "127.0.0.1",
    ANXIN_ADMIN_PASSWORD: "bench-admin-password",
    ANXIN_LOG_LEVEL: "silent",
    ANXIN_TEST_ALARM_INTERVAL_H: "0",
  }),
  { logger: createLogger("silent") },
);
await hub.start();
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
};
const rt = (i: number) =>
  [
    "anxin",
    "v1",
    "devices",
    ...Array.from({ length: 6 }, (_, l) => `g${i}x${l}${Math.random().toString(36).slice(2, 10)}`),
  ].join("/");
function summary(file: string) {
  const snap = JSON.parse(fs.readFileSync(file, "utf8"));
  const f = snap.snapshot.meta.node_fields;
  const nf = f.length;
  const types = snap.snapshot.meta.node_types[0];
  const ti = f.indexOf("type"),
    ni = f.indexOf("name"),
    si = f.indexOf("self_size");
  const agg = new Map<string, [number, number]>();
  for (let i = 0; i < snap.nodes.length; i += nf) {
    const key =
      types[snap.nodes[i + ti]] +
      ":" +
      (types[snap.nodes[i + ti]] === "string" ? "<str>" : snap.strings[snap.nodes[i + ni]]);
    const a = agg.get(key) ?? [0, 0];
    a[0]++;
    a[1] += snap.nodes[i + si];
    agg.set(key, a);
  }
  return agg;
}
await settle();
const before = summary(v8.writeHeapSnapshot(path.join(dataDir, "a.heapsnapshot")));
const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
  clientId: "admin:g",
  username: "admin",
  password: "bench-admin-password",
  reconnectPeriod: 0,
});
for (let i = 0; i < 1200; i += 100)
  await Promise.all(Array.from({ length: 100 }, (_, j) => c.subscribeAsync(rt(i + j), { qos: 1 })));
await c.endAsync();
console.log("heap", await settle());
const after = summary(v8.writeHeapSnapshot(path.join(dataDir, "b.heapsnapshot")));
const diffs = [...after]
  .map(([k, [n, s]]) => [k, n - (before.get(k)?.[0] ?? 0), s - (before.get(k)?.[1] ?? 0)] as const)
  .sort((a, b) => b[2] - a[2])
  .slice(0, 25);
for (const d of diffs) console.log(d.join("\t"));
await hub.stop();
