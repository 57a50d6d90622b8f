import fs from "node:fs";
import os from "node:os";
import path from "node:path";
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
const aedes = (hub as any).running.parts.broker.aedes;
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
console.log("start", await settle());
for (let round = 0; round < 3; round++) {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
    clientId: "admin:g",
    username: "admin",
    password: "bench-admin-password",
    reconnectPeriod: 0,
  });
  for (let i = 0; i < 1200; i += 100)
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        c.subscribeAsync(rt(round * 10000 + i + j), { qos: Number(process.argv[2] ?? 1) as 0 | 1 }),
      ),
    );
  await c.endAsync();
  console.log("round", round, await settle());
}
await hub.stop();
