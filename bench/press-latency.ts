/**
 * Press → dashboard latency: a simulated button presses, and we time until a
 * logged-in console receives the alarm over the WebSocket (and, separately,
 * until the device gets its ack). A real hub on loopback: Aedes, SQLite with
 * synchronous=FULL on disk, console SMS sink. Run with `npm run bench`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { loadConfig } from "../hub/config.ts";
import { Hub } from "../hub/hub.ts";
import { createLogger } from "../hub/log.ts";
import type { DemoDeviceCredential } from "../hub/seed/demo-district.ts";

export interface LatencySummary {
  presses: number;
  dashboardMs: { median: number; p99: number; max: number };
  ackMs: { median: number; p99: number; max: number };
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function summarise(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    median: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

export async function measurePressLatency(presses = 250, deviceCount = 25): Promise<LatencySummary> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-bench-"));
  const password = "bench-admin-password";
  const config = loadConfig({
    ANXIN_DATA_DIR: dataDir,
    ANXIN_HTTP_PORT: "0",
    ANXIN_MQTT_PORT: "0",
    ANXIN_HTTP_HOST: "127.0.0.1",
    ANXIN_MQTT_HOST: "127.0.0.1",
    ANXIN_ADMIN_PASSWORD: password,
    ANXIN_LOG_LEVEL: "warn",
  });
  const hub = new Hub(config, { logger: createLogger("warn") });
  await hub.start();
  const buttons: SimulatedButton[] = [];
  try {
    const httpUrl = `http://127.0.0.1:${hub.httpPort}`;
    const login = await fetch(`${httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password }),
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const arrivals = new Map<number, number>();
    const socket = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/api/realtime`, { headers: { cookie } });
    socket.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; alarms?: { id: number }[] };
      if (frame.type !== "alarms") return;
      for (const alarm of frame.alarms ?? []) if (!arrivals.has(alarm.id)) arrivals.set(alarm.id, performance.now());
    });
    await new Promise((resolve) => socket.once("message", resolve));

    const devices = (JSON.parse(fs.readFileSync(hub.demoDevicesFile, "utf8")) as { devices: DemoDeviceCredential[] })
      .devices;
    for (const credential of devices.slice(0, deviceCount)) {
      const button = new SimulatedButton({
        mqttUrl: `mqtt://127.0.0.1:${hub.mqttPort}`,
        deviceId: credential.deviceId,
        secret: credential.secret,
      });
      await button.start({ timeoutMs: 5000 });
      buttons.push(button);
    }

    const dashboard: number[] = [];
    const ack: number[] = [];
    for (let i = 0; i < presses; i += 1) {
      const button = buttons[i % buttons.length];
      if (!button) throw new Error("no button");
      const start = performance.now();
      const received = await button.press("test");
      ack.push(performance.now() - start);
      const alarmId = received.alarmId ?? -1;
      const deadline = Date.now() + 5000;
      while (!arrivals.has(alarmId)) {
        if (Date.now() > deadline) throw new Error(`alarm ${alarmId} never reached the dashboard`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      dashboard.push((arrivals.get(alarmId) ?? Number.NaN) - start);
    }
    socket.close();
    return { presses, dashboardMs: summarise(dashboard), ackMs: summarise(ack) };
  } finally {
    for (const button of buttons) await button.stop();
    await hub.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
