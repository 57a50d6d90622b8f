/**
 * The one after-commit collector (hub/after-commit.ts): its work runs in the
 * order it was queued, each piece awaited, a failing piece reported while the
 * others still run; and a transaction that rolls back runs none of it (the
 * real dispatch service over SQLite, whose `transact` is the pattern every
 * user of the collector follows).
 */
import { afterEach, describe, expect, it } from "vitest";
import { AfterCommit } from "../hub/after-commit.ts";
import { type DispatchHarness, startDispatchHarness } from "./support/dispatch-harness.ts";

describe("after-commit work", () => {
  it("runs in the order queued, each piece awaited before the next, queued work included", async () => {
    const effects = new AfterCommit();
    const ran: string[] = [];
    effects.add(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      ran.push("slow first");
      effects.add(() => void ran.push("queued while running"));
    });
    effects.add(() => void ran.push("second"));
    await effects.run((error) => {
      throw error;
    });
    expect(ran).toEqual(["slow first", "second", "queued while running"]);
    expect(effects.pending).toBe(0);
    // Run once: a second run has nothing left.
    await effects.run(() => undefined);
    expect(ran).toHaveLength(3);
  });

  it("reports a piece that throws or rejects, and still runs the others", async () => {
    const effects = new AfterCommit();
    const ran: string[] = [];
    const failures: string[] = [];
    effects.add(() => {
      throw new Error("threw");
    });
    effects.add(() => void ran.push("after a throw"));
    effects.add(() => Promise.reject(new Error("rejected")));
    effects.add(() => void ran.push("after a rejection"));
    await effects.run((error) => failures.push((error as Error).message));
    expect(failures).toEqual(["threw", "rejected"]);
    expect(ran).toEqual(["after a throw", "after a rejection"]);
  });

  it("runs work that returns no promise at once, before `run` returns", () => {
    const effects = new AfterCommit();
    const ran: number[] = [];
    effects.add(() => void ran.push(1));
    effects.add(() => void ran.push(2));
    void effects.run(() => undefined);
    expect(ran).toEqual([1, 2]);
  });

  it("queues keyed work once, and records each alarm change once, in order", async () => {
    const effects = new AfterCommit();
    const refined: number[] = [];
    effects.add(() => void refined.push(7), "refine:7");
    effects.add(() => void refined.push(7), "refine:7");
    effects.change(7, "offer_sent");
    effects.change(8, "relative_confirmed");
    effects.change(7, "offer_sent", { feedback: true });
    effects.change(7, "offer_accepted");
    await effects.run(() => undefined);
    expect(refined).toEqual([7]);
    expect(effects.changes).toEqual([
      { alarmId: 7, change: "offer_sent" },
      { alarmId: 8, change: "relative_confirmed" },
      { alarmId: 7, change: "offer_accepted" },
    ]);
    expect([...effects.feedback]).toEqual([7]);
  });

  describe("around a transaction (dispatch over SQLite)", () => {
    let h: DispatchHarness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it("runs after the commit, and not at all when the transaction rolls back", async () => {
      h = await startDispatchHarness();
      const harness = h;
      const alarmId = await harness.raise(0);
      const before = { changes: harness.changes.length, feedback: harness.feedback.length };
      const ran: string[] = [];
      const collect = (effects: AfterCommit, label: string) => {
        effects.change(alarmId, `test_${label}`, { feedback: true });
        effects.add(() => void ran.push(label));
      };

      await expect(
        harness.service.transact(async (effects) => {
          collect(effects, "rolled_back");
          throw new Error("the transaction fails");
        }),
      ).rejects.toThrow("the transaction fails");
      expect(ran).toEqual([]);
      expect(harness.changes.slice(before.changes)).toEqual([]);
      expect(harness.feedback.slice(before.feedback)).toEqual([]);

      await harness.service.transact(async (effects) => {
        collect(effects, "committed");
        // Nothing runs before the commit.
        expect(ran).toEqual([]);
      });
      expect(ran).toEqual(["committed"]);
      expect(harness.changes.slice(before.changes)).toEqual([{ alarmId, change: "test_committed" }]);
      expect(harness.feedback.slice(before.feedback)).toEqual([expect.objectContaining({ alarmId })]);
    });
  });
});
