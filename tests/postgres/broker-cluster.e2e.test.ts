/**
 * The brokers of three hubs as one MQTT service over Redis (ANXIN_REDIS_URL),
 * on one PostgreSQL database: a real redis-server, two hubs in this process and
 * one in a process of its own (killed with SIGKILL), real mqtt clients.
 *
 * - A press through hub A is acked; an operator on hub B acknowledges it and
 *   the button on A shows it; the button's retained feedback is found on B.
 * - A device that logs in on B while its old connection on A is still open:
 *   A closes the old one, and its Last Will does not make the device offline.
 * - A QoS 1 message for a device with a persistent session, sent while it is
 *   away, reaches it when it comes back on the other hub.
 * - A hub dies: the Wills of its devices are published by the survivors; a
 *   device that came back on another hub stays online, one that did not is
 *   offline with a fault.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import { deviceTopic, type FeedbackMessage } from "../../protocol/index.ts";
import { type HubProcess, startHubProcess } from "../support/hub-process.ts";
import { type ScratchRedis, scratchRedis } from "../support/scratch-redis.ts";
import { startTestHub, type TestHub, waitFor } from "../support/test-hub.ts";
import { type ScratchDatabase, scratchDatabase } from "./scratch-database.ts";

/** Short, so a dead hub is noticed within a few seconds: dead after 3 heartbeats, Wills checked every 4. */
const HEARTBEAT_MS = "500";

interface DeviceRow {
  online: number;
  connection_epoch: number | null;
}

