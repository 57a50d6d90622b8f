/**
 * A simulated one-touch button that behaves the way the device firmware must
 * (docs/protocol.md), so the hub can be exercised without hardware and firmware
 * authors have a working reference to read.
 */
import { randomUUID } from "node:crypto";
import { connect, ErrorWithReasonCode, type MqttClient } from "mqtt";
import {
  type AckMessage,
  type AlarmKind,
  type AlarmMessage,
  type CommandMessage,
  decodeMessage,
  deviceTopic,
  encodeMessage,
  type FeedbackMessage,
  type FeedbackState,
  HUB_TO_DEVICE,
  type HubToDeviceKind,
  LIMITS,
  type MessageByKind,
  parseDeviceTopic,
} from "../protocol/index.ts";
import { ButtonStoppedError, DeviceRefusedError, HubUnreachableError } from "./button-errors.ts";
import { ButtonEventEmitter, type Listener, type SimulatedButtonEvents } from "./button-events.ts";
import {
  type ButtonSettings,
  connectOptions,
  type SimulatedButtonOptions,
  type StartOptions,
  withDefaults,
} from "./button-options.ts";
import { type AlarmSender, PressQueue } from "./press-queue.ts";
import { ReconnectLoop } from "./reconnect-backoff.ts";

export { ButtonStoppedError, DeviceRefusedError, HubUnreachableError } from "./button-errors.ts";
export type { InvalidHubMessage, SimulatedButtonEvents } from "./button-events.ts";
export type { SimulatedButtonOptions, StartOptions } from "./button-options.ts";

const CONNACK_REASONS: Record<number, string> = { 4: "bad username or password", 5: "not authorized" };
/** CONNACK 3: the hub could not check the login now (docs/protocol.md); retried like a lost connection. */
const SERVER_UNAVAILABLE = 3;

interface StartWaiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export class SimulatedButton {
  private readonly settings: ButtonSettings;
  private readonly events = new ButtonEventEmitter();
  private readonly presses: PressQueue;
  private client: MqttClient | null = null;
  private startWaiter: StartWaiter | null = null;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private refusedRetryTimer: NodeJS.Timeout | undefined;
  private reconnects: ReconnectLoop | null = null;
  /** Bumped on every CONNACK so a session set-up interrupted by a reconnect knows it is stale. */
  private connectionGeneration = 0;
  private sessionReady = false;
  private lastConnectError: Error | null = null;
  private lastFeedback: FeedbackMessage | null = null;
  private nextSeq = 0;
  /** Requests already answered: the hub sends a request again after a reconnect, and one press answers it. */
  private readonly answeredRequests = new Set<string>();

  constructor(options: SimulatedButtonOptions) {
    this.settings = withDefaults(options);
    this.presses = new PressQueue(this.settings, () => this.alarmSender());
  }

  /** What the LED/buzzer shows now: the last feedback state from the hub, `idle` before any. */
  get feedbackState(): FeedbackState {
    return this.lastFeedback?.state ?? "idle";
  }

  get connected(): boolean {
    return this.sessionReady;
  }

