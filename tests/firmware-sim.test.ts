/**
 * The simulated button against a real Aedes broker on an ephemeral port, with a
 * scripted "hub" attached to the broker in-process, so every assertion is about
 * what actually crossed MQTT.
 */
import net, { type AddressInfo } from "node:net";
import type { Aedes, AedesPublishPacket, Client } from "aedes";
import { connectAsync, type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import {
  DeviceRefusedError,
  SimulatedButton,
  type SimulatedButtonEvents,
  type SimulatedButtonOptions,
} from "../firmware-sim/device.ts";
import {
  type AckMessage,
  type AlarmMessage,
  decodeMessage,
  deviceTopic,
  encodeMessage,
  type FeedbackState,
  type HubToDeviceKind,
} from "../protocol/index.ts";

const DEVICE_ID = "KL-0001";
const SECRET = "s3cret-for-tests";
/** A second identity so a test can watch the device's topics like any other MQTT client would. */
const OBSERVER = { username: "observer", password: "observer-secret" };

interface TestBroker {
  broker: Aedes;
  url: string;
  clients: Client[];
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startBroker(): Promise<TestBroker> {
  const { Aedes } = await import("aedes");
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      const secret = password?.toString("utf8");
      if (username === DEVICE_ID && secret === SECRET) return done(null, true);
      if (username === OBSERVER.username && secret === OBSERVER.password) return done(null, true);
      done(Object.assign(new Error("bad username or password"), { returnCode: 4 as const }), false);
    },
  });
  const clients: Client[] = [];
  broker.on("clientReady", (client) => clients.push(client));
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { broker, url: `mqtt://127.0.0.1:${port}`, clients };
}

function newButton(url: string, overrides: Partial<SimulatedButtonOptions> = {}): SimulatedButton {
  const button = new SimulatedButton({
    mqttUrl: url,
    deviceId: DEVICE_ID,
    secret: SECRET,
    retryInitialMs: 20,
    retryMaxMs: 80,
    ...overrides,
  });
  cleanups.push(() => button.stop());
  return button;
}

/** The scripted hub: sees every alarm of the device and decides whether to ack it. */
async function scriptHub(
  broker: Aedes,
  shouldAck: (alarm: AlarmMessage) => boolean,
  alarmId: number | null = 42,
): Promise<AlarmMessage[]> {
  const received: AlarmMessage[] = [];
  const deliver = (packet: AedesPublishPacket, callback: () => void) => {
    const decoded = decodeMessage("alarm", packet.payload.toString());
    if (decoded.ok) {
      received.push(decoded.value);
      if (shouldAck(decoded.value)) {
        const ack: AckMessage = { pressId: decoded.value.pressId, alarmId, duplicate: false, hubTime: now() };
        void hubPublish(broker, "ack", encodeMessage("ack", ack));
      }
    }
    callback();
  };
  await new Promise<void>((resolve) => broker.subscribe(deviceTopic(DEVICE_ID, "alarm"), deliver, resolve));
  return received;
}

function hubPublish(broker: Aedes, kind: HubToDeviceKind, payload: string, retain = false): Promise<void> {
  const packet = { cmd: "publish", topic: deviceTopic(DEVICE_ID, kind), payload, qos: 1, retain, dup: false } as const;
  return new Promise<void>((resolve, reject) => broker.publish(packet, (error) => (error ? reject(error) : resolve())));
}

async function connectObserver(url: string): Promise<MqttClient> {
  const observer = await connectAsync(url, { ...OBSERVER, clientId: `observer-${Math.random()}`, reconnectPeriod: 0 });
  cleanups.push(() => observer.endAsync());
  return observer;
}

/** Subscribes and resolves with the first message on the topic (a retained one arrives right away). */
async function firstMessage(observer: MqttClient, topic: string): Promise<{ payload: string; retain: boolean }> {
  const arrived = new Promise<{ payload: string; retain: boolean }>((resolve) => {
    observer.on("message", (t, payload, packet) => {
      if (t === topic) resolve({ payload: payload.toString(), retain: packet.retain });
    });
  });
  await observer.subscribeAsync(topic, { qos: 1 });
  return arrived;
}