describe("three hubs' brokers as one MQTT service over Redis", () => {
  let database: ScratchDatabase;
  let redis: ScratchRedis;
  let a: TestHub;
  let b: TestHub;
  let c: HubProcess | null = null;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    database = await scratchDatabase("brokers", { migrate: false });
    redis = await scratchRedis();
    const env = {
      ANXIN_DATABASE_URL: database.url,
      ANXIN_REDIS_URL: redis.url,
      ANXIN_BROKER_HEARTBEAT_MS: HEARTBEAT_MS,
    };
    a = await startTestHub({ env });
    b = await startTestHub({ env });
    c = await startHubProcess(env);
  }, 90_000);
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await c?.kill("SIGKILL");
    await b?.stop();
    await a?.stop();
    await redis?.stop();
    await database?.drop();
  });

  function device(index: number): { deviceId: string; secret: string } {
    const credential = a.demoDevices[index];
    if (!credential) throw new Error("demo district has too few devices");
    return credential;
  }

  /** A connection as the device itself (its own client id, so a second one takes it over), with its Last Will. */
  async function connect(url: string, credential: { deviceId: string; secret: string }, clean = true) {
    const client = await mqtt.connectAsync(url, {
      clientId: credential.deviceId,
      username: credential.deviceId,
      password: credential.secret,
      clean,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      will: { topic: deviceTopic(credential.deviceId, "status"), payload: Buffer.from('{"state":"offline"}'), qos: 1 },
    });
    clients.push(client);
    return client;
  }

  async function sayOnline(client: MqttClient, deviceId: string): Promise<void> {
    await client.publishAsync(deviceTopic(deviceId, "status"), '{"state":"online"}', { qos: 1 });
  }

  async function row(deviceId: string): Promise<DeviceRow | undefined> {
    return database.sql.get<DeviceRow>("SELECT online, connection_epoch FROM devices WHERE id = ?", [deviceId]);
  }

  async function openFaults(deviceId: string): Promise<string[]> {
    const rows = await database.sql.all<{ kind: string }>(
      "SELECT kind FROM device_faults WHERE device_id = ? AND cleared_at IS NULL",
      [deviceId],
    );
    return rows.map((r) => r.kind);
  }

  it("acks a press on the hub that stored it, shows an acknowledgement made on another hub, and keeps feedback for a third", async () => {
    const credential = device(30);
    const button = new SimulatedButton({ mqttUrl: a.mqttUrl, ...credential });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    expect(ack.duplicate).toBe(false);
    const alarmId = ack.alarmId;
    if (alarmId === null) throw new Error("acked without an alarm");

    const cookie = await b.login();
    const response = await fetch(`${b.httpUrl}/api/alarms/${alarmId}/acknowledge`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: b.httpUrl },
      body: "{}",
    });
    expect(response.status, await response.clone().text()).toBe(200);
    await waitFor(
      () => (button.feedbackState === "acknowledged" ? true : undefined),
      5000,
      "the button on hub A showing the acknowledgement made on hub B",
    );
    await button.stop();

    // Retained in Redis: the device finds its state on whichever hub it comes back to.
    const elsewhere = await connect(b.mqttUrl, credential);
    const feedback = new Promise<FeedbackMessage>((resolve) =>
      elsewhere.on("message", (_topic, payload) => resolve(JSON.parse(payload.toString()) as FeedbackMessage)),
    );
    await elsewhere.subscribeAsync(deviceTopic(credential.deviceId, "feedback"), { qos: 1 });
    expect(await feedback).toMatchObject({ state: "acknowledged", alarmId });
    elsewhere.end(true);
  });

  it("takes a device over from another hub without the old connection's Will making it offline", async () => {
    const credential = device(31);
    const first = await connect(a.mqttUrl, credential);
    await sayOnline(first, credential.deviceId);
    const onA = await waitFor(
      async () => {
        const current = await row(credential.deviceId);
        return current?.online === 1 && current.connection_epoch !== null ? current : undefined;
      },
      5000,
      "the device online through hub A in the database",
    );
    const firstClosed = new Promise<void>((resolve) => first.once("close", () => resolve()));

    const second = await connect(b.mqttUrl, credential);
    await sayOnline(second, credential.deviceId);
    await firstClosed; // hub A closed it: the login on B was announced over Redis

    // The Will hub A published for the old connection came after the login on B, and was not taken.
    await a.waitForLog(
      (line) =>
        line.msg === "status of a connection the device has replaced; not taken" &&
        line.deviceId === credential.deviceId,
      5000,
    );
    // Two flushes later (each hub writes presence within a second): online, said by the newer connection, no fault.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const onB = await row(credential.deviceId);
    expect(onB?.online).toBe(1);
    expect(onB?.connection_epoch).toBeGreaterThan(onA.connection_epoch ?? Number.POSITIVE_INFINITY);
    expect(await openFaults(credential.deviceId)).toEqual([]);
    expect(second.connected).toBe(true);
  });

  it("delivers a QoS 1 message sent while a persistent session was away, on the hub it comes back to", async () => {
    const credential = device(32);
    const topic = deviceTopic(credential.deviceId, "command");
    const before = await connect(a.mqttUrl, credential, false);
    await before.subscribeAsync(topic, { qos: 1 });
    await before.endAsync();

    const command = {
      type: "test_press" as const,
      requestId: "cluster-session-1",
      deadline: new Date(Date.now() + 60_000).toISOString(),
    };
    await b.hub.devices.command(credential.deviceId, command);

    const received = new Promise<unknown>((resolve) => {
      const client = mqtt.connect(b.mqttUrl, {
        clientId: credential.deviceId,
        username: credential.deviceId,
        password: credential.secret,
        clean: false,
        reconnectPeriod: 0,
      });
      clients.push(client);
      client.on("message", (incoming, payload) => {
        if (incoming === topic) resolve(JSON.parse(payload.toString()));
      });
    });
    expect(await received).toEqual(command);
  });

  it("publishes a dead hub's Wills: a device that came back elsewhere stays online, one that did not is offline", async () => {
    const node = c;
    if (!node) throw new Error("hub C did not start");
    const stays = device(33);
    const moves = device(34);
    const stayer = await connect(node.mqttUrl, stays);
    const mover = await connect(node.mqttUrl, moves);
    await sayOnline(stayer, stays.deviceId);
    await sayOnline(mover, moves.deviceId);
    await waitFor(
      async () =>
        (await row(stays.deviceId))?.online === 1 && (await row(moves.deviceId))?.online === 1 ? true : undefined,
      5000,
      "both devices online through hub C",
    );

    await node.kill("SIGKILL");
    c = null;
    const back = await connect(a.mqttUrl, moves);
    await sayOnline(back, moves.deviceId);

    // Hub C is dead after 3 heartbeats unheard; the survivors look for its Wills every 4.
    await waitFor(
      async () => ((await openFaults(stays.deviceId)).includes("offline") ? true : undefined),
      15_000,
      "the device that stayed on the dead hub faulted offline",
    );
    expect((await row(stays.deviceId))?.online).toBe(0);
    // Its Will went out too (every survivor looks); the device that moved was not made offline by it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await row(moves.deviceId))?.online).toBe(1);
    expect(await openFaults(moves.deviceId)).toEqual([]);
    expect(back.connected).toBe(true);
  });
});
