/** The intake gate (hub/broker/intake-gate.ts) on its own: room, order, copies while a press waits, stop. */
import { afterEach, describe, expect, it } from "vitest";
import { IntakeGate } from "../hub/broker/intake-gate.ts";

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
    admit("c");
    admit("d");
    admit("e");
    expect(admitted).toEqual(["a", "b"]);
    expect(g.stats).toMatchObject({ inPipeline: 2, waiting: 3, heldTotal: 3, mostWaiting: 3 });

    g.leave();
    expect(admitted).toEqual(["a", "b", "c"]);
    // "c" took the room "a" left: the next leave lets in one more, not two.
    g.leave();
    expect(admitted).toEqual(["a", "b", "c", "d"]);
    expect(g.stats).toMatchObject({ inPipeline: 2, waiting: 1 });
    g.leave();
    expect(admitted).toEqual(["a", "b", "c", "d", "e"]);
    expect(g.stats).toMatchObject({ waiting: 0, mostInPipeline: 2 });
  });

  it("holds at most one publish per connection: while one waits, the connection's next ones are counted as copies", () => {
    gate = new IntakeGate({ maxPending: 1 });
    const g = gate;
    const device = {};
    const other = {};
    const admitted: string[] = [];
    g.admit(() => admitted.push("first"), device);
    expect(g.holds(device)).toBe(false);
    g.admit(() => admitted.push("waits"), device);
    expect(g.holds(device)).toBe(true);
    expect(g.holds(other)).toBe(false);
    expect(g.stats).toMatchObject({ waiting: 1, copiesDropped: 1 });
    g.leave();
    expect(admitted).toEqual(["first", "waits"]);
    expect(g.holds(device)).toBe(false);
  });

  it("lets everything waiting through at stop, and admits at once afterwards", () => {
    gate = new IntakeGate({ maxPending: 1 });
    const g = gate;
    const admitted: string[] = [];
    g.admit(() => admitted.push("in"));
    g.admit(() => admitted.push("a"));
    g.admit(() => admitted.push("b"));
    expect(admitted).toEqual(["in"]);
    g.stop();
    expect(admitted).toEqual(["in", "a", "b"]);
    g.admit(() => admitted.push("c"));
    expect(admitted).toEqual(["in", "a", "b", "c"]);
  });
});
