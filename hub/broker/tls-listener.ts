/**
 * MQTT over TLS (ANXIN_MQTT_TLS_PORT): a `tls.Server` whose connections go to
 * the same Aedes instance, through the same checks, as plain MQTT's.
 *
 * The broker admits every TCP connection before its handshake, as it does a
 * plain one (the connection cap, the per-address cap on connections not
 * logged in yet): a host that opens sockets and never completes a handshake is
 * bounded exactly like one that never sends CONNECT, and the handshake must be
 * done within the CONNECT timeout. Once the handshake is done, the TLS socket
 * (its cleartext side) is handed to the broker, which guards its packet sizes
 * and hands it to Aedes: the login hooks, the login throttle, the ACL and the
 * intake gate then see no difference between the two.
 *
 * Client certificates are asked for when ANXIN_MQTT_CLIENT_CA is set, and never
 * refused at the handshake (`rejectUnauthorized: false`): the broker's
 * authenticate hook decides (client-certificate.ts), so a refusal is a CONNACK
 * with a coded log line naming the device, not an anonymous TLS alert.
 *
 * A reload (SIGHUP) swaps the server's secure context: connections already
 * open keep the session they have, new handshakes get the new certificate.
 */
import type net from "node:net";
import tls from "node:tls";
import { addressKey } from "../net/address-key.ts";
import { listen } from "../net/listen.ts";
import type { RefusalLog } from "../net/refusal-log.ts";
import type { TlsMaterial } from "../net/tls-material.ts";
import { capMqttConnections } from "./mqtt-connection-cap.ts";

export interface TlsListenerOptions {
  host: string;
  port: number;
  backlog: number;
  connectionCap: number;
  /** The CONNECT timeout: the handshake must be done within it too. */
  handshakeTimeoutMs: number;
  /** The certificate at start; `useCertificate` replaces it. */
  material: TlsMaterial;
}

export interface TlsListenerDeps {
  refusals: RefusalLog;
  /** The broker's checks of a new TCP connection; its address key, or null when it was refused (and closed). */
  admit(socket: net.Socket): string | null;
  /** A connection whose handshake is done: the broker takes it over from its TCP socket. */
  attach(raw: net.Socket, secure: tls.TLSSocket, address: string): void;
}

export class MqttTlsListener {
  private readonly options: TlsListenerOptions;
  private readonly deps: TlsListenerDeps;
  /**
   * Admitted TCP connections whose handshake is not done yet, by remote address and port (the TLS socket's
   * too, while it is open), with why the handshake failed once TLS said so.
   */
  private readonly handshaking = new Map<string, Handshake>();
  private server: tls.Server | null = null;

  constructor(options: TlsListenerOptions, deps: TlsListenerDeps) {
    this.options = options;
    this.deps = deps;
  }

  get port(): number | null {
    const address = this.server?.address() as net.AddressInfo | null | undefined;
    return address ? address.port : null;
  }

  async start(): Promise<void> {
    const { options, deps } = this;
    const server = tls.createServer({
      ...secureContextOptions(options.material),
      requestCert: options.material.clientCa !== null,
      rejectUnauthorized: false,
      handshakeTimeout: options.handshakeTimeoutMs,
      // As for plain MQTT: acks and feedback are tiny and urgent.
      noDelay: true,
    });
    capMqttConnections(server, options.connectionCap, deps.refusals);
    // tls.Server's own listener has wrapped the socket already; this one runs next, before any byte is read.
    server.on("connection", (raw: net.Socket) => this.admitted(raw));
    server.on("secureConnection", (secure: tls.TLSSocket) => this.secured(secure));
    server.on("tlsClientError", (error: NodeJS.ErrnoException, secure: tls.TLSSocket) => this.failed(error, secure));
    await listen(server, { port: options.port, host: options.host, backlog: options.backlog });
    this.server = server;
  }

  /** A new certificate (SIGHUP): the next handshakes get it; open connections keep theirs. */
  useCertificate(material: TlsMaterial): void {
    this.server?.setSecureContext(secureContextOptions(material));
  }

  /** Stops listening; the broker closes the connections it holds (their TCP sockets). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.handshaking.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private admitted(raw: net.Socket): void {
    const address = this.deps.admit(raw);
    if (address === null) return;
    // Read now: the address stays known on this socket after it closed (the TLS socket's does not).
    const key = connectionKey(raw);
    const handshake: Handshake = { raw, address, reason: null };
    this.handshaking.set(key, handshake);
    raw.once("close", () => {
      if (this.handshaking.get(key) !== handshake) return;
      // Closed before the handshake was done: logged here, where the address is still known.
      this.handshaking.delete(key);
      this.deps.refusals.refused(
        "TLS_HANDSHAKE_FAILED",
        address,
        { reason: handshake.reason ?? CLOSED_DURING_HANDSHAKE },
        "MQTT over TLS: handshake failed; connection closed",
      );
    });
  }

  private secured(secure: tls.TLSSocket): void {
    const key = connectionKey(secure);
    const pending = this.handshaking.get(key);
    this.handshaking.delete(key);
    // Admitted sockets only: one refused by the broker was closed before its handshake could finish.
    if (!pending) {
      secure.destroy();
      return;
    }
    this.deps.attach(pending.raw, secure, pending.address);
  }

  /**
   * A handshake failed (an alert, a timeout, not TLS at all). Node leaves closing the socket to whoever
   * listens for this: a tls.Server with a listener that does not close it keeps a silent connection open
   * past its handshake timeout, for good. Why it failed is kept for the line logged when the TCP socket
   * closes; TLS may say so only after that socket closed, its address gone, and the line then says it
   * closed. A socket the broker refused (full, too many pending) is not here: it was logged as that already.
   */
  private failed(error: NodeJS.ErrnoException, secure: tls.TLSSocket): void {
    const handshake = this.handshaking.get(connectionKey(secure));
    if (handshake) handshake.reason = `${error.code ?? "ERROR"}: ${error.message}`.slice(0, 200);
    secure.destroy();
  }
}

interface Handshake {
  raw: net.Socket;
  address: string;
  reason: string | null;
}

/** What a client that does not trust the hub's certificate does: it closes without a word (TLS 1.3). */
const CLOSED_DURING_HANDSHAKE = "closed by the client during the handshake (does it trust the hub's CA?)";

/** The secure context's part of the material: the devices' client CA only where certificates are asked for. */
function secureContextOptions(material: TlsMaterial): tls.SecureContextOptions {
  return { cert: material.cert, key: material.key, ...(material.clientCa === null ? {} : { ca: material.clientCa }) };
}

function connectionKey(socket: net.Socket): string {
  return `${socket.remoteAddress ?? ""}|${socket.remotePort ?? ""}`;
}
