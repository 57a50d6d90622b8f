/**
 * Many buttons pressing at once, as bare MQTT clients (one per device), for
 * the group-commit tests: every press is published without waiting for the
 * one before, and every ack is handed to `onAck` the moment it arrives, so a
 * test can look at the database file right then.
 */
import type { MqttClient } from "mqtt";
import { type AckMessage, type AlarmKind, deviceTopic } from "../../protocol/index.ts";
import { connectAsDevice } from "./raw-device.ts";
import { waitFor } from "./test-hub.ts";

export interface ReceivedAck extends AckMessage {
  deviceId: string;
}

export interface Press {
  deviceId: string;
  pressId: string;
  kind: AlarmKind;
  /** 1 for the first send; more for a device's retry of the same press. */
  attempt: number;
}

export interface PressBurst {
  acks: ReceivedAck[];
  /** Publishes every press at once (QoS 1), in the order given per device. */
  send(presses: readonly Press[]): void;
  /** Waits until `count` acks arrived in all. */
  waitForAcks(count: number, timeoutMs?: number): Promise<ReceivedAck[]>;
  close(): void;
}

export async function connectBurst(
  mqttUrl: string,
  credentials: readonly { deviceId: string; secret: string }[],
  onAck: (ack: ReceivedAck) => void = () => {},
): Promise<PressBurst> {
  const acks: ReceivedAck[] = [];
  const clients = new Map<string, MqttClient>();
  await Promise.all(
    credentials.map(async (credential) => {
      const client = await connectAsDevice(mqttUrl, credential, "burst");
      const ackTopic = deviceTopic(credential.deviceId, "ack");
      client.on("message", (topic, payload) => {
        if (topic !== ackTopic) return;
        const ack: ReceivedAck = { ...(JSON.parse(payload.toString()) as AckMessage), deviceId: credential.deviceId };
        onAck(ack);
        acks.push(ack);
      });
      await client.subscribeAsync(ackTopic, { qos: 1 });
      clients.set(credential.deviceId, client);
    }),
  );
  return {
    acks,
    send(presses) {
      for (const press of presses) {
        const client = clients.get(press.deviceId);
        if (!client) throw new Error(`no client for ${press.deviceId}`);
        const payload = JSON.stringify({
          pressId: press.pressId,
          kind: press.kind,
          deviceTime: new Date().toISOString(),
          seq: 1,
          battery: 77,
          attempt: press.attempt,
        });
        client.publish(deviceTopic(press.deviceId, "alarm"), payload, { qos: 1 });
      }
    },
    waitForAcks: (count, timeoutMs = 20_000) =>
      waitFor(() => acks.length >= count && acks, timeoutMs, `${count} acks (have ${acks.length})`),
    close() {
      for (const client of clients.values()) client.end(true);
    },
  };
}
