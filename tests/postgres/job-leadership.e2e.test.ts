/**
 * Two hubs on one PostgreSQL database: both take presses, only the one holding
 * the jobs' advisory lock runs the background jobs (the outbox sender among
 * them), and when its lock goes (its connection killed by the server, as when
 * the hub dies) the other one takes the jobs over: the SMS of the alarms
 * either hub stores leave through the new leader.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import { JOBS_LOCK } from "../../hub/storage/job-leadership.ts";
import { startTestHub, type TestHub, waitFor } from "../support/test-hub.ts";
import { type ScratchDatabase, scratchDatabase } from "./scratch-database.ts";

describe("background jobs on one hub at a time", () => {
  let database: ScratchDatabase;
  let first: TestHub;
  let second: TestHub;

  beforeAll(async () => {
    database = await scratchDatabase("leader", { migrate: false });
    first = await startTestHub({ env: { ANXIN_DATABASE_URL: database.url } });
    await waitFor(() => first.hub.leadsJobs, 10_000, "the first hub to lead the jobs");
    // Its own data folder, the same database: the district is there already, so nothing is seeded twice.
    second = await startTestHub({ env: { ANXIN_DATABASE_URL: database.url } });
  }, 60_000);
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await database?.drop();
  });

  async function pressOn(th: TestHub, index: number): Promise<number> {
    const credential = first.demoDevices[index];
    if (!credential) throw new Error("demo district has too few devices");
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    await button.start({ timeoutMs: 5000 });
    try {
      const ack = await button.press("sos");
      if (ack.alarmId === null) throw new Error("acked without an alarm");
      return ack.alarmId;
    } finally {
      await button.stop();
    }
  }

  /** What each hub's /health says of the jobs, for whoever is on call. */
  const healthSaysLeading = async (th: TestHub) =>
    ((await (await fetch(`${th.httpUrl}/health`)).json()) as { jobs: { leading: boolean } }).jobs.leading;

  const outbox = (alarmId: number) =>
    database.sql.all<{ status: string; recipient: string }>("SELECT status, recipient FROM outbox WHERE alarm_id = ?", [
      alarmId,
    ]);

  it("lets only the leader run the jobs: a press stored by the other hub leaves through the leader's sender", async () => {
    expect(first.hub.leadsJobs).toBe(true);
    expect(second.hub.leadsJobs).toBe(false);
    expect([await healthSaysLeading(first), await healthSaysLeading(second)]).toEqual([true, false]);
    expect(second.demoDevices).toEqual([]);

    const alarmId = await pressOn(second, 11);
    // The hub that stored it runs its stages (the SMS are queued in the outbox)...
    await second.waitForPipeline(alarmId, 15_000);
    // ...and the leader's sender sends them, to its own Twilio stand-in; the other hub's stand-in gets nothing.
    await waitFor(
      async () => {
        const rows = await outbox(alarmId);
        return rows.length > 0 && rows.every((row) => row.status === "sent");
      },
      10_000,
      "the alarm's SMS sent",
    );
    const recipients = (await outbox(alarmId)).map((row) => row.recipient).sort();
    expect(
      first.twilio?.messages
        .map((m) => m.to)
        .filter((to) => recipients.includes(to))
        .sort(),
    ).toEqual(recipients);
    expect(second.twilio?.messages).toEqual([]);
  });

  it("hands the jobs over when the leader's connection dies: the new leader sends the SMS, wherever the alarm was stored", async () => {
    // The leader's lock connection is killed by the server, as when its hub dies or its network goes.
    const killed = await database.sql.get<{ n: number }>(
      `SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objid = ? AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [JOBS_LOCK & 0xffffffff],
    );
    expect(killed?.n).toBe(1);
    await waitFor(() => second.hub.leadsJobs, 10_000, "the second hub to take the jobs over");
    await waitFor(() => !first.hub.leadsJobs, 10_000, "the first hub to let go of the jobs");
    expect([await healthSaysLeading(first), await healthSaysLeading(second)]).toEqual([false, true]);

    // A press on the hub that lost the lead: its SMS now leave through the new leader.
    const alarmId = await pressOn(first, 12);
    await first.waitForPipeline(alarmId, 15_000);
    await waitFor(
      async () => {
        const rows = await outbox(alarmId);
        return rows.length > 0 && rows.every((row) => row.status === "sent");
      },
      10_000,
      "the alarm's SMS sent by the new leader",
    );
    const recipients = (await outbox(alarmId)).map((row) => row.recipient).sort();
    expect(second.twilio?.messages.map((m) => m.to).sort()).toEqual(recipients);
    // The first hub keeps trying, and does not lead while the second holds the lock.
    expect(first.hub.leadsJobs).toBe(false);
  });
});
