/**
 * Device supervision on a real hub (real Aedes, real MQTT clients, SQLite on
 * disk or PostgreSQL), with a 1 s heartbeat interval so "silent for 3 intervals" is 3 s:
 * a device killed abruptly and a half-open connection are both noticed, the
 * console hears about it on the WebSocket, a returning device clears its
 * fault, a low battery is raised once, and all of it survives a restart.
 */

import type net from "node:net";
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import type { DeviceFault } from "../../protocol/console/index.ts";
import { deviceTopic, encodeMessage } from "../../protocol/index.ts";
import { openConsoleFeed } from "./console-feed.ts";
import { connectHalfOpen } from "./half-open-device.ts";
import { connectAsDevice } from "./raw-device.ts";
import { startTestHub, type TestHub, waitFor } from "./test-hub.ts";

export function describeDeviceSupervision(engine: "sqlite" | "postgres"): void {
  interface Fault {
    id: number;
    deviceId: string;
    kind: string;
    openedAt: string;
    clearedAt: string | null;
    detail: Record<string, unknown> | null;
    clearReason: { code: string; params: Record<string, string | number> } | null;
  }

  const SUPERVISION_ENV = { ANXIN_HEARTBEAT_INTERVAL_S: "1", ANXIN_LOW_BATTERY_PERCENT: "20" };
  /** The brief's promise: a fault reaches the console within 60 s of its cause. */
  const FAULT_WINDOW_MS = 60_000;

  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A console: a logged-in WebSocket collecting every pushed fault (`device_faults` frames, flattened). */
  async function openConsole(th: TestHub, cookie: string): Promise<DeviceFault[]> {
    const feed = await openConsoleFeed(th.wsUrl, cookie);
    cleanups.push(() => feed.close());
    return feed.faults;
  }

  function startButton(th: TestHub, index: number, options: { battery?: number } = {}): Promise<SimulatedButton> {
    const device = th.demoDevices[index];
    if (!device) throw new Error(`no demo device ${index}`);
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: device.deviceId,
      secret: device.secret,
      heartbeatIntervalMs: 200,
      ...options,
    });
    cleanups.push(() => button.stop());
    return button.start({ timeoutMs: 5000 }).then(() => button);
  }

  describe(`device supervision on ${engine}`, () => {
    let th: TestHub;
    let admin: string;
    beforeAll(async () => {
      th = await startTestHub({ twilio: false, engine, env: SUPERVISION_ENV });
      admin = await th.login();
    });
    afterAll(async () => {
      await th?.stop();
    });

    const api = async (url: string) => {
      const response = await th.hub.app.inject({ method: "GET", url, headers: { cookie: admin } });
      expect(response.statusCode, url).toBe(200);
      return response.json();
    };
    const openFaults = async (deviceId: string): Promise<Fault[]> =>
      (await api(`/api/devices/faults?open=true&deviceId=${deviceId}`)).faults as Fault[];
    const faultRows = (deviceId: string, kind: string) =>
      th.hub.sql.all<{ cleared_at: string | null }>("SELECT * FROM device_faults WHERE device_id = ? AND kind = ?", [
        deviceId,
        kind,
      ]);
    const id = (index: number) => th.demoDevices[index]?.deviceId ?? "";

    it("faults a device killed abruptly at once, pushes it to consoles, and clears it when the device returns", async () => {
      const screen = await openConsole(th, admin);
      const button = await startButton(th, 0);
      const deviceId = id(0);
      expect(await openFaults(deviceId)).toEqual([]);

      const killedAt = Date.now();
      button.kill();
      const pushed = await waitFor(
        () => screen.find((f) => f.deviceId === deviceId && f.kind === "offline" && f.clearedAt === null),
        FAULT_WINDOW_MS,
        "offline fault on the console",
      );
      expect(Date.parse(pushed.openedAt)).toBeGreaterThanOrEqual(killedAt - 1000);
      expect(pushed.detail).toEqual({ reason: { code: "device_reported_offline", params: {} } });
      expect(await openFaults(deviceId)).toMatchObject([{ id: pushed.id, kind: "offline", clearedAt: null }]);
      const health = await api(`/api/devices/${deviceId}/health`);
      expect(health).toMatchObject({ deviceId, health: "fault", online: false, heartbeatIntervalS: 1 });
      expect(health.openFaults.map((f: Fault) => f.kind)).toEqual(["offline"]);
      // An offline device is not also reported silent: one cause, one fault.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      expect((await openFaults(deviceId)).map((f) => f.kind)).toEqual(["offline"]);

      await startButton(th, 0);
      const cleared = await waitFor(
        () => screen.find((f) => f.id === pushed.id && f.clearedAt !== null),
        FAULT_WINDOW_MS,
        "the cleared fault on the console",
      );
      expect(cleared.clearReason).toEqual({ code: "device_online", params: {} });
      expect(await openFaults(deviceId)).toEqual([]);
      expect((await api(`/api/devices/${deviceId}/health`)).health).toBe("ok");
      const events = await th.hub.sql.all<{ type: string; actor: string }>(
        "SELECT type, actor FROM device_events WHERE device_id = ? ORDER BY id",
        [deviceId],
      );
      expect(events).toEqual([
        { type: "fault_opened", actor: "system" },
        { type: "fault_cleared", actor: `device:${deviceId}` },
      ]);
    });

    it("notices a half-open connection through the keep-alive: the broker fires the Last Will", async () => {
      const screen = await openConsole(th, admin);
      const device = th.demoDevices[1];
      if (!device) throw new Error("no demo device 1");
      const socket = await connectHalfOpen({ port: th.hub.mqttPort, ...device, keepaliveS: 1, will: true });
      cleanups.push(() => void socket.destroy());
      const fault = await waitFor(
        () => screen.find((f) => f.deviceId === device.deviceId && f.kind === "offline"),
        FAULT_WINDOW_MS,
        "offline fault from the Will",
      );
      expect(fault.clearedAt).toBeNull();
      expect((await openFaults(device.deviceId)).map((f) => f.kind)).toEqual(["offline"]);
    });

    it("notices a half-open connection without keep-alive or Will through the silence rule", async () => {
      const screen = await openConsole(th, admin);
      const device = th.demoDevices[2];
      if (!device) throw new Error("no demo device 2");
      // The device worked: one heartbeat, then its application dies behind a connection that stays up.
      const client = await connectAsDevice(th.mqttUrl, device, "boot");
      await client.publishAsync(
        deviceTopic(device.deviceId, "heartbeat"),
        encodeMessage("heartbeat", { deviceTime: new Date().toISOString(), battery: 90 }),
        { qos: 1 },
      );
      await client.endAsync();
      await waitFor(
        () => th.hub.sql.get("SELECT last_seen_at FROM devices WHERE id = ?", [device.deviceId]),
        3000,
        "the heartbeat stored",
      );
      const socket: net.Socket = await connectHalfOpen({
        port: th.hub.mqttPort,
        ...device,
        keepaliveS: 0,
        will: false,
      });
      cleanups.push(() => void socket.destroy());

      const fault = await waitFor(
        () => screen.find((f) => f.deviceId === device.deviceId && f.kind === "silent"),
        FAULT_WINDOW_MS,
        "silent fault",
      );
      // The broker still holds the connection open: only the silence rule could have caught this one.
      expect(socket.destroyed).toBe(false);
      expect(fault.detail).toMatchObject({ silentAfterS: 3 });
      expect(
        Date.parse(fault.openedAt) - Date.parse(String((fault.detail as { lastSeenAt?: string } | null)?.lastSeenAt)),
      ).toBeGreaterThanOrEqual(3000);
      expect((await openFaults(device.deviceId)).map((f) => f.kind)).toEqual(["silent"]);

      // A heartbeat brings it back.
      const again = await connectAsDevice(th.mqttUrl, device, "again");
      await again.publishAsync(
        deviceTopic(device.deviceId, "heartbeat"),
        encodeMessage("heartbeat", { deviceTime: new Date().toISOString(), battery: 90 }),
        { qos: 1 },
      );
      await again.endAsync();
      await waitFor(() => screen.find((f) => f.id === fault.id && f.clearedAt !== null), 5000, "silent fault cleared");
      expect(await openFaults(device.deviceId)).toEqual([]);
    });

    it("raises one low-battery fault however many low heartbeats arrive, and clears it after a new battery", async () => {
      const screen = await openConsole(th, admin);
      const deviceId = id(3);
      const monitor = await mqtt.connectAsync(th.mqttUrl, {
        clientId: "admin:battery-watch",
        username: "admin",
        password: th.adminPassword,
        reconnectPeriod: 0,
      });
      cleanups.push(() => monitor.endAsync());
      let heartbeats = 0;
      monitor.on("message", () => heartbeats++);
      await monitor.subscribeAsync(deviceTopic(deviceId, "heartbeat"), { qos: 0 });

      const button = await startButton(th, 3, { battery: 15 });
      const fault = await waitFor(
        () => screen.find((f) => f.deviceId === deviceId && f.kind === "low_battery"),
        FAULT_WINDOW_MS,
        "low battery fault",
      );
      expect(fault.detail).toEqual({ battery: 15, thresholdPercent: 20 });
      const seen = heartbeats;
      await waitFor(() => heartbeats >= seen + 6, 10_000, "six more low heartbeats");
      expect(await faultRows(deviceId, "low_battery")).toHaveLength(1);
      expect(screen.filter((f) => f.deviceId === deviceId && f.kind === "low_battery")).toHaveLength(1);

      // A reading just above the threshold is not yet a new battery; a full one is.
      await button.stop();
      const wobbling = await startButton(th, 3, { battery: 24 });
      const before = heartbeats;
      await waitFor(() => heartbeats >= before + 3, 10_000, "three heartbeats at 24 %");
      expect(await faultRows(deviceId, "low_battery")).toMatchObject([{ cleared_at: null }]);
      await wobbling.stop();
      await startButton(th, 3, { battery: 100 });
      await waitFor(async () => (await faultRows(deviceId, "low_battery"))[0]?.cleared_at, 5000, "low battery cleared");
      expect(await faultRows(deviceId, "low_battery")).toHaveLength(1);
    });

    it("raises a low-battery fault from a press too", async () => {
      const deviceId = id(4);
      // No heartbeat during the test (60 s): the level can only come from the press.
      const pressing = new SimulatedButton({
        mqttUrl: th.mqttUrl,
        deviceId,
        secret: th.demoDevices[4]?.secret ?? "",
        battery: 9,
        heartbeatIntervalMs: 60_000,
      });
      cleanups.push(() => pressing.stop());
      await pressing.start({ timeoutMs: 5000 });
      await pressing.press("service");
      const fault = await waitFor(
        async () => (await faultRows(deviceId, "low_battery"))[0],
        10_000,
        "low battery from the press",
      );
      expect(fault.cleared_at).toBeNull();
    });
  });

  describe(`device supervision across a restart on ${engine}`, () => {
    it("faults a device that went silent while the hub was down, keeps open faults, and does not fault the fleet for the hub's own stop", async () => {
      const th = await startTestHub({ twilio: false, engine, env: SUPERVISION_ENV });
      cleanups.push(() => th.stop());
      const [stays, vanishes, dead] = [th.demoDevices[10], th.demoDevices[11], th.demoDevices[12]];
      if (!stays || !vanishes || !dead) throw new Error("demo devices missing");

      // A device that stays connected through the restart (its button reconnects by itself).
      const button = new SimulatedButton({ mqttUrl: th.mqttUrl, ...stays, heartbeatIntervalMs: 200 });
      cleanups.push(() => button.stop());
      await button.start({ timeoutMs: 5000 });
      // A device already faulted before the restart.
      const deadButton = new SimulatedButton({ mqttUrl: th.mqttUrl, ...dead, heartbeatIntervalMs: 200 });
      await deadButton.start({ timeoutMs: 5000 });
      deadButton.kill();
      await waitFor(
        () => th.hub.sql.get("SELECT id FROM device_faults WHERE device_id = ?", [dead.deviceId]),
        10_000,
        "the dead device's fault",
      );
      // A device heard from just before the hub goes down, and never again.
      const client = await connectAsDevice(th.mqttUrl, vanishes, "last-words");
      await client.publishAsync(
        deviceTopic(vanishes.deviceId, "heartbeat"),
        encodeMessage("heartbeat", { deviceTime: new Date().toISOString(), battery: 80 }),
        { qos: 1 },
      );
      await client.endAsync();
      await waitFor(
        () => th.hub.sql.get("SELECT last_seen_at FROM devices WHERE id = ?", [vanishes.deviceId]),
        3000,
        "the last heartbeat stored",
      );

      await th.hub.stop();
      await new Promise((resolve) => setTimeout(resolve, 3500)); // longer than 3 heartbeat intervals, hub down
      await th.restart();

      const faultsOf = (deviceId: string) =>
        th.hub.sql.all<{ kind: string; cleared_at: string | null }>(
          "SELECT kind, cleared_at FROM device_faults WHERE device_id = ? ORDER BY id",
          [deviceId],
        );
      await waitFor(
        async () => (await faultsOf(vanishes.deviceId)).length > 0,
        FAULT_WINDOW_MS,
        "the vanished device faulted",
      );
      expect(await faultsOf(vanishes.deviceId)).toEqual([{ kind: "silent", cleared_at: null }]);
      // The fault from before the restart is still open, and was not raised twice.
      expect(await faultsOf(dead.deviceId)).toEqual([{ kind: "offline", cleared_at: null }]);
      // The stop closed every connection (and so fired every Will); none of that is the devices' fault.
      await waitFor(() => button.connected, 10_000, "the button reconnected");
      expect(await faultsOf(stays.deviceId)).toEqual([]);
      // Silence is not counted before a device following the protocol has had its longest reconnect wait.
    }, 120_000);
  });
}
