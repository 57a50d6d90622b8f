/**
 * One board's MQTT connection to the hub, as that board's device (docs/protocol.md): client id
 * `<deviceId>:gw` (the protocol's rule for a connection that speaks for a device from elsewhere),
 * username = device id, password = secret, Last Will `offline` on `status`. Presses are retried
 * until the hub's ack with the same pressId (firmware-sim's PressQueue, the reference behaviour).
 *
 * `status` follows the board, not the connection: `online` only while the Arduino answers. When
 * the board disappears the link stays up, says `offline` itself and stops its heartbeats, so the
 * hub opens an `offline` fault while presses taken before the unplug still get through.
 */
import { connect, ErrorWithReasonCode, type IClientOptions, type MqttClient } from "mqtt";
import { type DeviceTls, tlsClientOptions } from "../firmware-sim/device-tls.ts";
import { PressQueue } from "../firmware-sim/press-queue.ts";
import { ReconnectLoop } from "../firmware-sim/reconnect-backoff.ts";
import {
  type AckMessage,
  type AlarmMessage,
  CLIENT_ID_SEPARATOR,
  CONNACK_WAIT_MS,
  type CommandMessage,
  decodeMessage,
  deviceTopic,
  type ErrorMessage,
  encodeMessage,
  type FeedbackMessage,
  HUB_TO_DEVICE,
  parseDeviceTopic,
} from "../protocol/index.ts";
import { GatewayError } from "./errors.ts";

export const GATEWAY_CLIENT_SUFFIX = "gw";
/** Mains-powered boards have no battery to measure: every press and heartbeat reports 100 %. */
export const MAINS_BATTERY = 100;

export interface HubLinkOptions {
  /** `mqtt://…`, or `mqtts://…` with `tls` saying whom to trust and which certificate to show. */
  mqttUrl: string;
  tls?: DeviceTls;
  deviceId: string;
  secret: string;
  firmware: string;
  heartbeatIntervalMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

export interface HubLinkEvents {
  connected(): void;
  disconnected(): void;
  refused(error: GatewayError): void;
  ack(ack: AckMessage): void;
  feedback(feedback: FeedbackMessage): void;
  command(command: CommandMessage): void;
  invalid(topic: string, message: string): void;
}

export type FirstOutcome = "connected" | "refused" | "unreachable";

const CONNACK_REASONS: Record<number, string> = { 4: "bad username or password", 5: "not authorized" };

export class HubLink {
  private client: MqttClient | null = null;
  private ready = false;
  private boardPresent = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private refusedTimer: NodeJS.Timeout | undefined;
  private reconnects: ReconnectLoop | null = null;
  private generation = 0;
  private refusal: GatewayError | null = null;
  private readonly presses: PressQueue;
  private settleFirst: ((outcome: FirstOutcome) => void) | null = null;

  constructor(
    private readonly options: HubLinkOptions,
    private readonly events: HubLinkEvents,
  ) {
    this.presses = new PressQueue(options, () => this.sender());
  }

  get connected(): boolean {
    return this.ready;
  }

  /** The CONNACK refusal while the hub keeps refusing this device; null otherwise. */
  get refused(): GatewayError | null {
    return this.refusal;
  }

