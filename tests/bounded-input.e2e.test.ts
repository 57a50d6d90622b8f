/**
 * Issue 11, part 2: every field a device sends has a bound, duplicate JSON keys
 * are refused, and a refused message costs one bounded log line. Each press goes
 * over real MQTT to a real hub with real SQLite; a well-behaved button presses
 * beside the hostile one and must still be stored and acked.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { deviceTopic, type ErrorMessage } from "../protocol/index.ts";
import { collectMessages, connectAsDevice } from "./support/raw-device.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

/** What one refused message may cost in the log, whatever its size: a prefix, the size, the reason. */
const LOG_LINE_MAX = 2048;

describe("bounded device input", () => {
  let th: TestHub;
  let client: MqttClient;
  let errors: ErrorMessage[];
  let deviceId: string;
  let pressNo = 0;

  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    const credential = th.demoDevices[20];
    if (!credential) throw new Error("no demo device 20");
    deviceId = credential.deviceId;
    client = await connectAsDevice(th.mqttUrl, credential);
    errors = await collectMessages(client, deviceId, "error");
  });
  afterAll(async () => {
    client?.end(true);
    await th?.stop();
  });

  const pressesStored = (pressId: string) =>
    th.hub.db.prepare("SELECT COUNT(*) AS n FROM presses WHERE press_id = ?").get(pressId) as { n: number };
  const newPressId = () => `bounded-press-${String(++pressNo).padStart(3, "0")}`;
  const press = (fields: Record<string, unknown> = {}) => ({
    pressId: newPressId(),
    kind: "test",
    deviceTime: new Date().toISOString(),
    seq: pressNo,
    battery: 80,
    ...fields,
  });

  /** Publishes a raw payload on the alarm topic and waits for the hub's refusal on the error topic. */
  async function refusalOf(payload: string): Promise<ErrorMessage> {
    const before = errors.length;
    await client.publishAsync(deviceTopic(deviceId, "alarm"), payload, { qos: 1 });
    return waitFor(() => errors[before], 5000, "an error message to the device");
  }

  it("refuses a deviceTime longer than the protocol allows; nothing is stored or acked", async () => {
    // A valid RFC 3339 date-time with 600 fraction digits: the format alone never bounded it.
    const message = press({ deviceTime: `2026-11-23T08:00:00.${"0".repeat(600)}Z` });
    const refusal = await refusalOf(JSON.stringify(message));
    expect(refusal.code).toBe("SCHEMA_VIOLATION");
    expect(refusal.message).toMatch(/\/deviceTime/);
    expect(pressesStored(message.pressId).n).toBe(0);
  });

  it("answers a payload just over the protocol's 4096 bytes with PAYLOAD_TOO_LARGE, and stores one at the limit", async () => {
    // Under the broker's default packet limit: the message arrives and is answered, not cut off.
    const padded = (bytes: number, message: Record<string, unknown>) => {
      const text = JSON.stringify(message);
      return `${text.slice(0, -1)}${" ".repeat(bytes - Buffer.byteLength(text))}}`;
    };
    const over = press();
    const refusal = await refusalOf(padded(4097, over));
    expect(refusal.code).toBe("PAYLOAD_TOO_LARGE");
    expect(pressesStored(over.pressId).n).toBe(0);
    const atLimit = press();
    await client.publishAsync(deviceTopic(deviceId, "alarm"), padded(4096, atLimit), { qos: 1 });
    await waitFor(() => pressesStored(atLimit.pressId).n === 1, 5000, "the press at the limit stored");
    expect(client.connected).toBe(true);
  });

  it("refuses numbers outside their ranges (seq 1e300, seq 2^32, attempt 2^32) and stores the largest seq as an integer", async () => {
    for (const fields of [{ seq: 1e300 }, { seq: 2 ** 32 }, { attempt: 2 ** 32 }]) {
      const message = press(fields);
      const refusal = await refusalOf(JSON.stringify(message));
      expect(refusal.code).toBe("SCHEMA_VIOLATION");
      expect(refusal.message).toMatch(/\/(seq|attempt)/);
      expect(pressesStored(message.pressId).n).toBe(0);
    }
    const edge = press({ seq: 2 ** 32 - 1, attempt: 2 ** 32 - 1 });
    const acks = await collectMessages(client, deviceId, "ack");
    await client.publishAsync(deviceTopic(deviceId, "alarm"), JSON.stringify(edge), { qos: 1 });
    await waitFor(() => acks.find((a) => a.pressId === edge.pressId), 5000, "the ack of the edge press");
    expect(
      th.hub.db.prepare("SELECT seq, typeof(seq) AS type FROM presses WHERE press_id = ?").get(edge.pressId),
    ).toEqual({ seq: 2 ** 32 - 1, type: "integer" });
  });

  it("refuses duplicate keys, so a test press can never become an SOS (nor the reverse)", async () => {
    const base = press();
    const { kind: _kind, ...rest } = base;
    const body = JSON.stringify(rest).slice(1, -1);
    const payloads = [
      `{"kind":"test",${body},"kind":"sos"}`,
      `{"kind":"sos",${body},"kind":"test"}`,
      // The same key spelled with a JSON escape is the same key once decoded.
      `{"kind":"test",${body},"k\\u0069nd":"sos"}`,
    ];
    for (const payload of payloads) {
      const refusal = await refusalOf(payload);
      expect(refusal.code).toBe("DUPLICATE_KEY");
      expect(refusal.message).toMatch(/"kind"/);
    }
    expect(pressesStored(base.pressId).n).toBe(0);
    const refusals = th.logs.filter((l) => l.deviceId === deviceId && l.code === "DUPLICATE_KEY");
    expect(refusals).toHaveLength(3);
  });

  it("logs a refused message as one bounded line (a prefix and the size), and tells the device a bounded reason", async () => {
    const logsBefore = th.logs.length;
    const huge = "A".repeat(3000);
    // An unknown field whose name is itself 3000 characters: the schema's reason names it.
    const keyed = `{${JSON.stringify(huge)}:1,${JSON.stringify(press()).slice(1)}`;
    const valued = JSON.stringify({ ...press(), note: huge });
    const garbage = `{${huge}`;
    for (const payload of [keyed, valued, garbage]) {
      const refusal = await refusalOf(payload);
      expect(JSON.stringify(refusal).length).toBeLessThan(1024);
    }
    // The same for a heartbeat, refused by device presence rather than the pipeline.
    await client.publishAsync(deviceTopic(deviceId, "heartbeat"), keyed, { qos: 1 });
    await th.waitForLog((l) => l.msg === "heartbeat message refused" && l.deviceId === deviceId);

    const refused = th.logs.slice(logsBefore).filter((l) => /message refused/.test(l.msg));
    expect(refused).toHaveLength(4);
    for (const line of refused) {
      expect(JSON.stringify(line).length).toBeLessThan(LOG_LINE_MAX);
      expect(line.bytes).toBeGreaterThan(3000);
      expect(typeof line.excerpt).toBe("string");
      expect((line.excerpt as string).length).toBeLessThanOrEqual(200);
    }
  });

  it("logs MQTT refusals with the client id, username and topic cut short", async () => {
    const long = "Z".repeat(1500);
    // A login refused: an unknown user whose name and client id are long.
    await mqtt
      .connectAsync(th.mqttUrl, { clientId: long, username: long, password: "x", reconnectPeriod: 0 })
      .then((c) => c.end(true))
      .catch(() => undefined);
    const auth = await th.waitForLog((l) => l.code === "MQTT_AUTH_REFUSED" && String(l.username).startsWith("ZZZ"));
    // A subscribe refused, then a publish refused, on long topics.
    const credential = th.demoDevices[22];
    if (!credential) throw new Error("no demo device 22");
    const other = await connectAsDevice(th.mqttUrl, credential);
    await expect(other.subscribeAsync(`x/${long}`, { qos: 0 })).rejects.toThrow();
    const subscribe = await th.waitForLog(
      (l) => l.code === "MQTT_SUBSCRIBE_DENIED" && String(l.topic).startsWith("x/"),
    );
    const closed = new Promise<void>((resolve) => other.once("close", () => resolve()));
    other.publish(`x/${long}`, "{}", { qos: 1 });
    await closed;
    const publish = await th.waitForLog((l) => l.code === "MQTT_PUBLISH_DENIED" && String(l.topic).startsWith("x/"));
    other.end(true);
    for (const line of [auth, subscribe, publish]) {
      expect(JSON.stringify(line).length).toBeLessThan(1024);
    }
    expect(String(auth.username)).toMatch(/^Z+…$/);
  });

  it("still stores and acks a good press from another device while all of that goes on", async () => {
    const good = th.demoDevices[21];
    if (!good) throw new Error("no demo device 21");
    const button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: good.deviceId, secret: good.secret });
    await button.start({ timeoutMs: 5000 });
    try {
      const pending = button.press("sos");
      const payload = `{"kind":"test",${JSON.stringify(press()).slice(1, -1)},"kind":"sos"}`;
      await refusalOf(payload);
      const ack = await pending;
      expect(ack.alarmId).not.toBeNull();
      expect(th.hub.db.prepare("SELECT kind FROM alarms WHERE id = ?").get(ack.alarmId)).toEqual({ kind: "sos" });
    } finally {
      await button.stop();
    }
  });
});
