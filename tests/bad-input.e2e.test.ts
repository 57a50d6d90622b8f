/**
 * Bad input is refused with a clear, coded log line (and, where the sender is a
 * known device, a coded `error` message), and never costs a good alarm: a
 * well-behaved button presses at the same moment and is stored and acked.
 */
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { deviceTopic } from "../protocol/index.ts";
import { collectMessages, connectAsDevice } from "./support/raw-device.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

describe("bad input never crashes the hub or drops a good alarm", () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
  });
  afterAll(async () => {
    await th?.stop();
  });

  const device = (index: number) => {
    const c = th.demoDevices[index];
    if (!c) throw new Error(`no demo device ${index}`);
    return c;
  };
  const alarmCount = (deviceId: string) =>
    (th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarms WHERE device_id = ?").get(deviceId) as { n: number }).n;

  async function connectCode(options: mqtt.IClientOptions): Promise<number | "connected"> {
    try {
      const client = await mqtt.connectAsync(th.mqttUrl, { ...options, reconnectPeriod: 0, connectTimeout: 3000 });
      client.end(true);
      return "connected";
    } catch (error) {
      return (error as { code?: number }).code ?? -1;
    }
  }

  it("refuses every kind of bad input with a coded log line while a concurrent good press is served", async () => {
    const goodDevice = device(1);
    const good = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: goodDevice.deviceId, secret: goodDevice.secret });
    await good.start({ timeoutMs: 5000 });
    const goodPress = good.press("sos");

    // Malformed JSON and a payload that breaks the schema: refused, told to the device, logged with a code.
    const sender = device(2);
    const client = await connectAsDevice(th.mqttUrl, sender);
    const errors = await collectMessages(client, sender.deviceId, "error");
    const alarmTopic = deviceTopic(sender.deviceId, "alarm");
    await client.publishAsync(alarmTopic, "{not json", { qos: 1 });
    await client.publishAsync(
      alarmTopic,
      JSON.stringify({ pressId: "x", kind: "fire", deviceTime: "yesterday", seq: -1, battery: 300 }),
      { qos: 1 },
    );
    await waitFor(() => errors.length >= 2, 3000, "two error messages to the device");
    expect(errors.map((e) => e.code)).toEqual(["MALFORMED_JSON", "SCHEMA_VIOLATION"]);
    expect(errors[1]?.message).toMatch(/pressId|kind|battery|seq/);
    const refusals = th.logs.filter((l) => l.deviceId === sender.deviceId && l.msg === "alarm message refused");
    expect(refusals.map((l) => l.code)).toEqual(["MALFORMED_JSON", "SCHEMA_VIOLATION"]);
    expect(alarmCount(sender.deviceId)).toBe(0);

    // A heartbeat that is not JSON is refused the same way.
    await client.publishAsync(deviceTopic(sender.deviceId, "heartbeat"), "garbage", { qos: 1 });
    await th.waitForLog((l) => l.msg === "heartbeat message refused" && l.deviceId === sender.deviceId);

    // A subscribe to '#' is refused (SUBACK 0x80) and logged; the client stays connected.
    // mqtt.js turns SUBACK 0x80 into a rejected subscribe.
    await expect(client.subscribeAsync("#", { qos: 0 })).rejects.toThrow(/Subscribe error/);
    expect(client.connected).toBe(true);
    await th.waitForLog((l) => l.code === "MQTT_SUBSCRIBE_DENIED" && l.topic === "#");

    // A publish on another device's topic: denied, logged, the offender disconnected, nothing stored for the victim.
    const victim = device(3);
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish(
      deviceTopic(victim.deviceId, "alarm"),
      JSON.stringify({
        pressId: "spoofed-press-01",
        kind: "sos",
        deviceTime: new Date().toISOString(),
        seq: 1,
        battery: 50,
      }),
      { qos: 1 },
    );
    await closed;
    await th.waitForLog((l) => l.code === "MQTT_PUBLISH_DENIED" && l.topic === deviceTopic(victim.deviceId, "alarm"));
    expect(alarmCount(victim.deviceId)).toBe(0);
    client.end(true);

    // Unknown device, wrong password, anonymous: CONNACK refusal and a coded log line each.
    expect(await connectCode({ clientId: "NOPE-1", username: "NOPE-1", password: "whatever" })).toBe(4);
    await th.waitForLog((l) => l.code === "MQTT_AUTH_REFUSED" && l.username === "NOPE-1");
    expect(await connectCode({ clientId: sender.deviceId, username: sender.deviceId, password: "wrong-secret" })).toBe(
      4,
    );
    await th.waitForLog(
      (l) => l.code === "MQTT_AUTH_REFUSED" && l.username === sender.deviceId && l.reason === "wrong device secret",
    );
    expect(await connectCode({ clientId: "anon" })).toBe(5);
    // A device may not borrow another's client id (that would knock the other device off).
    expect(await connectCode({ clientId: victim.deviceId, username: sender.deviceId, password: sender.secret })).toBe(
      5,
    );

    // A device revoked behind the hub's back (another process writing the database) while connected:
    // its next publish fails the ACL's credential check, so the session is closed and nothing is stored.
    const revoked = device(5);
    const revokedClient = await connectAsDevice(th.mqttUrl, revoked);
    const revokedClosed = new Promise<void>((resolve) => revokedClient.once("close", () => resolve()));
    th.hub.db.prepare("UPDATE devices SET status = 'revoked' WHERE id = ?").run(revoked.deviceId);
    revokedClient.publish(
      deviceTopic(revoked.deviceId, "alarm"),
      JSON.stringify({
        pressId: "revoked-press-1",
        kind: "sos",
        deviceTime: new Date().toISOString(),
        seq: 1,
        battery: 50,
      }),
      { qos: 1 },
    );
    await revokedClosed;
    await th.waitForLog((l) => l.code === "MQTT_PUBLISH_DENIED" && l.topic === deviceTopic(revoked.deviceId, "alarm"));
    expect(alarmCount(revoked.deviceId)).toBe(0);
    revokedClient.end(true);
    expect(
      await connectCode({ clientId: revoked.deviceId, username: revoked.deviceId, password: revoked.secret }),
    ).toBe(5);

    // Through all of that, the good press was stored and acked, and the hub still takes new ones.
    const ack = await goodPress;
    expect(th.hub.db.prepare("SELECT device_id FROM alarms WHERE id = ?").get(ack.alarmId)).toEqual({
      device_id: goodDevice.deviceId,
    });
    // A further press while that alarm is open attaches to it (one incident, two presses).
    const second = await good.press("service");
    expect(second).toMatchObject({ alarmId: ack.alarmId, duplicate: false });
    expect(th.hub.db.prepare("SELECT press_count FROM alarms WHERE id = ?").get(ack.alarmId)).toEqual({
      press_count: 2,
    });
    await good.stop();
  });

  it("lets hub users monitor over MQTT with their own credentials, but never publish as a device", async () => {
    const monitor = await mqtt.connectAsync(th.mqttUrl, {
      clientId: "admin:monitor",
      username: "admin",
      password: th.adminPassword,
      reconnectPeriod: 0,
    });
    const seen: string[] = [];
    monitor.on("message", (topic) => seen.push(topic));
    await monitor.subscribeAsync("anxin/v1/#", { qos: 1 });
    const target = device(6);
    const button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: target.deviceId, secret: target.secret });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("test");
    await waitFor(() => seen.includes(deviceTopic(target.deviceId, "ack")), 3000, "monitor sees the ack");
    await button.stop();

    const closed = new Promise<void>((resolve) => monitor.once("close", () => resolve()));
    monitor.publish(deviceTopic(target.deviceId, "alarm"), "{}", { qos: 1 });
    await closed;
    await th.waitForLog((l) => l.code === "MQTT_PUBLISH_DENIED" && (l.identity as { type?: string })?.type === "user");
    expect(alarmCount(target.deviceId)).toBe(1);
    expect(ack.alarmId).not.toBeNull();
    monitor.end(true);
    expect(await connectCode({ clientId: "admin", username: "admin", password: "wrong-password" })).toBe(4);
  });
});
