/**
 * Issue 11, part 1: packets. No client may make the broker buffer a huge
 * packet, before or after logging in, and no client may leave a retained
 * message behind. A real hub, raw TCP sockets and real MQTT clients.
 */
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { DEVICES_ROOT, deviceTopic } from "../protocol/index.ts";
import { streamHugePacket, within } from "./support/hostile-clients.ts";
import { connectAsDevice } from "./support/raw-device.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

const LIMIT = 4096;

describe("the broker's packet limits", () => {
  let th: TestHub;
  beforeAll(async () => {
    // A long CONNECT timeout, so that only the size limit can be what closes a connection here.
    th = await startTestHub({
      twilio: false,
      env: { ANXIN_MQTT_MAX_PACKET_BYTES: String(LIMIT), ANXIN_MQTT_CONNECT_TIMEOUT_MS: "60000" },
    });
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
  });

  const device = (index: number) => {
    const credential = th.demoDevices[index];
    if (!credential) throw new Error(`no demo device ${index}`);
    return credential;
  };
  const alarmCount = (deviceId: string) =>
    (th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarms WHERE device_id = ?").get(deviceId) as { n: number }).n;

  it("closes a connection whose CONNECT declares 268 MB as soon as the length arrives, before any login", async () => {
    const port = th.hub.mqttPort;
    // Four at once, as in the attack: each streams up to 8 MB unless the hub closes it first.
    const runs = await Promise.all(
      [1, 2, 3, 4].map(() =>
        streamHugePacket(port, { declaredBytes: 268_435_455, chunkBytes: 64 * 1024, maxSendBytes: 8 * 1024 * 1024 }),
      ),
    );
    for (const run of runs) expect(run.closedByHub).toBe(true);
    const refused = await th.waitForLog((l) => l.code === "MQTT_PACKET_TOO_LARGE");
    expect(refused).toMatchObject({ declaredBytes: expect.any(Number), limit: LIMIT, packetType: 1 });
    expect(refused.declaredBytes as number).toBeGreaterThan(LIMIT);
    // Four attackers, one line (the rest are counted into a summary when the window ends).
    expect(th.logs.filter((l) => l.code === "MQTT_PACKET_TOO_LARGE").length).toBe(1);
  });

  it("closes a logged-in device that publishes a 100 MB retained message, and keeps nothing", async () => {
    const attacker = device(2);
    const client = await connectAsDevice(th.mqttUrl, attacker, "big");
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish(deviceTopic(attacker.deviceId, "status"), Buffer.alloc(100 * 1024 * 1024, 0x20), {
      qos: 1,
      retain: true,
    });
    await within(closed, 10_000, "the hub to close the connection");
    client.end(true);

    // A monitor subscribing now is sent no retained status for that device.
    const monitor = await connectAsDevice(th.mqttUrl, attacker, "watch");
    const retained: string[] = [];
    monitor.on("message", (topic, _payload, packet) => {
      if (packet.retain) retained.push(topic);
    });
    await monitor.subscribeAsync(`${DEVICES_ROOT}/${attacker.deviceId}/#`, { qos: 1 });
    // A good press by the same device afterwards is served: the hub is fine, and its ack is our barrier.
    const button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: attacker.deviceId, secret: attacker.secret });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("test");
    expect(ack.alarmId).not.toBeNull();
    await button.stop();
    expect(retained.filter((topic) => topic !== deviceTopic(attacker.deviceId, "feedback"))).toEqual([]);
    await monitor.endAsync(true);
  });

  it("keeps no retained message a device sends, on alarm or status, and still serves the press", async () => {
    const sender = device(3);
    const client = await connectAsDevice(th.mqttUrl, sender, "retainer");
    const press = {
      pressId: "retained-press-0001",
      kind: "sos",
      deviceTime: new Date().toISOString(),
      seq: 1,
      battery: 80,
    };
    const acks: unknown[] = [];
    client.on("message", (topic, payload) => {
      if (topic === deviceTopic(sender.deviceId, "ack")) acks.push(JSON.parse(payload.toString()));
    });
    await client.subscribeAsync(deviceTopic(sender.deviceId, "ack"), { qos: 1 });
    await client.publishAsync(deviceTopic(sender.deviceId, "status"), "garbage that must not stay", {
      qos: 1,
      retain: true,
    });
    await client.publishAsync(deviceTopic(sender.deviceId, "alarm"), JSON.stringify(press), { qos: 1, retain: true });
    // The press is a good one: the retain flag is cleared, not the press.
    await waitFor(() => acks.length > 0, 5000, "the ack of the retained press");
    expect(alarmCount(sender.deviceId)).toBe(1);

    // An administrator monitoring from now on is sent nothing retained but the hub's own feedback.
    const monitor = await connectAsDevice(th.mqttUrl, sender, "watch");
    const seen: { topic: string; retain: boolean }[] = [];
    monitor.on("message", (topic, _payload, packet) => seen.push({ topic, retain: packet.retain }));
    await monitor.subscribeAsync(`${DEVICES_ROOT}/${sender.deviceId}/#`, { qos: 1 });
    // Barrier: a live heartbeat from the device arrives after anything sent at subscription time.
    await client.publishAsync(
      deviceTopic(sender.deviceId, "heartbeat"),
      JSON.stringify({ deviceTime: new Date().toISOString(), battery: 80 }),
      { qos: 1 },
    );
    await waitFor(() => seen.some((m) => m.topic.endsWith("/heartbeat")), 3000, "the live heartbeat");
    const retainedFromDevice = seen.filter((m) => m.retain && !m.topic.endsWith("/feedback"));
    expect(retainedFromDevice).toEqual([]);
    await monitor.endAsync(true);
    await client.endAsync(true);
  });

  it("holds a monitor to 100 subscriptions of at most 8 levels (Aedes keeps a trie node per level of each)", async () => {
    const monitor = await mqtt.connectAsync(th.mqttUrl, {
      clientId: "admin:deep",
      username: "admin",
      password: th.adminPassword,
      reconnectPeriod: 0,
    });
    const filter = (i: number) => `anxin/v1/devices/garbage-${i}/+`;
    for (let i = 0; i < 100; i += 1) await monitor.subscribeAsync(filter(i), { qos: 1 });
    // Subscribing again to one it holds is fine; a 101st is refused (SUBACK 0x80) and the connection stays.
    await monitor.subscribeAsync(filter(7), { qos: 1 });
    await expect(monitor.subscribeAsync(filter(100), { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect(monitor.connected).toBe(true);
    await th.waitForLog((l) => l.code === "MQTT_SUBSCRIBE_DENIED" && String(l.reason).includes("more than 100"));
    // An unsubscribe makes room again.
    await monitor.unsubscribeAsync(filter(0));
    await monitor.subscribeAsync(filter(100), { qos: 1 });
    // Nine levels: refused by Aedes' topic check, which closes the connection.
    const closed = new Promise<void>((resolve) => monitor.once("close", () => resolve()));
    monitor.subscribe("anxin/v1/a/b/c/d/e/f/g", { qos: 1 }, () => {});
    await within(closed, 5000, "the connection to close");
    monitor.end(true);
  });

  it("lets a packet of exactly the limit through", async () => {
    const sender = device(4);
    const client = await connectAsDevice(th.mqttUrl, sender, "edge");
    const topic = deviceTopic(sender.deviceId, "heartbeat");
    // Fixed header aside, a QoS 1 PUBLISH is topic length (2) + topic + packet id (2) + payload.
    const payload = Buffer.alloc(LIMIT - 2 - Buffer.byteLength(topic) - 2, 0x20);
    await client.publishAsync(topic, payload, { qos: 1 });
    // Refused by the schema (it is not JSON), which proves it got through the broker.
    await th.waitForLog((l) => l.msg === "heartbeat message refused" && l.deviceId === sender.deviceId);
    expect(client.connected).toBe(true);
    await client.endAsync(true);
  });
});
