/**
 * Bounds on the HTTP server's connections, set before it listens. Every
 * connection holds a file descriptor, and descriptors are shared with the
 * broker: without a cap, one client that opens connections and keeps them
 * (a leaking console, a hostile host) takes the process to its limit, and then
 * libuv accepts every new socket, MQTT included, only to close it at once. A
 * button then sees its connection reset with nothing in the hub's log.
 *
 * Two bounds: a total (Node closes a socket over `maxConnections` as soon as it
 * is accepted, and says so with a `drop` event) and a per-address one, so that
 * one address cannot fill the total and lock every console out. Both refusals
 * close the socket before a byte is read and are logged through the bounded
 * refusal log. With HTTPS on, the cap is applied to both servers (HTTPS and
 * the plain port that redirects) and counts their connections together.
 */
import type { Server, Socket } from "node:net";
import { addressKey } from "../net/address-key.ts";
import type { RefusalLog } from "../net/refusal-log.ts";

export interface HttpConnectionLimits {
  /** Most connections at once (already lowered to the descriptor budget, hub/net/fd-limits.ts). */
  max: number;
  /** Most connections at once from one address (IPv6: one /64). */
  perAddress: number;
}

export class HttpConnectionCap {
  private readonly perAddress = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly limits: HttpConnectionLimits;
  private readonly refusals: Pick<RefusalLog, "refused">;

  constructor(limits: HttpConnectionLimits, refusals: Pick<RefusalLog, "refused">) {
    this.limits = limits;
    this.refusals = refusals;
  }

  /** Connections open now, over all addresses (for tests). */
  get open(): number {
    return this.sockets.size;
  }

  /**
   * Closes every connection still open. At stop, `server.close()` waits for
   * connections that never sent a request (Node does not count them as idle)
   * until their headers timeout, a minute: a stop under a slow-connection
   * attack would hang that long.
   */
  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Applies both bounds to `server`; call before it listens. Servers it is applied to share the total. */
  apply(server: Server): void {
    server.maxConnections = this.limits.max;
    server.on("drop", (data) =>
      this.refusals.refused(
        "HTTP_CONNECTIONS_FULL",
        addressKey(data?.remoteAddress),
        { cap: this.limits.max },
        "HTTP connection refused: the server holds its most connections",
      ),
    );
    server.on("connection", (socket: Socket) => this.admit(socket));
  }

  private admit(socket: Socket): void {
    const address = addressKey(socket.remoteAddress);
    // Each server caps its own connections (`maxConnections`); this caps them together.
    if (this.sockets.size >= this.limits.max) {
      this.refusals.refused(
        "HTTP_CONNECTIONS_FULL",
        address,
        { cap: this.limits.max },
        "HTTP connection refused: the server holds its most connections",
      );
      socket.destroy();
      return;
    }
    const count = this.perAddress.get(address) ?? 0;
    if (count >= this.limits.perAddress) {
      this.refusals.refused(
        "HTTP_ADDRESS_LIMIT",
        address,
        { limit: this.limits.perAddress },
        "HTTP connection refused: too many from this address",
      );
      socket.destroy();
      return;
    }
    this.perAddress.set(address, count + 1);
    this.sockets.add(socket);
    socket.once("close", () => {
      this.sockets.delete(socket);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
  }
}
