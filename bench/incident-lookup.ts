/**
 * The lookups a press now makes to find its incident (one open SOS and one
 * open service call per household), and the ones feedback makes, on a large
 * database: 100,000 alarms of 5,000 devices in 2,500 two-button households,
 * each alarm with its press. `npm run bench`, or alone: `npx tsx bench/incident-lookup.ts`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createLogger } from "../hub/log.ts";
import { AlarmRepository } from "../hub/storage/alarm-repo.ts";
import { openDatabase } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";

export interface IncidentLookupFigures {
  alarms: number;
  /** Microseconds per call, median over the calls made. */
  us: Record<string, number>;
  /** `feedbackAlarmFor` with the `alarms_device` index dropped: what the index buys. */
  feedbackWithoutIndexUs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Median µs per awaited call (the repository is on the storage port: on SQLite a settled promise). */
async function time(calls: number, work: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await work(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await work(i);
    samples.push((performance.now() - started) * 1000);
  }
  return Math.round(median(samples) * 10) / 10;
}

export async function measureIncidentLookup(alarms = 100_000, devices = 5_000): Promise<IncidentLookupFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-bench-incident-"));
  const db = openDatabase(path.join(dir, "anxin.db"), createLogger("silent"));
  try {
    db.transaction(() => {
      const household = db.prepare(
        "INSERT INTO households (id, code, address, lat, lng, created_at) VALUES (?, ?, 'addr', 37.5, 118.5, 'now')",
      );
      const device = db.prepare(
        "INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES (?, ?, 'x', 'now')",
      );
      for (let h = 1; h <= devices / 2; h++) household.run(h, `H${h}`);
      for (let d = 0; d < devices; d++) device.run(`D${d}`, 1 + Math.floor(d / 2));
      const alarm = db.prepare(
        `INSERT INTO alarms (device_id, kind, status, received_at, incident_scope)
         VALUES (?, ?, ?, 'now', ?)`,
      );
      const press = db.prepare(
        `INSERT INTO presses (device_id, press_id, kind, device_time, seq, battery, received_at, alarm_id)
         VALUES (?, ?, ?, 'now', ?, 90, 'now', ?)`,
      );
      for (let i = 0; i < alarms; i++) {
        const d = i % devices;
        const kind = i % 10 === 0 ? "service" : i % 10 === 1 ? "test" : "sos";
        // The newest alarm of every household stays open; the rest are closed.
        const open = i >= alarms - devices && d % 2 === 0;
        const scope = kind === "test" ? null : `household:${1 + Math.floor(d / 2)}`;
        const id = Number(alarm.run(`D${d}`, kind, open ? "offered" : "resolved", scope).lastInsertRowid);
        press.run(`D${d}`, `press-${i}-xxxx`, kind, i, id);
      }
    })();
    const repo = new AlarmRepository(new SqliteSql(db));
    const device = (i: number) => `D${(i * 7919) % devices}`;
    const scope = (i: number) => `household:${1 + ((i * 7919) % (devices / 2))}`;
    const us = {
      openIncident: await time(2000, (i) => repo.openIncident(scope(i), "sos")),
      cancelTargetFor: await time(2000, (i) => repo.cancelTargetFor(device(i))),
      feedbackAlarmFor: await time(2000, (i) => repo.feedbackAlarmFor(device(i))),
      devicesOf: await time(2000, (i) => repo.devicesOf(1 + ((i * 7919) % alarms))),
    };
    db.exec("DROP INDEX alarms_device");
    const feedbackWithoutIndexUs = await time(200, (i) => repo.feedbackAlarmFor(device(i)));
    return { alarms, us, feedbackWithoutIndexUs };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printIncidentLookupFigures(figures: IncidentLookupFigures): void {
  console.log(`\nincident lookups on ${figures.alarms} alarms (median µs per call):`);
  for (const [name, value] of Object.entries(figures.us)) console.log(`  ${name.padEnd(18)} ${value}`);
  console.log(`  feedbackAlarmFor without the alarms_device index: ${figures.feedbackWithoutIndexUs}`);
}

if (import.meta.url === `file://${process.argv[1]}`) printIncidentLookupFigures(await measureIncidentLookup());
