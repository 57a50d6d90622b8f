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
 * - A client holds at most `MAX_SUBSCRIPTIONS` subscriptions, and (mqtt-broker.ts)
 *   no topic has more than 8 levels: Aedes keeps a trie node per level of every
 *   subscription, so 1,200 subscriptions of 100 garbage levels cost ~27 MB
 *   (bench/topic-garbage.ts). Ours have 5 levels; a device needs 4 subscriptions.
 *
 * Refusals are logged through RefusalLog, one line per kind and client per window.
 */
import type { Client, PublishPacket, Subscription } from "aedes";
import { DEVICES_ROOT, HUB_TO_DEVICE, isDeviceToHubKind, parseDeviceTopic, TOPIC_ROOT } from "../../protocol/index.ts";
import type { RefusalLog } from "../net/refusal-log.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { BrokerAuth, BrokerIdentity } from "./broker-auth.ts";
import { MQTT_ROLES } from "./broker-auth.ts";
import type { ConnectionGate } from "./connection-gate.ts";
import { logged } from "./logged.ts";

export const MAX_SUBSCRIPTIONS = 100;
/** Topic levels a publish or subscription may have (Aedes' `maxTopicLevels`); ours have 5. */
export const MAX_TOPIC_LEVELS = 8;

/**
 * What a device may subscribe to under its own id: everything the hub sends it,
 * `ack`, `feedback`, `error` and `command` (the hub's requests, such as a
 * scheduled test press). Never another device's topics, never what devices send.
 */
const DEVICE_SUBSCRIBABLE: ReadonlySet<string> = new Set<string>(HUB_TO_DEVICE);

export class BrokerAcl {
  private readonly auth: BrokerAuth;
  private readonly registry: RegistryRepository;
  private readonly refusals: RefusalLog;
  private readonly gate: ConnectionGate;
  /** Each client's subscribed filters, to hold it to MAX_SUBSCRIPTIONS. */
  private readonly subscriptions = new WeakMap<Client, Set<string>>();

  constructor(deps: { auth: BrokerAuth; registry: RegistryRepository; refusals: RefusalLog; gate: ConnectionGate }) {
    this.auth = deps.auth;
    this.registry = deps.registry;
    this.refusals = deps.refusals;
    this.gate = deps.gate;
  }

  /** Aedes' `unsubscribe` event: those filters no longer count. */
  unsubscribed(client: Client, topics: readonly string[]): void {
    const held = this.subscriptions.get(client);
    for (const topic of topics) held?.delete(topic);
  }

  /** Still the credentials it logged in with: active, and the same secret (not rotated since). */
  async credentialsCurrent(identity: BrokerIdentity & { type: "device" }): Promise<boolean> {
    const device = await this.registry.deviceCredentials(identity.deviceId);
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
    const reason = this.publishRefusal(identity, packet);
    if (reason !== null) return this.refusePublish(client, identity, packet, reason, callback);
    // Aedes authorizes a publish of a closed client only for its Last Will (packets are handled as they are
    // parsed, and closing stops the parser). The Will was set while the credentials held and says the
    // session ended, which it has: let it through, so presence learns the device is offline.
    if (identity?.type !== "device" || client.closed) return callback(null);
    this.credentialsCurrent(identity).then(
      (current) =>
        current
          ? callback(null)
          : this.refusePublish(
              client,
              identity,
              packet,
              "the device's secret was rotated or the device revoked",
              callback,
            ),
      // The registry could not be read: the publish is refused (the device retries), never let through unchecked.
      (error: unknown) =>
        this.refusePublish(client, identity, packet, `the registry could not be read: ${String(error)}`, callback),
    );
  };

  private refusePublish(
    client: Client,
    identity: BrokerIdentity | undefined,
    packet: PublishPacket,
    reason: string,
    callback: (error?: Error | null) => void,
  ): void {
    this.refusals.refused(
      "MQTT_PUBLISH_DENIED",
      this.gate.addressOf(client.conn),
      { clientId: logged(client.id), identity: describe(identity), topic: logged(packet.topic), reason },
      "MQTT publish denied; disconnecting client",
      principal(identity),
    );
    // Aedes disconnects a client whose publish is refused: MQTT 3.1.1 has no other way to say no to a publish.
    callback(new Error(`publish to ${packet.topic} is not allowed: ${reason}`));
  }

  readonly authorizeSubscribe = (
    client: Client,
    subscription: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
  ) => {
    const identity = this.auth.identity(client);
    const held = this.subscriptions.get(client) ?? new Set<string>();
    const full = !held.has(subscription.topic) && held.size >= MAX_SUBSCRIPTIONS;
    if (!full && this.maySubscribe(identity, subscription.topic)) {
      held.add(subscription.topic);
      this.subscriptions.set(client, held);
      return callback(null, subscription);
    }
    this.refusals.refused(
      "MQTT_SUBSCRIBE_DENIED",
      this.gate.addressOf(client.conn),
      {
        clientId: logged(client.id),
        identity: describe(identity),
        topic: logged(subscription.topic),
        reason: full ? `more than ${MAX_SUBSCRIPTIONS} subscriptions` : "not a topic this client may read",
      },
      "MQTT subscribe denied by ACL",
      principal(identity),
    );
    // A null subscription makes Aedes answer SUBACK 0x80 (failure) while keeping the client connected.
    callback(null, null);
  };

  private publishRefusal(identity: BrokerIdentity | undefined, packet: PublishPacket): string | null {
    if (identity?.type !== "device") return "only devices publish";
    const parsed = parseDeviceTopic(packet.topic);
    if (!parsed || parsed.deviceId !== identity.deviceId || !isDeviceToHubKind(parsed.kind)) {
      return "not one of the device's own topics";
    }
    return null;
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

/** Who, for keeping one log line per client and window. */
function principal(identity: BrokerIdentity | undefined): string {
  if (!identity) return "anonymous";
  return identity.type === "device" ? `device:${identity.deviceId}` : `user:${identity.username}`;
}

/** An identity for a log line, without the secret's hash. */
export function describe(identity: BrokerIdentity | undefined): Record<string, unknown> | null {
  if (!identity) return null;
  return identity.type === "device"
    ? { type: "device", deviceId: identity.deviceId }
    : { type: "user", username: identity.username, role: identity.role };
}
