/**
 * Bounded intake on a real hub (Aedes, SQLite on disk, real MQTT clients):
 * past ANXIN_INTAKE_MAX_PENDING presses in the pipeline, further alarm
 * publishes wait in the broker's hook, and none is lost; a copy of a press
 * that arrives while the press is still being stored is answered by the one
 * ack of that press.
 */
import { afterEach, describe, expect, it } from "vitest";
import { connectBurst, type Press } from "./support/press-burst.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

describe("bounded intake", () => {
  let th: TestHub | undefined;
  afterEach(async () => {
    await th?.stop();
    th = undefined;
  });

  it("holds presses past the bound in the devices' sockets, then stores and acks every one exactly once", async () => {
    th = await startTestHub({ twilio: false, env: { ANXIN_INTAKE_MAX_PENDING: "2" } });
    const hub = th;
    const credentials = hub.demoDevices.slice(0, 40);
    const burst = await connectBurst(hub.mqttUrl, credentials);
    const presses: Press[] = credentials.map(({ deviceId }) => ({
      deviceId,
      pressId: `gate-${deviceId}`,
      kind: "test",
      attempt: 1,
    }));
    burst.send(presses);
    const acks = await burst.waitForAcks(presses.length);
    await waitFor(() => hub.hub.intakeStats.inPipeline === 0, 10_000, "the pipeline empty");
    burst.close();

    expect(acks.map((a) => a.pressId).sort()).toEqual(presses.map((p) => p.pressId).sort());
    expect(acks.every((a) => a.duplicate === false)).toBe(true);
    const stored = hub.hub.db.prepare("SELECT COUNT(*) AS n FROM presses WHERE press_id LIKE 'gate-%'").get() as {
      n: number;
    };
    expect(stored.n).toBe(presses.length);
    const stats = hub.hub.intakeStats;
    // The bound was reached and held: presses waited, and far fewer than the 40 were ever in the pipeline together.
    expect(stats.heldTotal).toBeGreaterThan(0);
    expect(stats.mostInPipeline).toBeLessThan(presses.length / 2);
    expect(stats.waiting).toBe(0);
  });

  it("answers copies of a press that arrive while it is being stored with its one ack", async () => {
    // Each commit waits up to 1 s for company, so the copies surely arrive while the first is being stored.
    th = await startTestHub({ twilio: false, env: { ANXIN_COMMIT_MAX_WAIT_MS: "1000" } });
    const hub = th;
    const credential = hub.demoDevices[3];
    if (!credential) throw new Error("no demo device");
    const burst = await connectBurst(hub.mqttUrl, [credential]);
    const press: Press = { deviceId: credential.deviceId, pressId: "copied-press", kind: "test", attempt: 1 };
    const jobsBefore = hub.hub.commitStats.urgentJobs;
    burst.send([press, { ...press, attempt: 2 }, { ...press, attempt: 3 }]);
    const [ack] = await burst.waitForAcks(1);
    await waitFor(() => hub.hub.intakeStats.inPipeline === 0, 10_000, "the pipeline empty");
    // Once more after the first was stored: a retry then is acked again, as a duplicate.
    burst.send([{ ...press, attempt: 4 }]);
    const acks = await burst.waitForAcks(2);
    burst.close();

    expect(ack).toMatchObject({ pressId: "copied-press", duplicate: false });
    expect(acks.map((a) => a.duplicate)).toEqual([false, true]);
    expect(new Set(acks.map((a) => a.alarmId)).size).toBe(1);
    // Two presses reached storage: the first, and the late retry; the two early copies were dropped before it.
    expect(hub.hub.commitStats.urgentJobs - jobsBefore).toBe(2);
    expect(hub.logs.filter((l) => l.msg?.startsWith("copy of a press still being stored"))).toHaveLength(2);
  });

  it("holds one press per connection: what the device sends meanwhile is dropped, and taken when it comes again", async () => {
    // One press at a time, each commit waiting up to 1 s for company: the second device's press surely waits.
    th = await startTestHub({
      twilio: false,
      env: { ANXIN_INTAKE_MAX_PENDING: "1", ANXIN_COMMIT_MAX_WAIT_MS: "1000" },
    });
    const hub = th;
    const [first, second] = hub.demoDevices;
    if (!first || !second) throw new Error("no demo devices");
    const burst = await connectBurst(hub.mqttUrl, [first, second]);
    const ahead: Press = { deviceId: first.deviceId, pressId: "press-ahead", kind: "test", attempt: 1 };
    burst.send([ahead]);
    await waitFor(() => hub.hub.intakeStats.inPipeline === 1, 5000, "the first press in the pipeline");
    const waiting: Press = { deviceId: second.deviceId, pressId: "press-waiting", kind: "test", attempt: 1 };
    // The press, two re-sends of it as a device whose ack is late sends them, and a new press.
    const later: Press = { deviceId: second.deviceId, pressId: "press-later", kind: "test", attempt: 1 };
    burst.send([waiting, { ...waiting, attempt: 2 }, { ...waiting, attempt: 3 }, later]);
    await waitFor(() => hub.hub.intakeStats.copiesDropped === 3, 5000, "the three publishes let through");
    const acks = [...(await burst.waitForAcks(2))];
    await waitFor(() => hub.hub.intakeStats.inPipeline === 0, 10_000, "the pipeline empty");
    // Only the press itself ever waited; the new press was dropped unanswered, so the device sends it again.
    expect(hub.hub.intakeStats).toMatchObject({ mostWaiting: 1, waiting: 0, copiesDropped: 3 });
    expect(acks.map((a) => [a.pressId, a.duplicate])).toEqual([
      ["press-ahead", false],
      ["press-waiting", false],
    ]);
    burst.send([{ ...later, attempt: 2 }]);
    const all = await burst.waitForAcks(3);
    burst.close();

    expect(all.map((a) => [a.pressId, a.duplicate])).toEqual([
      ["press-ahead", false],
      ["press-waiting", false],
      ["press-later", false],
    ]);
    const stored = hub.hub.db
      .prepare("SELECT press_id, COUNT(*) AS n FROM presses WHERE press_id LIKE 'press-%' GROUP BY press_id")
      .all();
    expect(stored).toEqual([
      { press_id: "press-ahead", n: 1 },
      { press_id: "press-later", n: 1 },
      { press_id: "press-waiting", n: 1 },
    ]);
  });
});
