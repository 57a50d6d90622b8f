/**
 * A real Aedes broker on an ephemeral port with a scripted "hub" attached
 * in-process, for the simulated button's tests: every assertion is about what
 * actually crossed MQTT. Register `runCleanups` in `afterEach`.
 */
import net, { type AddressInfo } from "node:net";
import type { Aedes, AedesPublishPacket, Client } from "aedes";
import { connectAsync, type MqttClient } from "mqtt";
import { SimulatedButton, type SimulatedButtonEvents, type SimulatedButtonOptions } from "../../firmware-sim/device.ts";
import {
  type AckMessage,
  type AlarmMessage,
  decodeMessage,
  deviceTopic,
  encodeMessage,
  type FeedbackState,
  type HubToDeviceKind,
} from "../../protocol/index.ts";

export const DEVICE_ID = "KL-0001";
export const SECRET = "s3cret-for-tests";
/** A second identity so a test can watch the device's topics like any other MQTT client would. */
export const OBSERVER = { username: "observer", password: "observer-secret" };

export interface TestBroker {
  broker: Aedes;
  url: string;
  clients: Client[];
}

export const cleanups: Array<() => Promise<void> | void> = [];

/** For `afterEach`: closes every broker and button the test started, newest first. */
export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export async function startBroker(): Promise<TestBroker> {
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

export function newButton(url: string, overrides: Partial<SimulatedButtonOptions> = {}): SimulatedButton {
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
export async function scriptHub(
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

export function hubPublish(broker: Aedes, kind: HubToDeviceKind, payload: string, retain = false): Promise<void> {
  const packet = { cmd: "publish", topic: deviceTopic(DEVICE_ID, kind), payload, qos: 1, retain, dup: false } as const;
  return new Promise<void>((resolve, reject) => broker.publish(packet, (error) => (error ? reject(error) : resolve())));
}

export async function connectObserver(url: string): Promise<MqttClient> {
  const observer = await connectAsync(url, { ...OBSERVER, clientId: `observer-${Math.random()}`, reconnectPeriod: 0 });
  cleanups.push(() => observer.endAsync());
  return observer;
}

/** Subscribes and resolves with the first message on the topic (a retained one arrives right away). */
export async function firstMessage(observer: MqttClient, topic: string): Promise<{ payload: string; retain: boolean }> {
  const arrived = new Promise<{ payload: string; retain: boolean }>((resolve) => {
    observer.on("message", (t, payload, packet) => {
      if (t === topic) resolve({ payload: payload.toString(), retain: packet.retain });
    });
  });
  await observer.subscribeAsync(topic, { qos: 1 });
  return arrived;
}

export function nextEvent<E extends keyof SimulatedButtonEvents>(
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

export function now(): string {
  return new Date().toISOString();
}

export function feedback(state: FeedbackState, alarmId: number | null): string {
  return JSON.stringify({ state, alarmId, at: now() });
}
