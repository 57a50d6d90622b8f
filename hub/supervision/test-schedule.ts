/**
 * When a device's scheduled test falls. Every device has its own fixed slot in
 * the interval, taken from a hash of its id, so a fleet of 10,000 presses
 * spread evenly over the day rather than all at once, and a device keeps its
 * slot across restarts and reboots. Slots are `offset + k × interval` on the
 * epoch time line.
 */
import { createHash } from "node:crypto";

/** The device's offset within the interval, in ms: uniform over [0, interval). */
export function slotOffsetMs(deviceId: string, intervalMs: number): number {
  const digest = createHash("sha256").update(deviceId, "utf8").digest();
  // 48 bits of the hash: uniform enough, and exact in a double.
  return digest.readUIntBE(0, 6) % intervalMs;
}

/** The device's first slot strictly after `nowMs`. */
export function nextSlotAfter(deviceId: string, nowMs: number, intervalMs: number): Date {
  const offset = slotOffsetMs(deviceId, intervalMs);
  const cycles = Math.floor((nowMs - offset) / intervalMs) + 1;
  return new Date(offset + cycles * intervalMs);
}
