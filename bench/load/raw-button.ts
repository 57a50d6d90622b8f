/**
 * One button following docs/protocol.md on a raw socket: MQTT 3.1.1 framed
 * with `mqtt-packet` over `net` (thousands of mqtt.js clients would cost the
 * load generator more than the broker). CONNECT with the device's credentials
 * and Will, SUBSCRIBE to ack/feedback/error/command, publish `online`, press
 * with QoS 1 and retry each pending press after 2 s doubling to 30 s until
 * its `ack`, re-send every pending press after a reconnect, heartbeat.
 *
 * Against a bare broker (`relay`) nobody acks: the button also subscribes to
 * its own `alarm` topic and takes the broker's QoS 1 relay of a press back to
 * it as its ack, so the same loop measures the broker's relay.
 *
 * Over TLS (`--tls`) the socket is `tls.connect`'s, trusting the bench's CA,
 * and every connect is a full handshake: no session is kept for the next one,
 * as an ESP32-class button that lost power keeps none.
 */
import net from "node:net";
import tls from "node:tls";
import { generate, type IPublishPacket, type Packet, parser } from "mqtt-packet";
import { isConnectionRefused, ReconnectBackoff } from "../../firmware-sim/reconnect-backoff.ts";
import { CONNACK_WAIT_MS } from "../../protocol/index.ts";
import type { PressKind, ReconnectPolicy } from "./button-types.ts";
import { epochMs } from "./stats.ts";

const RETRY_FIRST_MS = 2000;
const RETRY_MAX_MS = 30_000;
/** CONNACK 4/5: the protocol says retry slowly, every 30 s or more. */
const REFUSED_RETRY_MS = 30_000;

export interface Press {
  pressId: string;
  kind: PressKind;
  seq: number;
  deviceTime: string;
  attempt: number;
  pressAt: number;
  retryMs: number;
  timer: NodeJS.Timeout | null;
}

/** What a button tells the worker that runs it. */
export interface ButtonHost {
  readonly relay: boolean;
  readonly host: string;
  readonly port: number;
  /**
   * Over TLS, the context trusting the bench's CA, made once per worker: given a `ca` instead, tls.connect
   * would parse the PEM and build a context for every connect, load-generator CPU that no device spends.
   */
  readonly tlsContext: tls.SecureContext | null;
  readonly keepaliveS: number;
  readonly reconnect: ReconnectPolicy;
  ready(button: RawButton, at: number): void;
  disconnected(button: RawButton): void;
  acked(button: RawButton, press: Press, at: number, alarmId: number, duplicate: boolean): void;
  /** An ack for a press no longer pending (it crossed a retry). */
  lateAck(button: RawButton, pressId: string, alarmId: number): void;
  retried(): void;
  refused(): void;
  subscriptionRefused(): void;
  hubMessage(kind: "feedback" | "error" | "command"): void;
}

/**
 * tls.connect hands its options to the TCP connect it makes (Node's tls.connect), so a source address
 * works; its type does not say so.
 */
function tlsOptions(options: tls.ConnectionOptions & { localAddress: string }): tls.ConnectionOptions {
  return options;
}

const PRESS_ID = /"pressId":"([A-Za-z0-9_-]+)"/;
const ALARM_ID = /"alarmId":(\d+|null)/;

export class RawButton {
  readonly deviceId: string;
  private readonly secret: string;
  private readonly localAddress: string;
  private readonly host: ButtonHost;
  private readonly topic: (kind: string) => string;
  private socket: net.Socket | null = null;
  private connackTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private refusedLast = false;
  /** The protocol's backoff (docs/protocol.md, "Reconnecting"), used unless the reconnect mode is fixed. */
  private readonly backoff = new ReconnectBackoff();
  /** The last attempt's TCP connection was refused (nothing listening). */
  private tcpRefused = false;
  private nextPacketId = 1;
  private seq = 0;
  private lastSentAt = 0;
  private nextHeartbeatAt = 0;
  readonly pending = new Map<string, Press>();
  isReady = false;
  private connackSeen = false;

