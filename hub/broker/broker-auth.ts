/**
 * Broker security, only through Aedes' hooks. Devices log in as their device id
 * with their secret; the ACL lets a device publish and subscribe only inside its
 * own topic subtree. Hub users (operators, supervisors, administrators) may log
 * in to monitor (subscribe under anxin/v1/) but never publish as a device.
 * Nothing is anonymous.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Client, PublishPacket, Subscription } from "aedes";
import argon2 from "argon2";
import type { Logger } from "pino";
import {
  boundedText,
  clientIdBelongsTo,
  DEVICES_ROOT,
  HUB_TO_DEVICE,
  isDeviceToHubKind,
  parseDeviceTopic,
  TOPIC_ROOT,
} from "../../protocol/index.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { UserRepository } from "../storage/user-repo.ts";

export type BrokerIdentity = { type: "device"; deviceId: string } | { type: "user"; username: string; role: string };

/**
 * What a device may subscribe to under its own id: everything the hub sends it,
 * `ack`, `feedback`, `error` and `command` (the hub's requests, such as a
 * scheduled test press). Never another device's topics, never what devices send.
 */
const DEVICE_SUBSCRIBABLE: ReadonlySet<string> = new Set<string>(HUB_TO_DEVICE);

/** Aedes' CONNACK return codes for a refused login. */
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/**
 * Device secrets are random 192-bit tokens, not human passwords, so a plain
 * SHA-256 is a sound hash for them and keeps a reconnecting fleet cheap; human
 * passwords get argon2.
 */
export function hashDeviceSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

function secretMatches(secret: string, storedHash: string): boolean {
  const candidate = Buffer.from(hashDeviceSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

/**
 * Client ids, usernames and topics are the sender's text, up to 64 KB each in
 * MQTT: a refusal's log line quotes at most this many characters of each.
 */
const LOGGED_LENGTH = 128;
const logged = (text: string | undefined) => (text === undefined ? text : boundedText(text, LOGGED_LENGTH));

function refusal(message: string, returnCode: number): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode });
}

export class BrokerAuth {
  private readonly registry: RegistryRepository;
  private readonly users: UserRepository;
  private readonly logger: Logger;
  private readonly identities = new WeakMap<Client, BrokerIdentity>();

  constructor(deps: { registry: RegistryRepository; users: UserRepository; logger: Logger }) {
    this.registry = deps.registry;
    this.users = deps.users;
    this.logger = deps.logger;
  }

  identity(client: Client): BrokerIdentity | undefined {
    return this.identities.get(client);
  }

  readonly authenticate = (
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: (Error & { returnCode: number }) | null, success: boolean | null) => void,
  ): void => {
    this.resolveIdentity(client, username, password?.toString("utf8"))
      .then((identity) => {
        this.identities.set(client, identity);
        done(null, true);
      })
      .catch((error: Error & { returnCode?: number }) => {
        this.logger.warn(
          { code: "MQTT_AUTH_REFUSED", clientId: logged(client.id), username: logged(username), reason: error.message },
          "MQTT login refused",
        );
        done(refusal(error.message, error.returnCode ?? BAD_USERNAME_OR_PASSWORD), null);
      });
  };

  private async resolveIdentity(client: Client, username?: string, password?: string): Promise<BrokerIdentity> {
    if (!username || !password) throw refusal("anonymous access is not allowed", NOT_AUTHORIZED);
    const device = this.registry.findDevice(username);
    if (device) {
      if (!secretMatches(password, device.secret_hash)) throw refusal("wrong device secret", BAD_USERNAME_OR_PASSWORD);
      if (device.status !== "active") throw refusal("device is revoked", NOT_AUTHORIZED);
      if (!clientIdBelongsTo(client.id, device.id)) {
        throw refusal(`client id must be "${device.id}" or start with "${device.id}:"`, NOT_AUTHORIZED);
      }
      return { type: "device", deviceId: device.id };
    }
    const user = this.users.byUsername(username);
    if (user && user.disabled === 0 && (await argon2.verify(user.password_hash, password))) {
      if (!clientIdBelongsTo(client.id, user.username)) {
        throw refusal(`client id must be "${user.username}" or start with "${user.username}:"`, NOT_AUTHORIZED);
      }
      // A one-time password opens only the password change (console), never a monitoring session.
      if (user.must_change_password !== 0) throw refusal("change the password in the console first", NOT_AUTHORIZED);
      return { type: "user", username: user.username, role: user.role };
    }
    throw refusal("unknown user or wrong password", BAD_USERNAME_OR_PASSWORD);
  }

  readonly authorizePublish = (
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
  ) => {
    if (!client) return callback(null); // the hub's own publishes
    const identity = this.identities.get(client);
    const parsed = parseDeviceTopic(packet.topic);
    const allowed =
      identity?.type === "device" &&
      parsed !== null &&
      parsed.deviceId === identity.deviceId &&
      isDeviceToHubKind(parsed.kind);
    if (allowed) return callback(null);
    this.logger.warn(
      { code: "MQTT_PUBLISH_DENIED", clientId: logged(client.id), identity, topic: logged(packet.topic) },
      "MQTT publish denied by ACL; disconnecting client",
    );
    // Aedes disconnects a client whose publish is refused: MQTT 3.1.1 has no other way to say no to a publish.
    callback(new Error(`publish to ${packet.topic} is not allowed`));
  };

  readonly authorizeSubscribe = (
    client: Client,
    subscription: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
  ) => {
    const identity = this.identities.get(client);
    if (this.maySubscribe(identity, subscription.topic)) return callback(null, subscription);
    this.logger.warn(
      { code: "MQTT_SUBSCRIBE_DENIED", clientId: logged(client.id), identity, topic: logged(subscription.topic) },
      "MQTT subscribe denied by ACL",
    );
    // A null subscription makes Aedes answer SUBACK 0x80 (failure) while keeping the client connected.
    callback(null, null);
  };

  private maySubscribe(identity: BrokerIdentity | undefined, topic: string): boolean {
    if (!identity) return false;
    if (identity.type === "user") return topic === `${TOPIC_ROOT}/#` || topic.startsWith(`${TOPIC_ROOT}/`);
    if (topic === `${DEVICES_ROOT}/${identity.deviceId}/#`) return true;
    const parsed = parseDeviceTopic(topic);
    return parsed !== null && parsed.deviceId === identity.deviceId && DEVICE_SUBSCRIBABLE.has(parsed.kind);
  }
}
