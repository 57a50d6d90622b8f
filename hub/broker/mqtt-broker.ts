/**
 * The embedded MQTT broker (Aedes 1.x on a plain TCP server). It knows nothing
 * of alarms: it authenticates through BrokerAuth and hands each device message
 * to the one handler registered for its kind.
 */

import type { AddressInfo } from "node:net";
import net from "node:net";
import { Aedes, type Client } from "aedes";
import type { Logger } from "pino";
import { boundedText, type DeviceToHubKind, isDeviceToHubKind, parseDeviceTopic } from "../../protocol/index.ts";
import type { BrokerAuth } from "./broker-auth.ts";

export interface DeviceMessage {
  deviceId: string;
  kind: DeviceToHubKind;
  topic: string;
  payload: Buffer;
  receivedAt: Date;
}

export type DeviceMessageHandler = (message: DeviceMessage) => void | Promise<void>;

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

export class MqttBroker {
  private readonly auth: BrokerAuth;
  private readonly logger: Logger;
  private readonly host: string;
  private readonly requestedPort: number;
  private readonly handlers = new Map<DeviceToHubKind, DeviceMessageHandler>();
  private aedes: Aedes | null = null;
  private server: net.Server | null = null;

  constructor(deps: { auth: BrokerAuth; logger: Logger }, options: { host: string; port: number }) {
    this.auth = deps.auth;
    this.logger = deps.logger;
    this.host = options.host;
    this.requestedPort = options.port;
  }

  /** One handler per message kind (aedes style); registering twice is a programming error. */
  handle(kind: DeviceToHubKind, handler: DeviceMessageHandler): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for ${kind} is already registered`);
    this.handlers.set(kind, handler);
  }

  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("broker is not listening");
    return address.port;
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      authenticate: this.auth.authenticate,
      authorizePublish: this.auth.authorizePublish,
      authorizeSubscribe: this.auth.authorizeSubscribe,
    });
    aedes.on("publish", (packet, client) => this.onPublish(packet.topic, packet.payload, client));
    // The client id is the sender's text (up to 64 KB): a log line quotes only its start.
    aedes.on("clientError", (client, error) =>
      this.logger.warn({ clientId: boundedText(client.id ?? "", 128), reason: error.message }, "MQTT client error"),
    );
    aedes.on("connectionError", (client, error) =>
      this.logger.warn({ clientId: boundedText(client.id ?? "", 128), reason: error.message }, "MQTT connection error"),
    );
    // noDelay: acks and feedback are tiny and urgent; Nagle's algorithm would hold each one back ~40 ms.
    const server = net.createServer({ noDelay: true }, aedes.handle);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.requestedPort, this.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.aedes = aedes;
    this.server = server;
    this.logger.info({ port: this.port, host: this.host }, "MQTT broker listening");
  }

  async stop(): Promise<void> {
    const { aedes, server } = this;
    this.aedes = null;
    this.server = null;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
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

  private onPublish(topic: string, payload: Buffer | string, client: Client | null): void {
    if (!client) return; // our own publishes and $SYS
    // Stopping: closing the broker closes every connection and so publishes every device's Last Will.
    // Those say "the hub went away", not "the device did"; supervision must not fault the whole fleet.
    if (!this.aedes) return;
    const parsed = parseDeviceTopic(topic);
    const identity = this.auth.identity(client);
    // The ACL already checked this; checking again keeps a mis-wired hook from ever attributing a press to the wrong home.
    if (
      !parsed ||
      !isDeviceToHubKind(parsed.kind) ||
      identity?.type !== "device" ||
      identity.deviceId !== parsed.deviceId
    ) {
      return;
    }
    const handler = this.handlers.get(parsed.kind);
    if (!handler) return;
    const message: DeviceMessage = {
      deviceId: parsed.deviceId,
      kind: parsed.kind,
      topic,
      payload: typeof payload === "string" ? Buffer.from(payload) : payload,
      receivedAt: new Date(),
    };
    Promise.resolve()
      .then(() => handler(message))
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, deviceId: parsed.deviceId, kind: parsed.kind },
          "device message handler failed",
        ),
      );
  }
}