  constructor(credential: { deviceId: string; secret: string }, localAddress: string, host: ButtonHost) {
    this.deviceId = credential.deviceId;
    this.secret = credential.secret;
    this.localAddress = localAddress;
    this.host = host;
    const prefix = `anxin/v1/devices/${credential.deviceId}/`;
    this.topic = (kind) => prefix + kind;
  }

  connect(): void {
    if (this.stopped || this.socket) return;
    const { host, port, tlsContext } = this.host;
    const socket =
      tlsContext === null
        ? net.connect({ host, port, localAddress: this.localAddress })
        : tls.connect(tlsOptions({ host, port, localAddress: this.localAddress, secureContext: tlsContext }));
    socket.setNoDelay(true);
    const framing = parser({ protocolVersion: 4 });
    this.socket = socket;
    framing.on("packet", (packet: Packet) => this.onPacket(packet));
    framing.on("error", () => socket.destroy());
    // CONNECT goes once the connection is usable: over TLS, once the handshake is done.
    socket.on(tlsContext === null ? "connect" : "secureConnect", () => {
      this.send({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clientId: this.deviceId,
        clean: true,
        keepalive: this.host.keepaliveS,
        username: this.deviceId,
        password: Buffer.from(this.secret),
        will: { topic: this.topic("status"), payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: false },
      });
    });
    socket.on("data", (chunk: Buffer) => framing.parse(chunk));
    socket.on("error", (error) => {
      if (isConnectionRefused(error)) this.tcpRefused = true;
    });
    socket.on("close", () => this.onClose(socket));
    // The protocol: an attempt without CONNACK after 20 s has failed (the hub answers a storm in order).
    this.connackTimer = setTimeout(() => socket.destroy(), CONNACK_WAIT_MS);
  }

  /** Where the button stands, for the progress line: waiting to reconnect, connecting, subscribing, ready. */
  get stage(): "waiting" | "connecting" | "subscribing" | "ready" {
    if (this.isReady) return "ready";
    if (!this.socket) return "waiting";
    return this.connackSeen ? "subscribing" : "connecting";
  }

