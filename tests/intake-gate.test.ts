/** The intake gate (hub/broker/intake-gate.ts) on its own: room, order, a let-in that never arrives, stop. */
import { afterEach, describe, expect, it } from "vitest";
import { IntakeGate } from "../hub/broker/intake-gate.ts";
import { waitFor } from "./support/test-hub.ts";

describe("intake gate", () => {
  let gate: IntakeGate | undefined;
  afterEach(() => gate?.stop());

  it("lets presses in while there is room, then holds them and lets them in first come, first in", () => {
    gate = new IntakeGate({ maxPending: 2 });
    const g = gate;
    const admitted: string[] = [];
    const admit = (name: string) => g.admit(() => admitted.push(name));
    admit("a");
    admit("b");
    g.enter();
    g.enter();
    admit("c");
    admit("d");
    admit("e");
    expect(admitted).toEqual(["a", "b"]);
    expect(g.stats).toMatchObject({ inPipeline: 2, waiting: 3, heldTotal: 3, mostWaiting: 3 });

    g.leave();
    expect(admitted).toEqual(["a", "b", "c"]);
    // "c" is let in but not yet in the pipeline: the room it takes is not given twice.
    g.leave();
    expect(admitted).toEqual(["a", "b", "c", "d"]);
    g.enter();
    g.enter();
    g.leave();
    expect(admitted).toEqual(["a", "b", "c", "d", "e"]);
    expect(g.stats).toMatchObject({ waiting: 0, mostInPipeline: 2 });
  });

  it("a press let in that never reaches the pipeline does not keep the others out", async () => {
    gate = new IntakeGate({ maxPending: 1 });
    const g = gate;
    const admitted: string[] = [];
    g.admit(() => admitted.push("lost")); // let in, but its client went away: no enter() follows
    g.admit(() => admitted.push("next"));
    expect(admitted).toEqual(["lost"]);
    await waitFor(() => admitted.includes("next"), 2000, "the waiting press let in");
  });

  it("lets everything waiting through at stop, and admits at once afterwards", () => {
    gate = new IntakeGate({ maxPending: 1 });
    const g = gate;
    const admitted: string[] = [];
    g.enter();
    g.admit(() => admitted.push("a"));
    g.admit(() => admitted.push("b"));
    expect(admitted).toEqual([]);
    g.stop();
    expect(admitted).toEqual(["a", "b"]);
    g.admit(() => admitted.push("c"));
    expect(admitted).toEqual(["a", "b", "c"]);
  });
});
