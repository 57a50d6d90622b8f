/**
 * Where MQTT connections come in: plain MQTT (ANXIN_MQTT_PORT, which may be
 * off) and MQTT over TLS (ANXIN_MQTT_TLS_PORT, tls-listener.ts), both handing
 * their connections to the one Aedes instance through the same checks.
 *
 * Before Aedes sees a socket, the servers cap connections (below the file
 * descriptor limit, fd-limits.ts; one cap over both listeners), the gate caps
 * connections per address that have not logged in (connection-gate.ts), and
 * every socket is guarded so that no packet over the size limit is ever
 * buffered (frame-guard.ts). For TLS the first two apply to the TCP
 * connection, before its handshake, and the guard to the cleartext after it.
 */
import type { AddressInfo } from "node:net";
import net from "node:net";
import type tls from "node:tls";
import type { Aedes } from "aedes";
import { addressKey } from "../net/address-key.ts";
import { listen } from "../net/listen.ts";
import type { RefusalLog } from "../net/refusal-log.ts";
import type { TlsMaterial } from "../net/tls-material.ts";
import type { ConnectionGate } from "./connection-gate.ts";
import { guardSocket } from "./frame-guard.ts";
import { capMqttConnections } from "./mqtt-connection-cap.ts";
import { MqttTlsListener } from "./tls-listener.ts";

/**
 * Connections the kernel may hold for us before we accept them (Linux caps it at net.core.somaxconn,
 * 4096 by default). Node's 511 overflowed when a fleet reconnected at once: dropped handshakes are
 * retried by the device's TCP a second or more later, which is time lost for nothing.
 */
const LISTEN_BACKLOG = 4096;

export interface MqttListenerOptions {
  host: string;
  /** Plain MQTT's port; null: off (ANXIN_MQTT_PORT=off). */
  port: number | null;
  /** MQTT over TLS (ANXIN_MQTT_TLS_PORT) and the certificate it starts with; null: off. */
  tls: { port: number; material: TlsMaterial } | null;
  maxPacketBytes: number;
  /** The cap in force over both listeners (hub/net/fd-limits.ts). */
  connectionCap: number;
  connectTimeoutMs: number;
}

export class MqttListeners {
  private readonly options: MqttListenerOptions;
  private readonly gate: ConnectionGate;
  private readonly refusals: RefusalLog;
  /**
   * Every open TCP connection, plain or TLS, logged in or not, handshake done or not: the cap counts them over
   * both listeners, and stopping closes them all (the servers would wait for them).
   */
  private readonly connections = new Set<net.Socket>();
  private plain: net.Server | null = null;
  private secure: MqttTlsListener | null = null;

  constructor(options: MqttListenerOptions, deps: { gate: ConnectionGate; refusals: RefusalLog }) {
    this.options = options;
    this.gate = deps.gate;
    this.refusals = deps.refusals;
  }

  /** The ports listening now, read from the servers: null for a listener that is off (or not started). */
  get ports(): { mqtt: number | null; mqtts: number | null } {
    const plain = this.plain?.address() as AddressInfo | null | undefined;
    return { mqtt: plain?.port ?? null, mqtts: this.secure?.port ?? null };
  }

  async start(aedes: Aedes): Promise<void> {
    const { port, tls } = this.options;
    try {
      if (port !== null) this.plain = await this.listenPlain(aedes, port);
      if (tls !== null) this.secure = await this.listenTls(aedes, tls);
    } catch (error) {
      // One port taken: the other listener must not stay open in a hub that failed to start.
      await this.stop();
      throw error;
    }
  }

  /** A new certificate (SIGHUP): new TLS handshakes get it; connected devices stay connected. */
  useCertificate(material: TlsMaterial): void {
    this.secure?.useCertificate(material);
  }

  /** Stops listening and closes every connection still open (after Aedes closed its clients). */
  async stop(): Promise<void> {
    const { plain, secure } = this;
    this.plain = null;
    this.secure = null;
    const closed = Promise.all([
      plain ? new Promise<void>((resolve) => plain.close(() => resolve())) : null,
      secure?.stop(),
    ]);
    // Aedes closes its clients; sockets that never sent CONNECT (or never finished a TLS handshake) are not among them.
    for (const connection of this.connections) connection.destroy();
    await closed;
  }

  private async listenPlain(aedes: Aedes, port: number): Promise<net.Server> {
    // noDelay: acks and feedback are tiny and urgent; Nagle's algorithm would hold each one back ~40 ms.
    const server = net.createServer({ noDelay: true }, (socket) => {
      const address = this.admit(socket);
      if (address !== null) this.attach(aedes, socket, address);
    });
    capMqttConnections(server, this.options.connectionCap, this.refusals);
    await listen(server, { port, host: this.options.host, backlog: LISTEN_BACKLOG });
    return server;
  }

  private async listenTls(aedes: Aedes, options: { port: number; material: TlsMaterial }): Promise<MqttTlsListener> {
    const listener = new MqttTlsListener(
      {
        host: this.options.host,
        port: options.port,
        backlog: LISTEN_BACKLOG,
        connectionCap: this.options.connectionCap,
        handshakeTimeoutMs: this.options.connectTimeoutMs,
        material: options.material,
      },
      {
        refusals: this.refusals,
        admit: (socket) => this.admit(socket),
        attach: (raw, secure, address) => {
          // From here on the TLS socket is the connection the gate and the login hooks know.
          this.gate.handOver(raw, secure);
          secure.once("close", () => this.gate.closed(secure));
          this.attach(aedes, secure, address);
        },
      },
    );
    await listener.start();
    return listener;
  }

  /**
   * A new TCP connection, plain or TLS, before a byte of it is read: the cap over both listeners (each server
   * also caps itself) and the per-address cap on connections not logged in. Its address key, or null when it
   * was refused and closed.
   */
  private admit(socket: net.Socket): string | null {
    const address = addressKey(socket.remoteAddress);
    if (this.connections.size >= this.options.connectionCap) {
      this.refusals.refused(
        "MQTT_CONNECTIONS_FULL",
        address,
        { cap: this.options.connectionCap },
        "MQTT connection refused: the broker is full",
      );
      socket.destroy();
      return null;
    }
    if (!this.gate.admit(address)) {
      this.refusals.refused(
        "MQTT_PENDING_LIMIT",
        address,
        {},
        "MQTT connection refused: too many not logged in from this address",
      );
      socket.destroy();
      return null;
    }
    this.gate.track(socket, address);
    this.connections.add(socket);
    socket.once("close", () => {
      this.gate.closed(socket);
      this.connections.delete(socket);
    });
    return address;
  }

  /** Guards the connection's packet sizes and hands it to Aedes (for TLS: its cleartext side). */
  private attach(aedes: Aedes, stream: net.Socket | tls.TLSSocket, address: string): void {
    const connection = guardSocket(stream, this.options.maxPacketBytes, (rejection) =>
      this.refusals.refused(
        rejection.code,
        address,
        { ...rejection, limit: this.options.maxPacketBytes },
        "MQTT packet refused; connection closed",
      ),
    );
    aedes.handle(connection);
  }
}
