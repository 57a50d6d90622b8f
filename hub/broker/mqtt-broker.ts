/**
 * The embedded MQTT broker (Aedes 1.x on a plain TCP server). It knows nothing
 * of alarms: it authenticates through BrokerAuth, authorizes through BrokerAcl,
 * and hands each device message to the one handler registered for its kind
 * (device-intake.ts).
 *
 * A device message is taken in Aedes' `authorizePublish` hook, once the ACL
 * allowed it, not from Aedes' `publish` event: Aedes emits that event only
 * after the message was delivered to every subscriber, so a monitor account
 * subscribed to `anxin/v1/#` whose socket stopped draining held back every
 * press until Aedes gave up on it (`drainTimeout`). Aedes' bus itself has no
 * bound on deliveries in flight (`concurrency: 0`): with its default of 100,
 * a hundred deliveries waiting for slow sockets queued every other message
 * behind them, acks included, in a queue that costs O(n) per message (at 2,000
 * presses/s the hub spent 70% of its time there and acked nothing for 36 s).
 *
 * Connections come in through mqtt-listeners.ts: plain MQTT and MQTT over
 * TLS, both capped, gated per address and guarded against oversized packets
 * before Aedes sees them.
 */

import type { EventEmitter } from "node:events";
import { Aedes, type Client, type PublishPacket } from "aedes";
import type { Logger } from "pino";
import type { DeviceToHubKind } from "../../protocol/index.ts";
import type { FdLimits } from "../net/fd-limits.ts";
import type { RefusalLog } from "../net/refusal-log.ts";
import type { TlsMaterial } from "../net/tls-material.ts";
import { type BrokerAcl, MAX_TOPIC_LEVELS } from "./broker-acl.ts";
import type { BrokerAuth, BrokerIdentity } from "./broker-auth.ts";
import type { BrokerBackplane } from "./broker-backplane.ts";
import type { ConnectionGate } from "./connection-gate.ts";
import { DeviceIntake, type DeviceMessageHandler, type OrphanWill } from "./device-intake.ts";
import type { IntakeGate, IntakeGateStats } from "./intake-gate.ts";
import { logged } from "./logged.ts";
import type { LoginAudit } from "./login-audit.ts";
import { type MqttListenerOptions, MqttListeners } from "./mqtt-listeners.ts";

/** How often people's MQTT sessions are checked against their accounts (a few monitors: cheap). */
const PEOPLE_SWEEP_MS = 2000;
/**
 * Messages Aedes' bus delivers at once: no bound. A bound queues every message behind the deliveries
 * waiting for slow sockets, one client's slowness holding back everyone's acks; unbounded, a delivery
 * waits only for its own socket. What is in flight is bounded elsewhere: presses by the intake gate,
 * and a socket that does not drain by DRAIN_TIMEOUT_MS.
 */
const MQ_CONCURRENCY = 0;
/**
 * A client whose socket has not drained for this long is disconnected (Aedes' default: 60 s). A button
 * receives a few small packets per press and never fills a socket; a stalled subscriber (a monitor on a
 * dead link) would otherwise pile up the fleet's traffic in the hub's memory for a minute.
 */
const DRAIN_TIMEOUT_MS = 10_000;

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

export interface BrokerOptions extends MqttListenerOptions {
  /** The configured cap (ANXIN_MQTT_MAX_CONNECTIONS), for the start-up log. */
  maxConnections: number;
  /** The process's descriptor limits, for the start-up log; null where they cannot be read. */
  fdLimits: FdLimits | null;
}

export interface BrokerDeps {
  auth: BrokerAuth;
  acl: BrokerAcl;
  gate: ConnectionGate;
  refusals: RefusalLog;
  loginAudit: LoginAudit;
  /** Bounds the presses in the pipeline; past it, an alarm publish waits in the hook and its socket is not read. */
  intake: IntakeGate;
  /** Alone, or one of several hubs' brokers over Redis (broker-backplane.ts). */
  backplane: BrokerBackplane;
  logger: Logger;
}

export class MqttBroker {
  private readonly deps: BrokerDeps;
  private readonly options: BrokerOptions;
  private readonly logger: Logger;
  private readonly devices: DeviceIntake;
  /** Logged-in clients, so sessions can be closed when their credentials change. */
  private readonly clients = new Set<Client>();
  private readonly listeners: MqttListeners;
  private aedes: Aedes | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(deps: BrokerDeps, options: BrokerOptions) {
    this.deps = deps;
    this.options = options;
    this.logger = deps.logger;
    this.devices = new DeviceIntake({
      auth: deps.auth,
      intake: deps.intake,
      logger: deps.logger,
      node: deps.backplane.node,
    });
    this.listeners = new MqttListeners(options, { gate: deps.gate, refusals: deps.refusals });
  }