  /** No more reconnects; the socket stays until close(). */
  halt(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const press of this.pending.values()) if (press.timer) clearTimeout(press.timer);
  }

  close(): void {
    this.halt();
    this.socket?.destroy();
  }

  press(kind: PressKind, pressId: string): Press {
    this.seq = (this.seq + 1) % 4294967296;
    const press: Press = {
      pressId,
      kind,
      seq: this.seq,
      deviceTime: new Date().toISOString(),
      attempt: 1,
      pressAt: epochMs(),
      retryMs: RETRY_FIRST_MS,
      timer: null,
    };
    this.pending.set(pressId, press);
    if (this.isReady) this.publishPress(press);
    this.scheduleRetry(press);
    return press;
  }

  /** Keep-alive and heartbeat, called about once a second by the worker. */
  tick(now: number, heartbeatMs: number): void {
    if (!this.isReady) return;
    if (heartbeatMs > 0 && now >= this.nextHeartbeatAt) {
      this.nextHeartbeatAt = now + heartbeatMs;
      this.publish(this.topic("heartbeat"), `{"deviceTime":"${new Date(now).toISOString()}","battery":87}`, 0);
    } else if (now - this.lastSentAt >= this.host.keepaliveS * 900) {
      this.send({ cmd: "pingreq" });
    }
  }

  private scheduleRetry(press: Press): void {
    press.timer = setTimeout(() => {
      if (!this.pending.has(press.pressId) || this.stopped) return;
      press.attempt += 1;
      if (this.isReady) {
        this.publishPress(press);
        this.host.retried();
      }
      press.retryMs = Math.min(RETRY_MAX_MS, press.retryMs * 2);
      this.scheduleRetry(press);
    }, press.retryMs);
  }

  private publishPress(press: Press): void {
    const payload = `{"pressId":"${press.pressId}","kind":"${press.kind}","deviceTime":"${press.deviceTime}","seq":${press.seq},"battery":87,"attempt":${press.attempt}}`;
    this.publish(this.topic("alarm"), payload, 1);
  }

  private publish(topic: string, payload: string, qos: 0 | 1): void {
    const packet: IPublishPacket = { cmd: "publish", topic, payload, qos, retain: false, dup: false };
    if (qos === 1) packet.messageId = this.packetId();
    this.send(packet);
  }

  private packetId(): number {
    const id = this.nextPacketId;
    this.nextPacketId = id >= 65535 ? 1 : id + 1;
    return id;
  }

  private send(packet: Packet): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    socket.write(generate(packet));
    this.lastSentAt = Date.now();
  }

  private onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case "connack":
        if (this.connackTimer) clearTimeout(this.connackTimer);
        this.connackSeen = packet.returnCode === 0;
        if (packet.returnCode !== 0) {
          this.refusedLast = true;
          this.host.refused();
          this.socket?.destroy();
          return;
        }
        this.send({
          cmd: "subscribe",
          messageId: this.packetId(),
          subscriptions: ["ack", "feedback", "error", "command", ...(this.host.relay ? ["alarm"] : [])].map((k) => ({
            topic: this.topic(k),
            qos: 1 as const,
          })),
        });
        return;
      case "suback":
        if (packet.granted.some((code) => code === 128)) this.host.subscriptionRefused();
        this.onReady();
        return;
      case "publish":
        if (packet.qos === 1 && packet.messageId !== undefined) {
          this.send({ cmd: "puback", messageId: packet.messageId });
        }
        this.onMessage(packet.topic, packet.payload.toString());
        return;
      default:
        return;
    }
  }

  private onReady(): void {
    this.isReady = true;
    this.backoff.reset();
    this.publish(this.topic("status"), '{"state":"online"}', 1);
    // The protocol: after every (re)connect, re-send every pending press at once, oldest first.
    for (const press of this.pending.values()) {
      press.attempt += 1;
      this.publishPress(press);
      this.host.retried();
    }
    this.nextHeartbeatAt = Date.now() + Math.random() * 60_000;
    this.host.ready(this, epochMs());
  }

  private onMessage(topic: string, payload: string): void {
    const kind = topic.slice(topic.lastIndexOf("/") + 1);
    if (kind === "ack" || (kind === "alarm" && this.host.relay)) {
      const pressId = PRESS_ID.exec(payload)?.[1];
      if (!pressId) return;
      const alarm = ALARM_ID.exec(payload)?.[1];
      const alarmId = alarm && alarm !== "null" ? Number(alarm) : 0;
      const press = this.pending.get(pressId);
      if (!press) {
        this.host.lateAck(this, pressId, alarmId);
        return;
      }
      this.pending.delete(pressId);
      if (press.timer) clearTimeout(press.timer);
      this.host.acked(this, press, epochMs(), alarmId, payload.includes('"duplicate":true'));
    } else if (kind === "feedback" || kind === "error" || kind === "command") {
      this.host.hubMessage(kind);
    }
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    if (this.connackTimer) clearTimeout(this.connackTimer);
    this.socket = null;
    this.connackSeen = false;
    const wasReady = this.isReady;
    this.isReady = false;
    if (wasReady) this.host.disconnected(this);
    if (this.stopped) return;
    const { mode, fixedMs } = this.host.reconnect;
    const wait = this.backoff.next(this.tcpRefused);
    const delay = this.refusedLast ? REFUSED_RETRY_MS : mode === "fixed" ? fixedMs : wait;
    this.tcpRefused = false;
    this.refusedLast = false;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
