/**
 * Copies of a press that waits at the intake gate (intake-gate.ts). A device
 * re-sends a press until it is acked; while the press waits for room, its
 * copies are let through Aedes' hook at once (so they hold no memory there)
 * and dropped before the pipeline: the waiting press's ack answers them.
 *
 * A key names one press on one connection: a press re-sent after a reconnect
 * is not a copy of one still waiting from the old connection (that one may
 * never get through), and is handled in full.
 */

/** The press id of an alarm payload, or null for anything the pipeline would refuse anyway. */
export function pressIdOf(payload: Buffer | string): string | null {
  try {
    const parsed: unknown = JSON.parse(typeof payload === "string" ? payload : payload.toString("utf8"));
    const pressId = (parsed as { pressId?: unknown } | null)?.pressId;
    return typeof pressId === "string" && pressId.length > 0 && pressId.length <= 64 ? pressId : null;
  } catch {
    return null;
  }
}

export class PressCopies {
  private readonly serials = new WeakMap<object, number>();
  private nextSerial = 1;
  /** Per connection: copies let through, by key, not yet dropped (gone with the connection). */
  private readonly letThrough = new WeakMap<object, Map<string, number>>();

  /** The key of a press on this connection, or null when the payload has no usable press id. */
  keyOf(connection: object, payload: Buffer | string): string | null {
    const pressId = pressIdOf(payload);
    if (pressId === null) return null;
    let serial = this.serials.get(connection);
    if (serial === undefined) {
      serial = this.nextSerial++;
      this.serials.set(connection, serial);
    }
    return `${serial}\u0000${pressId}`;
  }

  /** A copy goes through the hook now; `drop` will take it out before the pipeline. */
  letThroughCopy(connection: object, key: string): void {
    let copies = this.letThrough.get(connection);
    if (!copies) {
      copies = new Map();
      this.letThrough.set(connection, copies);
    }
    copies.set(key, (copies.get(key) ?? 0) + 1);
  }

  /** Whether copies let through on this connection are still to be dropped (most of the time: none). */
  pending(connection: object): boolean {
    return (this.letThrough.get(connection)?.size ?? 0) > 0;
  }

  /** True (and counted off) when this publish is one of the copies let through. */
  drop(connection: object, key: string): boolean {
    const copies = this.letThrough.get(connection);
    const count = copies?.get(key) ?? 0;
    if (!copies || count === 0) return false;
    if (count === 1) copies.delete(key);
    else copies.set(key, count - 1);
    return true;
  }
}