  /** One handler per message kind (aedes style); registering twice is a programming error. */
  handle(kind: DeviceToHubKind, handler: DeviceMessageHandler): void {
    this.devices.handle(kind, handler);
  }

  /** Plain MQTT's port; throws when plain MQTT is off or the broker is not listening. */
  get port(): number {
    const { mqtt } = this.listeners.ports;
    if (mqtt === null) throw new Error(this.options.port === null ? "plain MQTT is off" : "broker is not listening");
    return mqtt;
  }

  /** The ports listening now, read from the servers: null for a listener that is off (or not started). */
  get ports(): { mqtt: number | null; mqtts: number | null } {
    return this.listeners.ports;
  }

  /** A new certificate (SIGHUP): new TLS handshakes get it; connected devices stay connected. */
  useCertificate(material: TlsMaterial): void {
    this.listeners.useCertificate(material);
  }

  get intakeStats(): IntakeGateStats {
    return this.deps.intake.stats;
  }

  /** The connection cap in force (the configured one, lowered for lack of file descriptors). */
  get connectionCap(): number {
    return this.options.connectionCap;
  }

  /**
   * Devices logged in on this broker now, each once however many connections it holds (`<id>:<suffix>`
   * client ids). One pass over the sessions: read at a metrics scrape, not per message.
   */
  devicesConnected(): number {
    const devices = new Set<string>();
    for (const client of this.clients) {
      const identity = this.deps.auth.identity(client);
      if (identity?.type === "device") devices.add(identity.deviceId);
    }
    return devices.size;
  }

  /** What this broker shares with the other hubs' (broker-backplane.ts): its node id, device connections, readiness. */
  get backplane(): BrokerBackplane {
    return this.deps.backplane;
  }

  async start(): Promise<void> {
    const { auth, acl, backplane } = this.deps;
    await backplane.start();
    const aedes = await Aedes.createBroker({
      ...backplane.aedesOptions(),
      concurrency: MQ_CONCURRENCY,
      drainTimeout: DRAIN_TIMEOUT_MS,
      authenticate: auth.authenticate,
      authorizePublish: (client, packet, callback) => {
        const will = willOf(packet);
        if (will && will.brokerId !== backplane.node) {
          // A dead hub's Will, published here by Aedes: presence decides whether it still speaks for the device.
          this.devices.takeOrphanWill(will);
          return callback(null);
        }
        if (will && client && !client.closed) {
          // This hub's own Will of a live connection: Aedes publishes it when this hub's heartbeats went unheard
          // (Redis slow or away). The device is still connected here; presence must not hear it went offline.
          this.logger.warn({ clientId: logged(client.id) }, "Last Will of a live connection published; not taken");
          return callback(null);
        }
        acl.authorizePublish(client, packet, (error) => {
          if (error || !client) return callback(error);
          this.devices.take(packet.topic, packet.payload, client, () => callback(null));
        });
      },
      authorizeForward: (client, packet) => (this.stalledPerson(client) ? null : packet),
      authorizeSubscribe: acl.authorizeSubscribe,
      connectTimeout: this.options.connectTimeoutMs,
      maxTopicLevels: MAX_TOPIC_LEVELS,
    });
    // Aedes' own failures (publishing a dead hub's Wills over Redis): unheard, an 'error' event would end the process.
    (aedes as unknown as EventEmitter).on("error", (error: Error) =>
      this.logger.error({ err: error, code: "REDIS_UNAVAILABLE" }, "MQTT broker failed a cluster task"),
    );
    aedes.on("client", (client) => this.clients.add(client));
    aedes.on("clientDisconnect", (client) => this.clients.delete(client));
    aedes.on("unsubscribe", (topics, client) => acl.unsubscribed(client, topics));
    aedes.on("clientError", (client, error) =>
      this.logger.warn({ clientId: logged(client.id), reason: error.message }, "MQTT client error"),
    );
    aedes.on("connectionError", (client, error) =>
      this.logger.debug(
        { address: this.deps.gate.addressOf(client.conn), reason: error.message },
        "MQTT connection error",
      ),
    );
    await this.listeners.start(aedes);
    this.aedes = aedes;
    this.devices.start();
    this.deps.refusals.start();
    this.deps.loginAudit.start();
    this.sweepTimer = setInterval(() => {
      this.sweepPeople().catch((error: unknown) =>
        this.logger.error({ err: error, code: "STORAGE_FAILED" }, "could not check people's MQTT sessions"),
      );
    }, PEOPLE_SWEEP_MS);
    this.sweepTimer.unref();
    this.logger.info(
      {
        port: this.ports.mqtt,
        tlsPort: this.ports.mqtts,
        clientCertificates: this.options.tls?.material.clientCa ? "asked" : "not asked",
        host: this.options.host,
        fdSoftLimit: this.options.fdLimits?.soft ?? null,
        fdHardLimit: this.options.fdLimits?.hard ?? null,
        maxConnections: this.options.connectionCap,
        configuredMaxConnections: this.options.maxConnections,
        maxPacketBytes: this.options.maxPacketBytes,
      },
      this.options.connectionCap < this.options.maxConnections
        ? "MQTT broker listening; connections capped below the file descriptor limit (raise LimitNOFILE to allow more)"
        : "MQTT broker listening",
    );
  }

