/**
 * Aedes' in-memory persistence, with its retained messages kept in a
 * `RetainedTopics` tree instead of a flat map, so a subscription finds its
 * retained messages without testing every retained topic (see
 * retained-topics.ts for why that mattered). Everything else (sessions,
 * subscriptions, in-flight QoS 1 messages, Wills) is the stock implementation.
 *
 * Aedes 1.x calls `storeRetained(packet)` without a callback and waits for the
 * promise, and reads retained messages through the two stream methods; those
 * three are all the retained state there is. Delivery semantics stay Aedes':
 * an empty payload deletes, the packet is copied as stored, and a subscriber
 * gets the retained messages of every filter it was granted, at once.
 */
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import type { AedesMemoryPersistence } from "aedes-persistence";
import { RetainedTopics } from "./retained-topics.ts";

// A CommonJS module whose typings declare an ES default export: required, so the types match what Node loads.
const memoryPersistence = createRequire(import.meta.url)("aedes-persistence") as () => AedesMemoryPersistence;

/** The fields of a retained publish the broker stores and replays. */
export interface RetainedPacket {
  topic: string;
  payload: Buffer | string;
  qos?: number;
  [field: string]: unknown;
}

type Done = (error: Error | null) => void;

/** The persistence to hand to `Aedes.createBroker({ persistence })`, and its retained tree (for tests and the bench). */
export function createBrokerPersistence(): {
  persistence: AedesMemoryPersistence;
  retained: RetainedTopics<RetainedPacket>;
} {
  const persistence = memoryPersistence();
  const retained = new RetainedTopics<RetainedPacket>();
  const store = (packet: RetainedPacket): void => {
    if (packet.payload.length === 0) retained.delete(packet.topic);
    else retained.set(packet.topic, { ...packet });
  };
  Object.assign(persistence, {
    storeRetained(packet: RetainedPacket, done?: Done): Promise<void> | undefined {
      store(packet);
      if (!done) return Promise.resolve();
      process.nextTick(done, null);
      return undefined;
    },
    createRetainedStream(filter: string): Readable {
      return Readable.from(retained.match(filter));
    },
    createRetainedStreamCombi(filters: readonly string[]): Readable {
      return Readable.from(matchAll(retained, filters));
    },
  });
  return { persistence, retained };
}

function* matchAll(retained: RetainedTopics<RetainedPacket>, filters: readonly string[]): Generator<RetainedPacket> {
  for (const filter of filters) yield* retained.match(filter);
}
