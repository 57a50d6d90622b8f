/**
 * Issue 12: the broker finds a subscription's retained messages in a tree of
 * topic levels (hub/broker/retained-topics.ts) instead of testing every
 * retained topic. What a client is told on subscribing must not change: a
 * device gets exactly its own feedback, at once, and the latest one; a
 * monitor's wildcard gets every device's. A real hub, real MQTT clients.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic, type FeedbackMessage, HUB_TO_DEVICE } from "../protocol/index.ts";
import { connectAsDevice } from "./support/raw-device.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

const DEVICES = 12;
const PASSWORD = "monitor-password-2024";

interface Received {
  topic: string;
  retain: boolean;
  message: FeedbackMessage;
}

function collect(client: MqttClient): Received[] {
  const received: Received[] = [];
  client.on("message", (topic, payload, packet) =>
    received.push({ topic, retain: packet.retain, message: JSON.parse(payload.toString()) as FeedbackMessage }),
  );
  return received;
}

describe("retained feedback on subscribe", () => {
  let th: TestHub;
  const clients: MqttClient[] = [];
  const device = (index: number) => {
    const credential = th.demoDevices[index];
    if (!credential) throw new Error(`no demo device ${index}`);
    return credential;
  };

  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    // Every device of the fleet leaves a retained feedback, as each one's daily test press does.
    for (let i = 0; i < DEVICES; i += 1) await th.hub.devices.feedback(device(i).deviceId, "idle", null);
    await createUser(th, "mon.retained", "monitor", PASSWORD);
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await th?.stop();
  });

  const connect = async (index: number, suffix: string) => {
    const client = await connectAsDevice(th.mqttUrl, device(index), suffix);
    clients.push(client);
    return client;
  };

  it("gives a device that subscribes to its four topics exactly its own feedback, retained", async () => {
    const target = device(5);
    const client = await connect(5, "exact");
    const received = collect(client);
    await client.subscribeAsync(
      HUB_TO_DEVICE.map((kind) => deviceTopic(target.deviceId, kind)),
      { qos: 1 },
    );
    await waitFor(() => received.length > 0, 3000, "the retained feedback");
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ topic: deviceTopic(target.deviceId, "feedback"), retain: true });
    expect(received[0]?.message.state).toBe("idle");
  });

  it("gives a device subscribed to its own subtree (…/<deviceId>/#) its own feedback and nobody else's", async () => {
    const target = device(7);
    const client = await connect(7, "subtree");
    const received = collect(client);
    await client.subscribeAsync(`anxin/v1/devices/${target.deviceId}/#`, { qos: 1 });
    await waitFor(() => received.length > 0, 3000, "the retained feedback");
    expect(received.map((r) => r.topic)).toEqual([deviceTopic(target.deviceId, "feedback")]);
  });

  it("replays the latest feedback, not the first", async () => {
    const target = device(2);
    await th.hub.devices.feedback(target.deviceId, "idle", null);
    const first = await connect(2, "first");
    const before = collect(first);
    await first.subscribeAsync(deviceTopic(target.deviceId, "feedback"), { qos: 1 });
    await waitFor(() => before.length > 0, 3000, "the retained feedback");
    const firstAt = before[0]?.message.at;
    // Published anew while the device is away: a fresh `at`, and the one a reconnecting device must get.
    await waitFor(() => new Date().toISOString() !== firstAt, 1000, "the clock to move on");
    await th.hub.devices.feedback(target.deviceId, "idle", null);
    const again = await connect(2, "again");
    const after = collect(again);
    await again.subscribeAsync(deviceTopic(target.deviceId, "feedback"), { qos: 1 });
    await waitFor(() => after.length > 0, 3000, "the retained feedback");
    expect(after).toHaveLength(1);
    expect(after[0]?.message.at).not.toBe(firstAt);
    expect(Date.parse(after[0]?.message.at ?? "")).toBeGreaterThan(Date.parse(firstAt ?? ""));
  });

  it("gives a monitor's wildcards every device's retained feedback, once each", async () => {
    const expected = Array.from({ length: DEVICES }, (_, i) => deviceTopic(device(i).deviceId, "feedback")).sort();
    for (const filter of ["anxin/v1/#", "anxin/v1/devices/+/feedback"]) {
      const monitor = await mqtt.connectAsync(th.mqttUrl, {
        clientId: `mon.retained:${filter.length}`,
        username: "mon.retained",
        password: PASSWORD,
        reconnectPeriod: 0,
      });
      clients.push(monitor);
      const received = collect(monitor);
      await monitor.subscribeAsync(filter, { qos: 1 });
      await waitFor(() => received.length >= DEVICES, 3000, `retained feedback for ${filter}`);
      expect(received.every((r) => r.retain)).toBe(true);
      expect(received.map((r) => r.topic).sort()).toEqual(expected);
    }
  });
});
