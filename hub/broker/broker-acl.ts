/**
 * What a logged-in client may do (Aedes' `authorizePublish` and
 * `authorizeSubscribe` hooks).
 *
 * - A device publishes only `alarm`, `heartbeat` and `status` under its own id,
 *   and subscribes only to what the hub sends it there. Its credentials are
 *   checked again at every publish: once its secret is rotated or it is revoked
 *   (also by another process writing the database), the old session can no
 *   longer get a press stored; the hub closes such sessions at once as well.
 * - Nobody but the hub retains anything: the retain flag of every client
 *   publish, the Last Will included, is cleared before Aedes stores it. Older
 *   firmware that still sets it keeps working; the broker just keeps nothing.
 * - Hub users (administrators and monitor accounts, see broker-auth.ts) may
 *   subscribe anywhere under `anxin/v1/`, and never publish.
 */
import type { Client, PublishPacket, Subscription } from "aedes";
import type { Logger } from "pino";
import { DEVICES_ROOT, HUB_TO_DEVICE, isDeviceToHubKind, parseDeviceTopic, TOPIC_ROOT } from "../../protocol/index.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { BrokerAuth, BrokerIdentity } from "./broker-auth.ts";
import { MQTT_ROLES } from "./broker-auth.ts";

/**
 * What a device may subscribe to under its own id: everything the hub sends it,
 * `ack`, `feedback`, `error` and `command` (the hub's requests, such as a
 * scheduled test press). Never another device's topics, never what devices send.
 */
const DEVICE_SUBSCRIBABLE: ReadonlySet<string> = new Set<string>(HUB_TO_DEVICE);

export class BrokerAcl {
  private readonly auth: BrokerAuth;
  private readonly registry: RegistryRepository;
  private readonly logger: Logger;

  constructor(deps: { auth: BrokerAuth; registry: RegistryRepository; logger: Logger }) {
    this.auth = deps.auth;
    this.registry = deps.registry;
    this.logger = deps.logger;
  }

  /** Still the credentials it logged in with: active, and the same secret (not rotated since). */
  credentialsCurrent(identity: BrokerIdentity & { type: "device" }): boolean {
    const device = this.registry.findDevice(identity.deviceId);
    return device !== undefined && device.status === "active" && device.secret_hash === identity.secretHash;
  }

  readonly authorizePublish = (
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
  ) => {
    if (!client) return callback(null); // the hub's own publishes
    packet.retain = false;
    const identity = this.auth.identity(client);
    const reason = this.publishRefusal(client, identity, packet);
    if (reason === null) return callback(null);
    this.logger.warn(
      { code: "MQTT_PUBLISH_DENIED", clientId: client.id, identity: describe(identity), topic: packet.topic, reason },
      "MQTT publish denied; disconnecting client",
    );
    // Aedes disconnects a client whose publish is refused: MQTT 3.1.1 has no other way to say no to a publish.
    callback(new Error(`publish to ${packet.topic} is not allowed: ${reason}`));
  };

  readonly authorizeSubscribe = (
    client: Client,
    subscription: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
  ) => {
    const identity = this.auth.identity(client);
    if (this.maySubscribe(identity, subscription.topic)) return callback(null, subscription);
    this.logger.warn(
      { code: "MQTT_SUBSCRIBE_DENIED", clientId: client.id, identity: describe(identity), topic: subscription.topic },
      "MQTT subscribe denied by ACL",
    );
    // A null subscription makes Aedes answer SUBACK 0x80 (failure) while keeping the client connected.
    callback(null, null);
  };

  private publishRefusal(client: Client, identity: BrokerIdentity | undefined, packet: PublishPacket): string | null {
    if (identity?.type !== "device") return "only devices publish";
    const parsed = parseDeviceTopic(packet.topic);
    if (!parsed || parsed.deviceId !== identity.deviceId || !isDeviceToHubKind(parsed.kind)) {
      return "not one of the device's own topics";
    }
    // Aedes authorizes a publish of a closed client only for its Last Will (packets are handled as they are
    // parsed, and closing stops the parser). The Will was set while the credentials held and says the
    // session ended, which it has: let it through, so presence learns the device is offline.
    if (client.closed) return null;
    return this.credentialsCurrent(identity) ? null : "the device's secret was rotated or the device revoked";
  }

  private maySubscribe(identity: BrokerIdentity | undefined, topic: string): boolean {
    if (!identity) return false;
    if (identity.type === "user") {
      return MQTT_ROLES.includes(identity.role) && (topic === `${TOPIC_ROOT}/#` || topic.startsWith(`${TOPIC_ROOT}/`));
    }
    if (topic === `${DEVICES_ROOT}/${identity.deviceId}/#`) return true;
    const parsed = parseDeviceTopic(topic);
    return parsed !== null && parsed.deviceId === identity.deviceId && DEVICE_SUBSCRIBABLE.has(parsed.kind);
  }
}

/** An identity for a log line, without the secret's hash. */
export function describe(identity: BrokerIdentity | undefined): Record<string, unknown> | null {
  if (!identity) return null;
  return identity.type === "device"
    ? { type: "device", deviceId: identity.deviceId }
    : { type: "user", username: identity.username, role: identity.role };
}
