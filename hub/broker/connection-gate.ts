/**
 * Who may open an MQTT connection. The total is capped by the TCP server
 * (`maxConnections`, see fd-limits.ts); this gate adds a per-address cap on
 * connections that have not logged in yet, so that one host opening sockets
 * and never sending CONNECT cannot fill the broker: each such socket lives at
 * most the CONNECT timeout, and only so many at once per address. A logged-in
 * connection no longer counts, so a gateway or a NAT with many buttons behind
 * one address is limited only in how many log in at the same instant.
 */

interface Tracked {
  address: string;
  pending: boolean;
}

export class ConnectionGate {
  private readonly pendingPerAddress: number;
  private readonly pending = new Map<string, number>();
  private readonly connections = new WeakMap<object, Tracked>();

  constructor(options: { pendingPerAddress: number }) {
    this.pendingPerAddress = options.pendingPerAddress;
  }

  /** A new socket from `address`: false when that address already has its most connections not logged in. */
  admit(address: string): boolean {
    return (this.pending.get(address) ?? 0) < this.pendingPerAddress;
  }

  /** Starts counting `connection` as pending for `address` until `loggedIn` or `closed`. */
  track(connection: object, address: string): void {
    this.connections.set(connection, { address, pending: true });
    this.pending.set(address, (this.pending.get(address) ?? 0) + 1);
  }

  /** The address key the connection came from (for throttling and audit). */
  addressOf(connection: object): string {
    return this.connections.get(connection)?.address ?? "unknown";
  }

  /**
   * A TLS connection's handshake is done: its TLS socket, which wraps the TCP socket tracked so far, is the
   * connection from now on (still pending until it logs in).
   */
  handOver(from: object, to: object): void {
    const tracked = this.connections.get(from);
    if (!tracked) return;
    this.connections.delete(from);
    this.connections.set(to, tracked);
  }

  loggedIn(connection: object): void {
    this.settle(connection);
  }

  closed(connection: object): void {
    this.settle(connection);
    this.connections.delete(connection);
  }

  /** Connections not logged in yet, over all addresses (for tests and the bench). */
  get pendingTotal(): number {
    let total = 0;
    for (const n of this.pending.values()) total += n;
    return total;
  }

  private settle(connection: object): void {
    const tracked = this.connections.get(connection);
    if (!tracked?.pending) return;
    tracked.pending = false;
    const left = (this.pending.get(tracked.address) ?? 1) - 1;
    if (left <= 0) this.pending.delete(tracked.address);
    else this.pending.set(tracked.address, left);
  }
}
