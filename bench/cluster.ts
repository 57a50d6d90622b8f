/**
 * `npm run bench -- cluster`: the multi-node run of issue 13. The same fleet and
 * the same burst against 1, 2 and 3 hubs behind HAProxy (deploy/haproxy.cfg),
 * each hub a process of its own on one PostgreSQL and one Redis, printed side by
 * side: how long the fleet took to connect, presses per second until the last
 * ack, the ack's p50 and p99, and when every alarm was through all its stages with
 * its SMS sent. Each run has a fresh
 * database on a PostgreSQL server of the bench's own; Redis, HAProxy and the
 * Twilio stand-in likewise (Debian's `postgresql`, `redis-server` and `haproxy`).
 *
 * On one machine the hubs share its cores, so more hubs add no CPU: what the
 * figures show there is what the cluster's own work (Redis's bus, row locks,
 * NOTIFY) costs, not what more machines would give.
 *
 * Options: --hubs 1,2,3  --buttons 300  --presses 1000
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { ALARM_STAGES } from "../hub/pipeline/alarm-pipeline.ts";
import { PostgresSql } from "../hub/storage/sql/postgres-sql.ts";
import { burst, type HubCluster, startHubCluster } from "../tests/support/hub-cluster.ts";
import { scratchPostgresServer } from "../tests/support/scratch-postgres-server.ts";
import { waitFor } from "../tests/support/test-hub.ts";
import { distribution, round } from "./load/stats.ts";

interface ClusterFigures {
  hubs: number;
  connectS: number;
  lastAckS: number;
  pressesPerS: number;
  ackP50Ms: number;
  ackP99Ms: number;
  lastSmsS: number;
  alarms: number;
}

export async function runClusterBench(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      hubs: { type: "string", default: "1,2,3" },
      buttons: { type: "string", default: "300" },
      presses: { type: "string", default: "1000" },
    },
  });
  const counts = values.hubs.split(",").map(Number);
  const buttons = Number(values.buttons);
  const presses = Number(values.presses);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 3) || !(buttons > 0) || !(presses > 0)) {
    console.error("usage: npm run bench -- cluster [--hubs 1,2,3] [--buttons 300] [--presses 1000]");
    return 2;
  }
  console.log(
    `Anxin multi-node bench: ${buttons} buttons through HAProxy, a burst of ${presses} presses; ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}`,
  );
  const server = await scratchPostgresServer();
  const rows: ClusterFigures[] = [];
  try {
    for (const hubs of counts) {
      process.stdout.write(`  ${hubs} hub${hubs > 1 ? "s" : ""}… `);
      rows.push(await measure(server.url, hubs, buttons, presses));
      console.log("done");
    }
  } finally {
    server.remove();
  }
  printTable(rows);
  return 0;
}

async function measure(serverUrl: string, hubs: number, buttons: number, presses: number): Promise<ClusterFigures> {
  // A database of its own for each run, so no run starts with another's alarms.
  const name = `anxin_bench_${hubs}_${Date.now()}`;
  const admin = new PostgresSql(serverUrl, { max: 1 });
  await admin.exec(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const cluster: HubCluster = await startHubCluster(url.toString(), buttons, hubs);
  const sql = new PostgresSql(url.toString(), { max: 2 });
  try {
    const started = performance.now();
    const outcome = await burst(cluster, presses, async () => {});
    // Done: every alarm through all its stages, and no SMS waiting (later steps of a relatives' cascade
    // come on their own timers, not from the burst).
    await waitFor(
      async () => {
        const alarms = await sql.all<{ stages_done: string }>("SELECT stages_done FROM alarms");
        const staged = alarms.every(
          (alarm) => (JSON.parse(alarm.stages_done) as unknown[]).length === ALARM_STAGES.length,
        );
        if (!staged) return undefined;
        const pending = await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'");
        return pending?.n === 0 ? true : undefined;
      },
      300_000,
      "every alarm processed and its SMS sent",
    );
    const lastSmsS = (performance.now() - started) / 1000;
    const alarms = (await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM alarms"))?.n ?? 0;
    const ack = distribution(outcome.ackMs);
    return {
      hubs,
      connectS: cluster.connectS,
      lastAckS: outcome.lastAckS,
      pressesPerS: presses / outcome.lastAckS,
      ackP50Ms: ack.p50,
      ackP99Ms: ack.p99,
      lastSmsS,
      alarms,
    };
  } finally {
    await sql.close();
    await cluster.stop();
  }
}

function printTable(rows: readonly ClusterFigures[]): void {
  const columns: [string, (row: ClusterFigures) => string][] = [
    ["hubs", (row) => String(row.hubs)],
    ["fleet connected", (row) => `${round(row.connectS)} s`],
    ["last ack", (row) => `${round(row.lastAckS)} s`],
    ["presses/s", (row) => String(round(row.pressesPerS, 0))],
    ["ack p50", (row) => `${round(row.ackP50Ms, 0)} ms`],
    ["ack p99", (row) => `${round(row.ackP99Ms, 0)} ms`],
    ["all processed, SMS sent", (row) => `${round(row.lastSmsS)} s`],
    ["alarms", (row) => String(row.alarms)],
  ];
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)));
  console.log("");
  for (const line of cells) console.log(`  ${line.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("   ")}`);
}
