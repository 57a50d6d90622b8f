/**
 * Issue 12: statuses arriving together are applied as one batch (one
 * transaction) in arrival order; each caller learns when its batch is done.
 */
import { describe, expect, it } from "vitest";
import { TickBatch } from "../hub/supervision/tick-batch.ts";

describe("TickBatch", () => {
  it("hands what arrives within one tick over as one batch, in order, and settles each caller after it", async () => {
    const batches: number[][] = [];
    const batch = new TickBatch<number>(async (items) => {
      batches.push([...items]);
    });
    const first = [1, 2, 3].map((n) => batch.add(n));
    await Promise.all(first);
    expect(batches).toEqual([[1, 2, 3]]);
    await batch.add(4);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it("rejects every caller of a batch that failed, and carries on with the next", async () => {
    let fail = true;
    const applied: number[] = [];
    const batch = new TickBatch<number>(async (items) => {
      if (fail) throw new Error("database is locked (simulated)");
      applied.push(...items);
    });
    const results = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await batch.add(3);
    expect(applied).toEqual([3]);
  });
});
