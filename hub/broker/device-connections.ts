/**
 * Which of a device's connections is its latest, across every hub's broker.
 *
 * A button that reconnects may land on another hub (HAProxy balances MQTT).
 * The new hub's broker tells the old one, which closes the old connection and
 * so publishes its Last Will, `offline`, a few milliseconds after the device
 * logged in elsewhere; the device's own `online` goes through the new hub at
 * about the same time. Presence would then depend on which of the two was
 * written last. Each login therefore gets an epoch, larger than every earlier
 * one of the service, and a status counts only while it comes from the latest
 * connection (device-presence.ts); the database keeps the epoch beside
 * `online` and never lets an older one overwrite a newer one
 * (storage/presence-buffer.ts), whatever order the hubs' writes commit in.
 *
 * Epochs are at least the wall clock in microseconds, so they also outgrow
 * the ones stored before a restart (of the hub alone, or of Redis).
 */

/** The connection a device message came through: its hub's broker, and its epoch (unknown for a dead hub's Will). */
export interface ConnectionRef {
  node: string;
  epoch: number | null;
}

/** The latest connection of a device the service knows. */
export interface LatestConnection {
  node: string;
  epoch: number;
}

export interface DeviceConnections {
  /** A device logged in on this hub's broker: the epoch of its new connection. */
  opened(deviceId: string): Promise<number>;
  /** The device's latest connection on any hub; null when none is known. */
  latest(deviceId: string): Promise<LatestConnection | null>;
}

/** Whether a message that came through `ref` still speaks for the device (no later login is known). */
export function isLatest(ref: ConnectionRef, latest: LatestConnection | null): boolean {
  if (latest === null) return true;
  return ref.epoch === null ? ref.node === latest.node : ref.epoch >= latest.epoch;
}

/** The floor every epoch starts from: the wall clock in microseconds (exact in a double until the year 2255). */
export function epochFloor(now = Date.now()): number {
  return now * 1000;
}

/** One hub alone (no Redis): its own connections are all there are. */
export class LocalConnections implements DeviceConnections {
  private readonly node: string;
  private last = 0;
  /** One entry per device that ever logged in since the start: a fleet's size, no more. */
  private readonly latestByDevice = new Map<string, number>();

  constructor(node: string) {
    this.node = node;
  }

  opened(deviceId: string): Promise<number> {
    this.last = Math.max(this.last + 1, epochFloor());
    this.latestByDevice.set(deviceId, this.last);
    return Promise.resolve(this.last);
  }

  latest(deviceId: string): Promise<LatestConnection | null> {
    const epoch = this.latestByDevice.get(deviceId);
    return Promise.resolve(epoch === undefined ? null : { node: this.node, epoch });
  }
}