  /** Connects (and keeps reconnecting); resolves with how the first attempt went, within `timeoutMs`. */
  start(timeoutMs: number): Promise<FirstOutcome> {
    const { mqttUrl } = this.options;
    const client = connect(mqttUrl, this.connectOptions());
    this.client = client;
    const reconnects = new ReconnectLoop(() => {
      if (this.client === client) client.reconnect();
    });
    this.reconnects = reconnects;
    client.on("connect", () => void this.setUpSession(client, ++this.generation));
    client.on("message", (topic, payload) => this.handleMessage(topic, payload));
    client.on("close", () => {
      this.handleClose();
      // A refused CONNACK waits for its own slow retry (handleError), not the quick backoff.
      if (this.client === client && this.refusedTimer === undefined) reconnects.closed();
    });
    client.on("error", (error) => {
      reconnects.sawError(error);
      this.handleError(client, error);
    });
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle("unreachable"), timeoutMs);
      this.settleFirst = (outcome) => {
        clearTimeout(timer);
        this.settleFirst = null;
        resolve(outcome);
      };
    });
  }

  /** Queues a press already stored on disk; it is sent now or on the next connect, until acked. */
  send(alarm: AlarmMessage): void {
    this.presses.add({ ...alarm, attempt: 0 }).catch(() => undefined);
  }

  /** The hub acked it: stop retrying. */
  settled(pressId: string): void {
    this.presses.take(pressId);
  }

  /** The Arduino came or went: tell the hub (`status`), and heartbeat only while it is there. */
  setBoardPresent(present: boolean): void {
    if (this.boardPresent === present) return;
    this.boardPresent = present;
    if (this.ready) this.announce();
  }

  /** Says `offline` itself (a clean DISCONNECT discards the Will), then disconnects. */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = null;
    this.settle("unreachable");
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.refusedTimer);
    this.refusedTimer = undefined;
    this.reconnects?.stop();
    this.reconnects = null;
    this.presses.rejectAll(new Error("gateway stopped"));
    if (client.connected) {
      const offline = encodeMessage("status", { state: "offline", firmware: this.options.firmware });
      const statusTopic = deviceTopic(this.options.deviceId, "status");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client
          .publishAsync(statusTopic, offline, { qos: 1, retain: false })
          .then(() => client.endAsync())
          .catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, 2_000))),
      ]);
      clearTimeout(timer);
    }
    client.end(true);
    this.ready = false;
  }

  private connectOptions(): IClientOptions {
    const { deviceId, secret, firmware } = this.options;
    return {
      ...tlsClientOptions(this.options.tls ?? {}),
      clientId: `${deviceId}${CLIENT_ID_SEPARATOR}${GATEWAY_CLIENT_SUFFIX}`,
      username: deviceId,
      password: secret,
      protocolVersion: 4,
      clean: true,
      resubscribe: false,
      keepalive: 30,
      // Reconnects wait a random, growing time (firmware-sim/reconnect-backoff.ts), not mqtt.js' fixed period.
      reconnectPeriod: 0,
      // Patient for the CONNACK, as the protocol asks: after an outage the hub logs the fleet in one after another.
      connectTimeout: CONNACK_WAIT_MS,
      will: {
        topic: deviceTopic(deviceId, "status"),
        payload: Buffer.from(encodeMessage("status", { state: "offline", firmware })),
        qos: 1,
        // Devices retain nothing (docs/protocol.md); the broker would clear the flag anyway.
        retain: false,
      },
    };
  }

  private async setUpSession(client: MqttClient, generation: number): Promise<void> {
    const { deviceId } = this.options;
    try {
      await client.subscribeAsync(
        HUB_TO_DEVICE.map((kind) => deviceTopic(deviceId, kind)),
        { qos: 1 },
      );
      await this.publishStatus(client);
    } catch {
      // Dropped while setting up: the reconnect sets up a fresh session.
      if (generation === this.generation && this.client === client) client.stream.destroy();
      return;
    }
    if (generation !== this.generation || this.client !== client) return;
    this.ready = true;
    this.refusal = null;
    this.reconnects?.connected();
    this.announce(false);
    this.presses.sendAll();
    this.settle("connected");
    this.events.connected();
  }

  /** Publishes the board's status and (re)starts or stops the heartbeats to match. */
  private announce(publish = true): void {
    const client = this.client;
    clearInterval(this.heartbeatTimer);
    if (!client || !this.ready) return;
    if (publish) this.publishStatus(client).catch(() => undefined);
    if (this.boardPresent) this.heartbeatTimer = setInterval(() => this.heartbeat(), this.options.heartbeatIntervalMs);
  }

  private publishStatus(client: MqttClient): Promise<unknown> {
    const state = this.boardPresent ? "online" : "offline";
    const status = encodeMessage("status", { state, firmware: this.options.firmware });
    return client.publishAsync(deviceTopic(this.options.deviceId, "status"), status, { qos: 1, retain: false });
  }

  private heartbeat(): void {
    if (!this.client || !this.ready || !this.boardPresent) return;
    const { deviceId, firmware } = this.options;
    const beat = encodeMessage("heartbeat", { deviceTime: new Date().toISOString(), battery: MAINS_BATTERY, firmware });
    this.client.publish(deviceTopic(deviceId, "heartbeat"), beat, { qos: 0 });
  }

  private sender(): ((alarm: AlarmMessage) => void) | null {
    const client = this.client;
    if (!client || !this.ready) return null;
    const topic = deviceTopic(this.options.deviceId, "alarm");
    return (alarm) => void client.publish(topic, encodeMessage("alarm", alarm), { qos: 1 });
  }

  private handleMessage(topic: string, payload: Buffer): void {
    const parsed = parseDeviceTopic(topic);
    const kind = parsed?.deviceId === this.options.deviceId ? parsed.kind : null;
    if (kind !== "ack" && kind !== "feedback" && kind !== "command" && kind !== "error") {
      this.events.invalid(topic, "not one of this device's hub → device topics");
      return;
    }
    // The decoder bounds what it reports, so a hostile broker cannot make the gateway log megabytes.
    const decoded = decodeMessage(kind, payload);
    if (!decoded.ok) this.events.invalid(topic, `${decoded.code}: ${decoded.message} (${decoded.bytes} bytes)`);
    else if (kind === "ack") this.events.ack(decoded.value as AckMessage);
    else if (kind === "feedback") this.events.feedback(decoded.value as FeedbackMessage);
    else if (kind === "command") this.events.command(decoded.value as CommandMessage);
    // `error`: the refused press stays queued and keeps being retried, as the protocol asks.
    else {
      const refusal = decoded.value as ErrorMessage;
      this.events.invalid(topic, `the hub refused a message: ${refusal.code} ${refusal.message}`);
    }
  }

  private handleClose(): void {
    if (!this.ready) return;
    this.ready = false;
    clearInterval(this.heartbeatTimer);
    this.presses.pause();
    this.events.disconnected();
  }

  private handleError(client: MqttClient, error: Error): void {
    if (!(error instanceof ErrorWithReasonCode) || this.client !== client) return;
    const reason = CONNACK_REASONS[error.code] ?? error.message;
    const { deviceId } = this.options;
    this.refusal = new GatewayError(
      "MQTT_REFUSED",
      `the hub refused device ${deviceId}: ${reason} (CONNACK ${error.code}); check its deviceId and secret in the config`,
      { deviceId, returnCode: error.code },
    );
    this.settle("refused");
    this.events.refused(this.refusal);
    // mqtt.js gives up after a refused CONNACK; a running gateway tries again, slowly.
    clearTimeout(this.refusedTimer);
    this.refusedTimer = setTimeout(() => {
      this.refusedTimer = undefined;
      if (this.client === client) client.reconnect();
    }, this.options.retryMaxMs);
  }

  private settle(outcome: FirstOutcome): void {
    this.settleFirst?.(outcome);
  }
}
