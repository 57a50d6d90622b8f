/**
 * The failover test of issue 13: three hubs, each a process of its own, on one
 * PostgreSQL and one Redis, behind HAProxy with deploy/haproxy.cfg; 300
 * simulated buttons connected through HAProxy, reconnecting by themselves; a
 * burst of 1,000 presses, and the hub that runs the background jobs killed with
 * SIGKILL in the middle of it (tests/support/hub-cluster.ts); another takes them over.
 *
 * Every press is stored exactly once and acked; every SMS the outbox holds
 * reaches the Twilio stand-in exactly once; a console on a surviving hub shows
 * every alarm; and the buttons that were on the dead hub are back on another
 * within 15 s. The figures are printed for the closing note.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { burst, expectNothingLost, type HubCluster, startHubCluster, watchConsole } from "../support/hub-cluster.ts";
import type { HubProcess } from "../support/hub-process.ts";
import { waitFor } from "../support/test-hub.ts";
import { type ScratchDatabase, scratchDatabase } from "./scratch-database.ts";

/** The sizes; FAILOVER_BUTTONS and FAILOVER_PRESSES run it at others. */
const BUTTONS = Number(process.env.FAILOVER_BUTTONS ?? 300);
const PRESSES = Number(process.env.FAILOVER_PRESSES ?? 1000);

/** What the hub's /health says of the background jobs: does this hub run them? */
async function leadsJobs(hub: HubProcess): Promise<boolean> {
  const body = (await (await fetch(`${hub.httpUrl}/health`)).json()) as { jobs: { leading: boolean } };
  return body.jobs.leading;
}

describe("three hubs behind HAProxy, one killed in the middle of a burst", () => {
  let database: ScratchDatabase;
  let cluster: HubCluster;

  beforeAll(async () => {
    database = await scratchDatabase("failover", { migrate: false });
    cluster = await startHubCluster(database.url, BUTTONS);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    await database?.drop();
  });

  it("stores and acks every press once, texts once, shows every alarm, and the dead hub's buttons are back within 15 s", async () => {
    // The hub killed is the one running the background jobs (SMS sender, deadlines, cascades): the
    // harder case, since another hub must take them over mid-burst with nothing sent twice or lost.
    const leading = await waitFor(
      async () => {
        const answers = await Promise.all(cluster.hubs.map(leadsJobs));
        return answers.filter(Boolean).length === 1 ? answers : undefined;
      },
      10_000,
      "one hub leading the jobs",
    );
    const victim = cluster.hubs[leading.indexOf(true)];
    const survivors = cluster.hubs.filter((hub) => hub !== victim);
    const [survivor] = survivors;
    if (!survivor || !victim) throw new Error("three hubs expected");

    // Each button's outage after the kill: from its disconnect to its next connect.
    const outages: number[] = [];
    let killed = false;
    for (const button of cluster.buttons) {
      let since: number | null = null;
      button.on("disconnected", () => {
        if (killed) since ??= Date.now();
      });
      button.on("connected", () => {
        if (since !== null) outages.push(Date.now() - since);
        since = null;
      });
    }

    const feed = await watchConsole(survivor);
    const outcome = await burst(cluster, PRESSES, async () => {
      killed = true;
      await victim.kill("SIGKILL");
    });
    await waitFor(
      () => (cluster.buttons.every((button) => button.connected) ? true : undefined),
      20_000,
      "every button back",
    );
    expect(outages.length).toBeGreaterThan(0);
    expect(Math.max(...outages)).toBeLessThan(15_000);
    // Another hub took the jobs over (and only one).
    await waitFor(
      async () => ((await Promise.all(survivors.map(leadsJobs))).filter(Boolean).length === 1 ? true : undefined),
      10_000,
      "a surviving hub leading the jobs",
    );

    const { alarmIds, sms } = await expectNothingLost(cluster, database.sql, outcome);
    // The console on a surviving hub was told of every alarm, whichever hub stored it.
    await waitFor(
      () => (alarmIds.every((id) => feed.latest().has(id)) ? true : undefined),
      15_000,
      "every alarm on the surviving hub's console",
    );
    feed.close();
    const alarms = alarmIds.length;
    console.info(
      `failover: ${PRESSES} presses from ${BUTTONS} buttons, last ack ${outcome.lastAckS.toFixed(1)} s after the first press; ` +
        `${alarms} alarms, ${sms} SMS; ${outages.length} buttons moved, longest outage ${(Math.max(...outages) / 1000).toFixed(1)} s`,
    );
  }, 240_000);
});