function nextEvent<E extends keyof SimulatedButtonEvents>(
  button: SimulatedButton,
  event: E,
): Promise<SimulatedButtonEvents[E]> {
  return new Promise((resolve) => {
    const off = button.on(event, (...args) => {
      off();
      resolve(args);
    });
  });
}

function now(): string {
  return new Date().toISOString();
}

function feedback(state: FeedbackState, alarmId: number | null): string {
  return JSON.stringify({ state, alarmId, at: now() });
}

describe("SimulatedButton", () => {
  it("re-sends the same pressId with a growing attempt until the hub acks, then resolves with the ack", async () => {
    const { broker, url } = await startBroker();
    let seen = 0;
    const received = await scriptHub(broker, () => ++seen > 2);
    const button = newButton(url);
    const sent: AlarmMessage[] = [];
    button.on("sent", (alarm) => sent.push(alarm));
    await button.start();

    const ack = await button.press("sos");

    expect(received.map((alarm) => alarm.attempt)).toEqual([1, 2, 3]);
    expect(new Set(received.map((alarm) => alarm.pressId))).toEqual(new Set([ack.pressId]));
    expect(received.every((alarm) => alarm.kind === "sos" && alarm.seq === 0)).toBe(true);
    expect(sent.map((alarm) => alarm.attempt)).toEqual([1, 2, 3]);
    expect(ack).toMatchObject({ alarmId: 42, duplicate: false });
    expect(button.pendingPresses).toBe(0);
  });

  it("gives every press its own pressId and seq", async () => {
    const { broker, url } = await startBroker();
    const received = await scriptHub(broker, () => true);
    const button = newButton(url);
    await button.start();

    const acks = await Promise.all([button.press("service"), button.press("test")]);

    expect(new Set(acks.map((ack) => ack.pressId)).size).toBe(2);
    expect(received.map((alarm) => alarm.seq).sort()).toEqual([0, 1]);
  });

  it("accepts the ack of a cancel that found no open alarm (alarmId null)", async () => {
    const { broker, url } = await startBroker();
    await scriptHub(broker, () => true, null);
    const button = newButton(url);
    await button.start();

    await expect(button.press("cancel")).resolves.toMatchObject({ alarmId: null });
  });

  it("re-sends a pending press right after a reconnect", async () => {
    const { broker, url, clients } = await startBroker();
    let hubUp = false;
    const received = await scriptHub(broker, () => hubUp);
    // A long retry delay, so the second attempt can only come from the reconnect.
    const button = newButton(url, { retryInitialMs: 60_000 });
    await button.start();
    const firstSent = nextEvent(button, "sent");
    const pressed = button.press("sos");
    await firstSent;

    hubUp = true;
    const reconnected = nextEvent(button, "connected");
    clients.find((client) => client.id === DEVICE_ID)?.conn.destroy();
    await reconnected;
    const ack = await pressed;

    expect(received.map((alarm) => alarm.attempt)).toEqual([1, 2]);
    expect(ack.pressId).toBe(received[0]?.pressId);
  });

  it("leaves status online retained once start() resolves", async () => {
    const { url } = await startBroker();
    await newButton(url).start();

    const observer = await connectObserver(url);
    const status = await firstMessage(observer, deviceTopic(DEVICE_ID, "status"));

    expect(status.retain).toBe(true);
    expect(JSON.parse(status.payload)).toMatchObject({ state: "online" });
  });

  it("has its Last Will publish a retained offline status when kill() drops the socket", async () => {
    const { url } = await startBroker();
    const button = newButton(url);
    await button.start();
    const watcher = await connectObserver(url);
    await firstMessage(watcher, deviceTopic(DEVICE_ID, "status"));
    const will = new Promise<string>((resolve) => watcher.on("message", (_t, payload) => resolve(payload.toString())));

    button.kill();

    expect(JSON.parse(await will)).toMatchObject({ state: "offline" });
    const late = await firstMessage(await connectObserver(url), deviceTopic(DEVICE_ID, "status"));
    expect(late.retain).toBe(true);
    expect(JSON.parse(late.payload)).toMatchObject({ state: "offline" });
  });

  it("sends valid QoS 0 heartbeats while connected", async () => {
    const { broker, url } = await startBroker();
    const heartbeat = new Promise<{ qos: number; payload: string }>((resolve) => {
      const deliver = (packet: AedesPublishPacket, callback: () => void) => {
        resolve({ qos: packet.qos, payload: packet.payload.toString() });
        callback();
      };
      broker.subscribe(deviceTopic(DEVICE_ID, "heartbeat"), deliver, () => {});
    });
    await newButton(url, { heartbeatIntervalMs: 20, battery: 64 }).start();

    const { qos, payload } = await heartbeat;

    expect(qos).toBe(0);
    const decoded = decodeMessage("heartbeat", payload);
    expect(decoded.ok && decoded.value.battery).toBe(64);
  });

  it("rejects start() with a clear error on a bad password", async () => {
    const { url } = await startBroker();
    const button = newButton(url, { secret: "wrong" });

    const failure = button.start();

    await expect(failure).rejects.toBeInstanceOf(DeviceRefusedError);
    await expect(failure).rejects.toMatchObject({ returnCode: 4 });
    await expect(failure).rejects.toThrow(/KL-0001.*bad username or password/);
  });

  it("follows feedback: the retained state on connect, then every update", async () => {
    const { broker, url } = await startBroker();
    await hubPublish(broker, "feedback", feedback("received", 7), true);
    const button = newButton(url);
    const firstFeedback = nextEvent(button, "feedback");
    await button.start();
    await firstFeedback;
    expect(button.feedbackState).toBe("received");

    const update = nextEvent(button, "feedback");
    await hubPublish(broker, "feedback", feedback("dispatched", 7), true);
    const [message] = await update;

    expect(message).toMatchObject({ state: "dispatched", alarmId: 7 });
    expect(button.feedbackState).toBe("dispatched");
  });

  it("reports hub error messages", async () => {
    const { broker, url } = await startBroker();
    const button = newButton(url);
    await button.start();
    const reported = nextEvent(button, "hubError");
    const error = { code: "SCHEMA_VIOLATION", message: "/battery: too big", topic: "x", hubTime: now() };

    await hubPublish(broker, "error", JSON.stringify(error));

    expect((await reported)[0]).toMatchObject({ code: "SCHEMA_VIOLATION", message: "/battery: too big" });
  });

  it("reports and ignores invalid hub messages, and keeps working", async () => {
    const { broker, url } = await startBroker();
    const button = newButton(url);
    const reports: SimulatedButtonEvents["invalidMessage"][0][] = [];
    button.on("invalidMessage", (report) => reports.push(report));
    await button.start();

    await hubPublish(broker, "ack", "{not json");
    await hubPublish(broker, "feedback", JSON.stringify({ state: "on-fire", alarmId: 1, at: now() }));
    const update = nextEvent(button, "feedback");
    await hubPublish(broker, "feedback", feedback("acknowledged", 3));
    await update;

    expect(reports.map((report) => report.code)).toEqual(["MALFORMED_JSON", "SCHEMA_VIOLATION"]);
    expect(reports[1]?.topic).toBe(deviceTopic(DEVICE_ID, "feedback"));
    expect(button.feedbackState).toBe("acknowledged");
  });

  it("rejects a pending press when stopped", async () => {
    const { broker, url } = await startBroker();
    await scriptHub(broker, () => false);
    const button = newButton(url);
    await button.start();
    const outcome = expect(button.press("sos")).rejects.toThrow(/KL-0001 was stopped/);

    await button.stop();

    await outcome;
  });
});
