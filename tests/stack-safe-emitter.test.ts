/**
 * Aedes' bus under a long queue (hub/broker/stack-safe-emitter.ts): one slow
 * delivery holds the only slot while 50,000 messages queue behind it; when it
 * finishes, mqemitter starts the queue from inside that finish. Plain
 * mqemitter overflows the stack (the hub's crash under the load bench); the
 * hub's bus delivers every message.
 */
import mqemitter from "mqemitter";
import { describe, expect, it } from "vitest";
import { createStackSafeEmitter } from "../hub/broker/stack-safe-emitter.ts";
import { waitFor } from "./support/test-hub.ts";

const QUEUED = 50_000;

/** Holds the emitter's one slot with a delivery that finishes when told, and queues QUEUED quick ones behind it. */
function queueBehindSlowDelivery(emitter: mqemitter.MQEmitter): { finishSlow: () => void; delivered: () => number } {
  let finish: (() => void) | null = null;
  let delivered = 0;
  emitter.on("slow", (_message, done) => {
    finish = done;
  });
  emitter.on("quick/+", (_message, done) => done());
  emitter.emit({ topic: "slow" });
  for (let i = 0; i < QUEUED; i++) emitter.emit({ topic: `quick/${i % 10}` }, () => (delivered += 1));
  return {
    finishSlow: () => {
      if (!finish) throw new Error("the slow delivery never started");
      finish();
    },
    delivered: () => delivered,
  };
}

describe("Aedes' bus under a long queue", () => {
  it("plain mqemitter overflows the stack when the queue starts (the failure being guarded against)", () => {
    const { finishSlow, delivered } = queueBehindSlowDelivery(mqemitter({ concurrency: 1 }));
    expect(delivered()).toBe(0);
    expect(finishSlow).toThrow(RangeError);
  });

  it("the hub's bus delivers every queued message, in turns of the event loop", async () => {
    const { finishSlow, delivered } = queueBehindSlowDelivery(createStackSafeEmitter({ concurrency: 1 }));
    expect(delivered()).toBe(0);
    expect(finishSlow).not.toThrow();
    expect(delivered()).toBeGreaterThan(0);
    await waitFor(() => delivered() === QUEUED, 20_000, "every queued message delivered");
  });
});
