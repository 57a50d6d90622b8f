/**
 * MQTT topic layout of the device↔hub contract, version 1.
 *
 * Every device owns exactly one subtree, `anxin/v1/devices/<deviceId>/`, and the
 * broker's ACL lets a device publish and subscribe only inside its own subtree.
 * The version sits in the topic (not in the payload) so a v2 device and a v1
 * device can share one broker during a fleet upgrade.
 */

export const PROTOCOL_VERSION = 1 as const;
export const TOPIC_ROOT = `anxin/v${PROTOCOL_VERSION}` as const;
export const DEVICES_ROOT = `${TOPIC_ROOT}/devices` as const;

/** Messages a device publishes. */
export const DEVICE_TO_HUB = ["alarm", "heartbeat", "status"] as const;
/**
 * Messages the hub publishes to a device. A device subscribes to all of them
 * (`command` asks it to do something, for example press `test`).
 */
export const HUB_TO_DEVICE = ["ack", "feedback", "error", "command"] as const;

export type DeviceToHubKind = (typeof DEVICE_TO_HUB)[number];
export type HubToDeviceKind = (typeof HUB_TO_DEVICE)[number];
export type TopicKind = DeviceToHubKind | HubToDeviceKind;

/**
 * Device ids travel inside topics, so they must not contain MQTT wildcards or
 * separators. Upper/lower letters, digits, `-` and `_`, 1–64 characters.
 */
export const DEVICE_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
const deviceIdRegExp = new RegExp(DEVICE_ID_PATTERN);

export function isValidDeviceId(deviceId: string): boolean {
  return deviceIdRegExp.test(deviceId);
}

/**
 * MQTT lets a new connection take over any session with the same client id, so
 * the broker namespaces client ids by identity. Firmware uses the bare device
 * id; a diagnostic tool running beside it uses `<deviceId>:<suffix>`. `:` never
 * occurs in a device id, so `KL-0001:watch` cannot be mistaken for a device.
 */
export const CLIENT_ID_SEPARATOR = ":";

export function clientIdBelongsTo(clientId: string, principal: string): boolean {
  return clientId === principal || clientId.startsWith(`${principal}${CLIENT_ID_SEPARATOR}`);
}

export function deviceTopic(deviceId: string, kind: TopicKind): string {
  if (!isValidDeviceId(deviceId)) {
    throw new RangeError(`invalid device id for a topic: ${JSON.stringify(deviceId)}`);
  }
  return `${DEVICES_ROOT}/${deviceId}/${kind}`;
}

/** Wildcard the hub (or a monitoring service) subscribes to for one kind from every device. */
export function allDevicesTopic(kind: TopicKind): string {
  return `${DEVICES_ROOT}/+/${kind}`;
}

export interface ParsedDeviceTopic {
  deviceId: string;
  kind: TopicKind;
}

const KNOWN_KINDS: ReadonlySet<string> = new Set<string>([...DEVICE_TO_HUB, ...HUB_TO_DEVICE]);

/** Parses `anxin/v1/devices/<id>/<kind>`; returns null for any other topic. */
export function parseDeviceTopic(topic: string): ParsedDeviceTopic | null {
  const parts = topic.split("/");
  if (parts.length !== 5) return null;
  const [root, version, devices, deviceId, kind] = parts as [string, string, string, string, string];
  if (`${root}/${version}/${devices}` !== DEVICES_ROOT) return null;
  if (!isValidDeviceId(deviceId) || !KNOWN_KINDS.has(kind)) return null;
  return { deviceId, kind: kind as TopicKind };
}

export function isDeviceToHubKind(kind: TopicKind): kind is DeviceToHubKind {
  return (DEVICE_TO_HUB as readonly string[]).includes(kind);
}