  async stop(): Promise<void> {
    const { aedes } = this;
    this.aedes = null;
    this.devices.stop();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    this.deps.intake.stop();
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await this.deps.backplane.stop();
    await this.listeners.stop();
    this.clients.clear();
    this.deps.refusals.stop();
    await this.deps.loginAudit.stop();
  }

  publish(topic: string, payload: string, options: PublishOptions): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error("broker is not running"));
    return new Promise((resolve, reject) => {
      aedes.publish(
        {
          cmd: "publish",
          topic,
          payload: Buffer.from(payload, "utf8"),
          qos: options.qos,
          retain: options.retain,
          dup: false,
        },
        (error?: Error) => (error ? reject(error) : resolve()),
      );
    });
  }

  /** A device's secret was rotated, or it was revoked or deleted: its open sessions end now. */
  closeDeviceSessions(deviceId: string, reason: string): number {
    return this.closeSessions((id) => id.type === "device" && id.deviceId === deviceId, reason);
  }

  /** A person's sessions were revoked (disabled, password reset or changed, role changed). */
  closeUserSessions(userId: number, reason: string): number {
    return this.closeSessions((id) => id.type === "user" && id.userId === userId, reason);
  }

  /** People's sessions whose account changed elsewhere (the CLI): closed within PEOPLE_SWEEP_MS. */
  private async sweepPeople(): Promise<void> {
    const { auth } = this.deps;
    const stale = new Set<number>();
    for (const client of this.clients) {
      const identity = auth.identity(client);
      if (identity?.type === "user" && !stale.has(identity.userId) && !(await auth.personStillValid(identity))) {
        stale.add(identity.userId);
      }
    }
    if (stale.size === 0) return;
    this.closeSessions(
      (identity) => identity.type === "user" && stale.has(identity.userId),
      "account disabled, password changed or role changed",
    );
  }

  /**
   * A person's session (a monitor reading `anxin/v1/#`) whose socket no longer drains is closed here, at
   * the next delivery to it. Aedes completes a publish only once every subscriber took it, and the hub
   * awaits its acks and feedback: a stalled monitor would hold each press's handler, and so its place in
   * the intake gate and its alarm's stages, until Aedes' drain timeout. Closing releases what waits for
   * it at once. A device is left to the drain timeout: it is sent a few small packets per press and never
   * fills a socket, and its own session is the one a resident's press rides on.
   */
  private stalledPerson(client: Client): boolean {
    if (!client.conn.writableNeedDrain || this.deps.auth.identity(client)?.type !== "user") return false;
    if (client.closed) return true;
    this.logger.warn(
      { code: "MQTT_SUBSCRIBER_STALLED", clientId: logged(client.id), buffered: client.conn.writableLength },
      "MQTT session closed: it stopped reading what it subscribed to",
    );
    this.clients.delete(client);
    client.close();
    return true;
  }

  private closeSessions(matches: (identity: BrokerIdentity) => boolean, reason: string): number {
    let closed = 0;
    for (const client of this.clients) {
      const identity = this.deps.auth.identity(client);
      if (!identity || !matches(identity)) continue;
      this.logger.warn(
        { code: "MQTT_CREDENTIALS_CHANGED", clientId: logged(client.id), reason },
        "MQTT session closed: its credentials no longer hold",
      );
      this.clients.delete(client);
      client.close();
      closed += 1;
    }
    return closed;
  }
}

/** A Last Will being published (Aedes' persistence stamps it with the client and the hub that held it); else null. */
function willOf(packet: PublishPacket): OrphanWill | null {
  const { clientId, brokerId } = packet as PublishPacket & { clientId?: unknown; brokerId?: unknown };
  if (typeof clientId !== "string" || typeof brokerId !== "string") return null;
  return { topic: packet.topic, payload: packet.payload, clientId, brokerId };
}
