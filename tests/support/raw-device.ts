/**
 * A bare MQTT client speaking as a device, for tests that must send what a
 * well-behaved simulator never would (duplicates, garbage, foreign topics).
 */
import mqtt, { type MqttClient } from "mqtt";
import { deviceTopic, type HubToDeviceKind, type MessageByKind, type TopicKind } from "../../protocol/index.ts";

export async function connectAsDevice(
  url: string,
  credential: { deviceId: string; secret: string },
  clientSuffix = "raw",
): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    clientId: `${credential.deviceId}:${clientSuffix}`,
    username: credential.deviceId,
    password: credential.secret,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}

/** Subscribes to `responseKind`, publishes every payload, and resolves with the first `count` responses. */
export async function publishAndCollect<K extends HubToDeviceKind>(
  client: MqttClient,
  deviceId: string,
  kind: TopicKind,
  payloads: readonly string[],
  responseKind: K,
  count: number,
  timeoutMs = 5000,
): Promise<MessageByKind[K][]> {
  const responses: MessageByKind[K][] = [];
  const responseTopic = deviceTopic(deviceId, responseKind);
  await client.subscribeAsync(responseTopic, { qos: 1 });
  const done = new Promise<MessageByKind[K][]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${responses.length} of ${count} ${responseKind} messages within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.on("message", (topic, payload) => {
      if (topic !== responseTopic) return;
      responses.push(JSON.parse(payload.toString()) as MessageByKind[K]);
      if (responses.length >= count) {
        clearTimeout(timer);
        resolve(responses.slice(0, count));
      }
    });
  });
  for (const payload of payloads) await client.publishAsync(deviceTopic(deviceId, kind), payload, { qos: 1 });
  return done;
}

/** Subscribes to one hub → device topic and returns the live list of decoded messages it receives. */
export async function collectMessages<K extends HubToDeviceKind>(
  client: MqttClient,
  deviceId: string,
  kind: K,
): Promise<MessageByKind[K][]> {
  const received: MessageByKind[K][] = [];
  const topic = deviceTopic(deviceId, kind);
  client.on("message", (incoming, payload) => {
    if (incoming === topic) received.push(JSON.parse(payload.toString()) as MessageByKind[K]);
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return received;
}
