import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { loadConfig } from "../hub/config.ts";
import { Hub } from "../hub/hub.ts";
import { createLogger } from "../hub/log.ts";

const gc = (globalThis as any).gc;
const levels = Number(process.argv[2] ?? 100);
const keep = process.argv[3] === "keep";
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
    ANXIN_MQTT_MAX_PACKET_BYTES: "1048576",
  }),
  { logger: createLogger("silent") },
);
await hub.start();
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  const m = process.memoryUsage();
  return `heap ${Math.round(m.heapUsed / 1e5) / 10} MB rss ${Math.round(m.rss / 1e5) / 10} MB`;
};
// warm the mqtt-packet cache
const w = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
  clientId: "admin:w",
  username: "admin",
  password: "bench-admin-password",
  reconnectPeriod: 0,
});
await w.endAsync();
console.log("start", await settle());
const rt = (i: number) => ["anxin", "v1", ...Array.from({ length: levels - 2 }, (_, l) => `${i}-${l}`)].join("/");
const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
  clientId: "admin:g",
  username: "admin",
  password: "bench-admin-password",
  reconnectPeriod: 0,
});
let ok = 0,
  bad = 0;
for (let i = 0; i < 1200; i += 100)
  await Promise.all(
    Array.from({ length: 100 }, (_, j) =>
      c.subscribeAsync(rt(i + j), { qos: 1 }).then(
        () => ok++,
        () => bad++,
      ),
    ),
  );
console.log(`1200 subscriptions of ${levels} levels (ok ${ok}, refused ${bad}), connected:`, await settle());
await c.endAsync();
console.log("after disconnect:", await settle());
await hub.stop();
