/**
 * Packing the console's realtime frames (their shapes: protocol/console/realtime.ts).
 * Nothing is sent that a console must not miss: after any drop it reloads
 * the lists over HTTP, and the frames carry only what changes from then on.
 */
import type { ConsoleFrame } from "../../protocol/console/index.ts";

/** The batch frames, and the key each one's list travels under. */
export const BATCH_KEYS = { alarms: "alarms", device_faults: "faults", device_tests: "tests" } as const;
export type BatchType = keyof typeof BATCH_KEYS;

/**
 * A batch frame's bounds: a burst of thousands of alarms goes out as many
 * frames, so no single frame holds the console's main thread (parse and
 * render) for long, and a slow console's backlog grows in steps it can be
 * measured by (console-push.ts closes one that falls too far behind).
 */
export const BATCH_LIMITS = { items: 250, bytes: 256 * 1024 };

/**
 * Packs items, each already serialised to JSON, into frames of `type`: at most
 * BATCH_LIMITS.items items and about BATCH_LIMITS.bytes each (an item larger
 * than that goes alone). Returned as buffers, so the one copy is sent to every console.
 */
export function packBatches(type: BatchType, items: readonly string[]): Buffer[] {
  const head = `{"type":"${type}","${BATCH_KEYS[type]}":[`;
  const frames: Buffer[] = [];
  let batch: string[] = [];
  let bytes = head.length;
  const close = () => {
    if (batch.length === 0) return;
    frames.push(Buffer.from(`${head}${batch.join(",")}]}`, "utf8"));
    batch = [];
    bytes = head.length;
  };
  for (const item of items) {
    const size = Buffer.byteLength(item, "utf8") + 1;
    if (batch.length >= BATCH_LIMITS.items || (batch.length > 0 && bytes + size > BATCH_LIMITS.bytes)) close();
    batch.push(item);
    bytes += size;
  }
  close();
  return frames;
}

/** A single frame (hello, storage), serialised once. */
export function encodeFrame(frame: ConsoleFrame): Buffer {
  return Buffer.from(JSON.stringify(frame), "utf8");
}
