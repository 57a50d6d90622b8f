/**
 * Issue 13: the failover test's burst with PostgreSQL restarted (not killed) in
 * the middle of it: three hubs behind HAProxy on a PostgreSQL server of this
 * file's own (tests/support/scratch-postgres-server.ts), 300 buttons, 1,000
 * presses; half-way the server is stopped (fast shutdown) and started again.
 *
 * While it is away every hub answers 503 on /health; afterwards they answer 200
 * again by themselves, and nothing is lost: every press stored once and acked,
 * every SMS sent once, every alarm in the queue a console loads (tests/support/hub-cluster.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresSql } from "../../hub/storage/sql/postgres-sql.ts";
import { burst, expectNothingLost, type HubCluster, startHubCluster } from "../support/hub-cluster.ts";
import { type ScratchPostgresServer, scratchPostgresServer } from "../support/scratch-postgres-server.ts";
import { loginAt, waitFor } from "../support/test-hub.ts";

const BUTTONS = Number(process.env.FAILOVER_BUTTONS ?? 300);
const PRESSES = Number(process.env.FAILOVER_PRESSES ?? 1000);
/** How long the database stays away. */
const AWAY_MS = 3000;

describe("three hubs behind HAProxy while PostgreSQL restarts in the middle of a burst", () => {
  let server: ScratchPostgresServer;
  let cluster: HubCluster;

  beforeAll(async () => {
    server = await scratchPostgresServer();
    cluster = await startHubCluster(server.url, BUTTONS);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    server?.remove();
  });

  async function healthCodes(): Promise<number[]> {
    return Promise.all(
      cluster.hubs.map((hub) =>
        fetch(`${hub.httpUrl}/health`, { signal: AbortSignal.timeout(5000) }).then(
          (response) => response.status,
          () => 0,
        ),
      ),
    );
  }

  it("answers 503 while the database is away, recovers by itself, and loses nothing", async () => {
    let whileAway: number[] = [];
    const outcome = await burst(cluster, PRESSES, async () => {
      server.stopServer();
      let seen: number[] = [];
      whileAway = await waitFor(
        async () => {
          seen = await healthCodes();
          return seen.every((code) => code === 503) ? seen : undefined;
        },
        AWAY_MS + 10_000,
        "every hub's /health at 503",
      ).catch((error: unknown) => {
        const died = cluster.hubs.map((hub) => hub.output.filter((l) => !l.startsWith("{")).slice(-40));
        throw new Error(`${String(error)}; last answers ${JSON.stringify(seen)}; errors ${JSON.stringify(died)}`);
      });
      await new Promise((resolve) => setTimeout(resolve, AWAY_MS));
      server.startServer();
    });
    expect(whileAway).toEqual([503, 503, 503]);
    await waitFor(
      async () => ((await healthCodes()).every((code) => code === 200) ? true : undefined),
      30_000,
      "every hub's /health at 200 again",
    );

    const [watching] = cluster.hubs;
    if (!watching) throw new Error("three hubs expected");
    const sql = new PostgresSql(server.url, { max: 2 });
    try {
      const { alarmIds, sms } = await expectNothingLost(cluster, sql, outcome);
      // A console whose socket closed while the database was away reloads the queue: every alarm is in it.
      const listed = await waitFor(
        async () => {
          const response = await fetch(`${watching.httpUrl}/api/alarms?status=all&limit=1000`, {
            headers: { cookie: await loginAt(watching.httpUrl) },
          });
          const body = (await response.json()) as { alarms: { id: number }[] };
          const ids = new Set(body.alarms.map((alarm) => alarm.id));
          return alarmIds.every((id) => ids.has(id)) ? ids : undefined;
        },
        15_000,
        "every alarm in the console's queue",
      );
      expect(listed.size).toBe(alarmIds.length);
      const alarms = alarmIds.length;
      console.info(
        `database restart: ${PRESSES} presses from ${BUTTONS} buttons, last ack ${outcome.lastAckS.toFixed(1)} s ` +
          `after the first press; ${alarms} alarms, ${sms} SMS`,
      );
    } finally {
      await sql.close();
    }
  }, 300_000);
});