  /** Presses sent but not yet acknowledged by the hub. */
  get pendingPresses(): number {
    return this.presses.size;
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends keyof SimulatedButtonEvents>(event: E, listener: Listener<E>): () => void {
    return this.events.on(event, listener);
  }

  private emit<E extends keyof SimulatedButtonEvents>(event: E, ...args: SimulatedButtonEvents[E]): void {
    this.events.emit(event, ...args);
  }

  /** Connects; resolves once subscribed to ack/feedback/error/command and `online` is stored by the broker. */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.client) throw new Error(`device ${this.settings.deviceId} is already started`);
    const client = connect(this.settings.mqttUrl, connectOptions(this.settings));
    this.client = client;
    const reconnects = new ReconnectLoop(() => {
      if (this.client === client) client.reconnect();
    });
    this.reconnects = reconnects;
    client.on("connect", () => void this.setUpSession(client, ++this.connectionGeneration));
    client.on("message", (topic, payload) => this.handleHubMessage(topic, payload));
    client.on("close", () => {
      this.handleClose();
      // A refused CONNACK is retried on its own slow timer (handleClientError), not with the quick backoff.
      if (this.client === client && this.refusedRetryTimer === undefined) reconnects.closed();
    });
    client.on("error", (error) => {
      reconnects.sawError(error);
      this.handleClientError(client, error);
    });
    return new Promise<void>((resolve, reject) => {
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              const reason = this.lastConnectError ? ` (last error: ${this.lastConnectError.message})` : "";
              const message = `cannot reach the hub at ${this.settings.mqttUrl} within ${options.timeoutMs} ms${reason}`;
              this.abort(new HubUnreachableError(message));
            }, options.timeoutMs);
      this.startWaiter = { resolve, reject, timer };
    });
  }

  /** Presses the button. Resolves with the hub's ack; retries until then, rejecting only on `stop()`/`kill()`. */
  async press(kind: AlarmKind): Promise<AckMessage> {
    if (!this.client) throw new Error(`device ${this.settings.deviceId} is not started`);
    const alarm: AlarmMessage = {
      pressId: randomUUID(),
      kind,
      deviceTime: new Date().toISOString(),
      seq: this.nextSeq++ % (LIMITS.counterMax + 1), // an unsigned 32-bit counter wraps, as the protocol says
      battery: this.settings.battery,
      attempt: 0,
    };
    return this.presses.add(alarm);
  }

  /** Orderly shutdown: publishes `offline` itself, because a clean DISCONNECT makes the broker drop the Will. */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.shutDown(new ButtonStoppedError(`device ${this.settings.deviceId} was stopped`));
    if (!client.connected) return void client.end(true);
    const offline = encodeMessage("status", { state: "offline", firmware: this.settings.firmware });
    const statusTopic = deviceTopic(this.settings.deviceId, "status");
    const graceful = client.publishAsync(statusTopic, offline, { qos: 1, retain: false }).then(() => client.endAsync());
    // A hub that never answers must not block shutdown: after 2 s the socket is simply closed.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      graceful.catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, 2_000))),
    ]);
    clearTimeout(timer);
    // Both are no-ops after a graceful end; after a timeout they close the socket without reconnecting.
    client.end(true);
    client.stream.destroy();
  }

  /** Simulates a power cut: the socket is destroyed without DISCONNECT, so the broker publishes the Will. */
  kill(): void {
    this.abort(new ButtonStoppedError(`device ${this.settings.deviceId} was killed`));
  }

  /** Drops the connection without DISCONNECT and settles everything still waiting with `reason`. */
  private abort(reason: Error): void {
    const client = this.client;
    this.shutDown(reason);
    client?.end(true);
  }

  private shutDown(reason: Error): void {
    this.client = null;
    this.sessionReady = false;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.refusedRetryTimer);
    this.refusedRetryTimer = undefined;
    this.reconnects?.stop();
    this.reconnects = null;
    if (this.startWaiter) {
      clearTimeout(this.startWaiter.timer);
      this.startWaiter.reject(reason);
      this.startWaiter = null;
    }
    this.presses.rejectAll(reason);
  }

  private async setUpSession(client: MqttClient, generation: number): Promise<void> {
    const { deviceId, firmware } = this.settings;
    const topics = HUB_TO_DEVICE.map((kind) => deviceTopic(deviceId, kind));
    try {
      await client.subscribeAsync(topics, { qos: 1 }).catch((error: unknown) => {
        const code = error instanceof Error && "code" in error && typeof error.code === "number" ? error.code : 128;
        throw new DeviceRefusedError(
          `the hub refused the subscription of ${deviceId} to ${topics.join(", ")} (SUBACK ${code}); ` +
            "the broker lets a device subscribe only to its own ack/feedback/error/command topics",
          code,
        );
      });
      const online = encodeMessage("status", { state: "online", firmware });
      await client.publishAsync(deviceTopic(deviceId, "status"), online, { qos: 1, retain: false });
    } catch (error) {
      if (generation !== this.connectionGeneration || this.client !== client) return;
      const failure = error instanceof Error ? error : new Error(String(error));
      if (this.startWaiter) this.abort(failure);
      // Already running: drop this connection and let the reconnect loop try a fresh one.
      else client.stream.destroy();
      return;
    }
    if (generation !== this.connectionGeneration || this.client !== client) return;
    this.sessionReady = true;
    this.lastConnectError = null;
    this.reconnects?.connected();
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), this.settings.heartbeatIntervalMs);
    this.presses.sendAll();
    this.emit("connected");
    if (this.startWaiter) {
      clearTimeout(this.startWaiter.timer);
      this.startWaiter.resolve();
      this.startWaiter = null;
    }
  }

  /** How the press queue publishes an alarm on the current session; null while there is none. */
  private alarmSender(): AlarmSender | null {
    const client = this.client;
    if (!client || !this.sessionReady) return null;
    return (alarm) => {
      client.publish(deviceTopic(this.settings.deviceId, "alarm"), encodeMessage("alarm", alarm), { qos: 1 });
      this.emit("sent", alarm);
    };
  }

  private sendHeartbeat(): void {
    if (!this.client || !this.sessionReady) return;
    const { battery, firmware, deviceId } = this.settings;
    const heartbeat = encodeMessage("heartbeat", { deviceTime: new Date().toISOString(), battery, firmware });
    this.client.publish(deviceTopic(deviceId, "heartbeat"), heartbeat, { qos: 0 });
  }

  private handleHubMessage(topic: string, payload: Buffer): void {
    const parsed = parseDeviceTopic(topic);
    const kind = parsed?.deviceId === this.settings.deviceId ? parsed.kind : null;
    if (kind === "ack") this.decode(topic, kind, payload, (ack) => this.handleAck(ack));
    else if (kind === "feedback") this.decode(topic, kind, payload, (feedback) => this.handleFeedback(feedback));
    // Presses stay pending on an error: giving up on an emergency call is never the device's decision.
    else if (kind === "error") this.decode(topic, kind, payload, (error) => this.emit("hubError", error));
    else if (kind === "command") this.decode(topic, kind, payload, (command) => this.handleCommand(command));
    else this.emit("invalidMessage", { topic, code: "UNEXPECTED_TOPIC", message: "not a hub → device topic" });
  }

  private decode<K extends HubToDeviceKind>(
    topic: string,
    kind: K,
    payload: Buffer,
    use: (m: MessageByKind[K]) => void,
  ): void {
    const decoded = decodeMessage(kind, payload);
    if (decoded.ok) use(decoded.value);
    else this.emit("invalidMessage", { topic, code: decoded.code, message: decoded.message });
  }

  private handleAck(ack: AckMessage): void {
    const resolvePress = this.presses.take(ack.pressId);
    this.emit("ack", ack);
    resolvePress?.(ack);
  }

  /** `test_press`: one test press per request id, unless its deadline has passed (or commands are ignored). */
  private handleCommand(command: CommandMessage): void {
    this.emit("command", command);
    if (this.settings.ignoreCommands || this.answeredRequests.has(command.requestId)) return;
    if (Date.parse(command.deadline) <= Date.now()) return;
    this.answeredRequests.add(command.requestId);
    // Retried until acked like any press; only stop()/kill() rejects it, and the hub's deadline judges that.
    this.press("test").catch(() => undefined);
  }

  private handleFeedback(feedback: FeedbackMessage): void {
    this.lastFeedback = feedback;
    this.emit("feedback", feedback);
  }

  private handleClose(): void {
    if (!this.sessionReady) return;
    this.sessionReady = false;
    clearInterval(this.heartbeatTimer);
    this.presses.pause();
    this.emit("disconnected", this.lastConnectError);
  }

  private handleClientError(client: MqttClient, error: Error): void {
    this.lastConnectError = error;
    if (!(error instanceof ErrorWithReasonCode) || this.client !== client) return;
    if (error.code === SERVER_UNAVAILABLE) {
      // The hub could not check the login just now (its database or Redis away): a network failure, not a refusal.
      this.lastConnectError = new HubUnreachableError(`the hub is unavailable (CONNACK ${error.code}); retrying`);
      clearTimeout(this.refusedRetryTimer);
      this.refusedRetryTimer = setTimeout(() => {
        this.refusedRetryTimer = undefined;
        if (this.client === client) client.reconnect();
      }, this.settings.retryInitialMs);
      return;
    }
    const reason = CONNACK_REASONS[error.code] ?? error.message;
    const refused = new DeviceRefusedError(
      `the hub refused device ${this.settings.deviceId}: ${reason} (CONNACK ${error.code}); check its device id and secret`,
      error.code,
    );
    this.lastConnectError = refused;
    if (this.startWaiter) {
      this.abort(refused);
      return;
    }
    // mqtt.js stops reconnecting after a refused CONNACK; a running button keeps trying, slowly.
    clearTimeout(this.refusedRetryTimer);
    this.refusedRetryTimer = setTimeout(() => {
      this.refusedRetryTimer = undefined;
      if (this.client === client) client.reconnect();
    }, this.settings.retryMaxMs);
  }
}
