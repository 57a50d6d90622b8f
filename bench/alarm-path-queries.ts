/**
 * The alarm path against a long history and a big backlog: a hub's parts
 * (no broker, no HTTP) over a database holding `closed` alarms of the past and
 * `open` SOS alarms that hold their workers, as after a mass event that the
 * operators have not worked through yet.
 *
 * 1. New alarms run the real post-storage stages (locate, relatives, dispatch,
 *    consoles), one at a time; then every periodic pass runs once (offer and
 *    deadline watchers, relatives' cascade, family updates, pipeline retry,
 *    device supervision, the outbox's due query, a metrics scrape). Every SQL text they prepare
 *    is recorded and its `EXPLAIN QUERY PLAN` read: any full scan of a table
 *    that grows with the history or the backlog is listed. Goal: none.
 * 2. Who is busy: the query the ranking used to run for every alarm, against
 *    the in-memory mirror's lookup, over the same rows.
 */

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../hub/config.ts";
import { createHubParts } from "../hub/hub-parts.ts";
import { hubStorage } from "../hub/hub-storage.ts";
import { createLogger } from "../hub/log.ts";
import { ALARM_STAGES } from "../hub/pipeline/alarm-pipeline.ts";
import { seedDemoDistrict } from "../hub/seed/demo-district.ts";
import { type Db, openDatabase } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";

export interface AlarmPathFigures {
  closed: number;
  open: number;
  alarms: number;
  statements: number;
  fullScans: string[];
  alarmMs: { p50: number; p99: number };
  passesMs: Record<string, number>;
  busy: { queryMs: number; lookupMs: number; workers: number };
}

/** Tables that grow with the history or the backlog; a full scan of one per alarm or per second is the defect. */
const GROWING =
  /^(alarms|alarm_events|alarm_escalations|dispatch_offers|outbox|presses|relative_contacts|relative_cascades|family_updates_due|family_links|device_events|device_faults|device_tests|audit_log|call_hangups|service_requests|sessions)$/;

/** A history of `closed` alarms and a backlog of `open` SOS alarms holding workers, written directly. */
export function fillHistory(db: Db, closed: number, open: number): void {
  const workers = (db.prepare("SELECT id FROM workers WHERE on_duty = 1").all() as { id: number }[]).map((w) => w.id);
  const homes = db
    .prepare(
      `SELECT d.id AS device, h.id AS household, r.id AS resident FROM devices d
         JOIN households h ON h.id = d.household_id JOIN residents r ON r.household_id = h.id ORDER BY h.id`,
    )
    .all() as { device: string; household: number; resident: number }[];
  const stages = JSON.stringify(["locate", "notify_relatives", "dispatch", "publish_dashboards"]);
  const alarm = db.prepare(
    `INSERT INTO alarms (device_id, kind, status, outcome, received_at, household_id, resident_id, worker_id,
       stages_done, offered_at, resolved_at, acknowledged_at, incident_scope) VALUES (?, 'sos', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const press = db.prepare(
    "INSERT INTO presses (device_id, press_id, kind, device_time, seq, battery, received_at, alarm_id) VALUES (?, ?, 'sos', ?, 1, 90, ?, ?)",
  );
  const event = db.prepare(
    "INSERT INTO alarm_events (alarm_id, at, type, actor, detail) VALUES (?, ?, ?, 'system', '{}')",
  );
  const sms = db.prepare(
    `INSERT INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, status, next_attempt_at, created_at, sent_at)
     VALUES ('sms', '+8613900000000', 'history', ?, 'relative:1', ?, 'sent', 0, ?, ?)`,
  );
  const offer = db.prepare(
    `INSERT INTO dispatch_offers (alarm_id, worker_id, rank, status, offered_at, expires_at, offered_by)
     VALUES (?, ?, 1, ?, ?, ?, 'system')`,
  );
  const escalation = db.prepare("INSERT INTO alarm_escalations (alarm_id, kind, level, at) VALUES (?, ?, ?, ?)");
  const cascade = db.prepare(
    "INSERT INTO relative_cascades (alarm_id, status, step, wave, deadline_at, started_at) VALUES (?, ?, 1, 1, ?, ?)",
  );
  // A delivered SMS nobody answered stays `waiting` for good: history is full of them.
  const contact = db.prepare(
    `INSERT INTO relative_contacts (alarm_id, relative_id, priority, name, phone, language, channel, step, outbox_id, created_at)
     VALUES (?, 1, 1, '家属', '+8613900000000', 'zh-CN', 'sms', 1, ?, ?)`,
  );
  const farAway = new Date(Date.now() + 86_400_000).toISOString();
  db.transaction(() => {
    for (let i = 0; i < closed + open; i += 1) {
      const isOpen = i >= closed;
      const home = homes[isOpen ? homes.length - 1 - (i - closed) : i % homes.length];
      const worker = workers[i % workers.length];
      if (!home || worker === undefined) throw new Error("district too small for the backlog");
      // The history over the last 60 days; the backlog in the hour before now, 100 ms apart.
      const at = isOpen
        ? new Date(Date.now() - 3_600_000 + (i - closed) * 100).toISOString()
        : new Date(Date.now() - 86_400_000 * 60 + i * 100).toISOString();
      const status = isOpen ? "offered" : i % 10 === 0 ? "resolved" : "followed_up";
      const outcome = isOpen ? null : i % 10 === 0 ? "false_alarm" : "real";
      const scope = isOpen ? `household:${home.household}` : null;
      const id = Number(
        alarm.run(
          home.device,
          status,
          outcome,
          at,
          home.household,
          home.resident,
          worker,
          stages,
          at,
          isOpen ? null : at,
          at,
          scope,
        ).lastInsertRowid,
      );
      press.run(home.device, `bench-${i}`, at, at, id);
      for (const type of ["received", "located", "dispatch_ranked", "offer_sent"]) event.run(id, at, type);
      const smsId = Number(sms.run(id, `bench:${id}`, at, at).lastInsertRowid);
      contact.run(id, smsId, at);
      cascade.run(id, isOpen ? "texting" : "confirmed", isOpen ? farAway : null, at);
      offer.run(id, worker, isOpen ? "offered" : "accepted", at, isOpen ? farAway : at);
      if (isOpen) for (const [kind, level] of OPEN_ESCALATIONS) escalation.run(id, kind, level, at);
    }
    db.prepare("UPDATE family_updates_due SET done_at = created_at, result = '{}'").run();
  })();
}

/** The open backlog is past its deadlines: each alarm was escalated already, as the watcher would have. */
const OPEN_ESCALATIONS = [
  ["resolution", 1],
  ["arrival", 1],
  ["arrival", 2],
] as const;

const quantile = (sorted: number[], p: number) =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN) * 1000) / 1000;

export async function measureAlarmPath(closed = 50_000, open = 10_000, fresh = 200): Promise<AlarmPathFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-alarm-path-"));
  const logger = createLogger(process.env.BENCH_LOG === "1" ? "error" : "silent");
  const db = openDatabase(path.join(dataDir, "anxin.db"), logger);
  try {
    await seedDemoDistrict(new SqliteSql(db), { households: open + fresh + 100, workers: 200, clinics: 20 });
    fillHistory(db, closed, open);
    const config = loadConfig({
      ANXIN_DATA_DIR: dataDir,
      ANXIN_LOG_LEVEL: "silent",
      ANXIN_ADMIN_PASSWORD: "bench-admin-password",
    });
    // Every SQL text the hub prepares while recording. Installed before the hub's storage exists: its port
    // (hub/storage/sql/sqlite-sql.ts) keeps the connection's `prepare` as it is when the port is made, so a
    // wrapper installed later sees only the few statements prepared on the connection directly.
    const seen = new Set<string>();
    let recording = false;
    const prepare = db.prepare;
    db.prepare = ((sql: string) => {
      if (recording) seen.add(sql);
      return prepare(sql);
    }) as Db["prepare"];
    const storage = hubStorage(db, logger);
    const parts = createHubParts(storage, config, { logger, clock: () => new Date() });
    await parts.responders.refresh();
    parts.dispatch.start();
    // The alarm stages run in group commits (hub/storage/group-commit.ts), as in a started hub.
    parts.commits.start();

    recording = true;

    // The first households: the open backlog took the last ones.
    const devices = db.prepare("SELECT id, household_id FROM devices ORDER BY household_id LIMIT ?").all(fresh) as {
      id: string;
      household_id: number;
    }[];
    const samples: number[] = [];
    for (const device of devices) {
      const start = performance.now();
      const receivedAt = new Date().toISOString();
      const scope = `household:${device.household_id}`;
      const alarmId = await storage.alarms.insertAlarm(device.id, "sos", receivedAt, scope);
      const received = { pressId: `bench-${alarmId}`, kind: "sos" as const, battery: 90, attempt: 1 };
      await storage.alarms.appendEvent(alarmId, "received", `device:${device.id}`, received, receivedAt);
      parts.pipeline.runAlarmStages(alarmId);
      // Until its stages are committed: one alarm at a time, so each sample is one alarm's whole path.
      while ((await storage.alarms.stagesDone(alarmId)).length < ALARM_STAGES.length) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);

    // Each pass twice: the first may act on what the new alarms left due; the second is what every tick costs.
    const passesMs: Record<string, number> = {};
    const pass = async (name: string, run: () => unknown) => {
      await run();
      const start = performance.now();
      await run();
      passesMs[name] = Math.round((performance.now() - start) * 1000) / 1000;
    };
    await pass("offer watcher", () => parts.offerWatcher.scan());
    await pass("deadline watcher", () => parts.lifecycle.watcher.scan());
    await pass("relatives' cascade", () => parts.relatives.service.scan());
    await pass("family updates", () => parts.family.updates.scan());
    await pass("pipeline retry", () => parts.pipeline.resumeIncomplete());
    await pass("device supervision", () => parts.supervision.supervisor.scan());
    await pass("outbox due", () => [storage.outbox.nextDue(Date.now()), storage.outbox.nextDueAt()]);
    // Prometheus' scrape, every 15 s: the gauges read from the database (hub/storage/metrics-reads.ts).
    await pass("metrics scrape", () => parts.metrics.exposition());
    recording = false;

    // A partial index holds only the rows a pass is after (pending, open…): reading all of it is fine.
    const partial = new Set(
      (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'").all() as {
          name: string;
        }[]
      ).map((i) => i.name),
    );
    const fullScans: string[] = [];
    for (const sql of seen) {
      if (/^\s*(PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|CREATE|DROP)\b/i.test(sql)) continue;
      // The plan is the same whatever the values: null for each `?` and each named parameter.
      const params: unknown[] = new Array((sql.match(/\?/g) ?? []).length).fill(null);
      const names = [...sql.matchAll(/[@$:]([A-Za-z_]\w*)/g)].map((m) => m[1] ?? "");
      if (names.length > 0) params.unshift(Object.fromEntries(names.map((name) => [name, null])));
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
      for (const { detail } of plan) {
        const [, table, index] = /^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?/.exec(detail) ?? [];
        if (index && partial.has(index)) continue;
        // A write's plan lists the foreign-key checks of child tables too; SQLite runs them only when a
        // deferred violation is outstanding, never on the hub's path. Only tables the statement names count.
        if (table && /^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql) && !new RegExp(`\\b${table}\\b`).test(sql)) continue;
        if (table && (GROWING.test(table) || isAliasOfGrowing(sql, table))) {
          fullScans.push(`${detail} ← ${sql.replace(/\s+/g, " ").slice(0, 160)}`);
        }
      }
    }

    // Who is busy: the old per-alarm query against the mirror, over the same open backlog.
    const oldQuery = db.prepare(
      `SELECT worker_id, id AS alarm_id FROM alarms
         WHERE status IN ('offered', 'accepted', 'on_scene') AND kind <> 'service' AND worker_id IS NOT NULL AND id IS NOT ?
       UNION ALL SELECT worker_id, alarm_id FROM dispatch_offers WHERE status = 'offered' AND alarm_id IS NOT ?`,
    );
    const workerIds = (db.prepare("SELECT id FROM workers").all() as { id: number }[]).map((w) => w.id);
    const rounds = 50;
    let start = performance.now();
    for (let i = 0; i < rounds; i += 1) {
      const rows = oldQuery.all(i, i) as { worker_id: number; alarm_id: number }[];
      const busy = new Map(rows.map((r) => [r.worker_id, r.alarm_id]));
      for (const id of workerIds) busy.get(id);
    }
    const queryMs = (performance.now() - start) / rounds;
    start = performance.now();
    for (let i = 0; i < rounds; i += 1) {
      const busy = await parts.dispatch.deps.repo.busyLookup(i);
      for (const id of workerIds) busy.get(id);
    }
    const lookupMs = (performance.now() - start) / rounds;
    parts.dispatch.stop();
    return {
      closed,
      open,
      alarms: samples.length,
      statements: seen.size,
      fullScans,
      alarmMs: { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) },
      passesMs,
      busy: { queryMs: round(queryMs), lookupMs: round(lookupMs), workers: workerIds.length },
    };
  } finally {
    db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** `SCAN a` where the query says `alarms a` (or `FROM outbox o`…): the alias of a growing table. */
function isAliasOfGrowing(sql: string, alias: string): boolean {
  const match = new RegExp(`\\b(\\w+)\\s+(?:AS\\s+)?${alias}\\b(?=\\s|,|$)`, "i").exec(sql);
  return match?.[1] !== undefined && GROWING.test(match[1]);
}

export function printAlarmPathFigures(f: AlarmPathFigures): void {
  console.log(
    `\nalarm path over ${f.closed} closed and ${f.open} open alarms (each holding a worker), ${f.alarms} new alarms one at a time:`,
  );
  console.log(`  post-storage stages per alarm: p50 ${f.alarmMs.p50} ms   p99 ${f.alarmMs.p99} ms`);
  console.log(
    `  one pass of each periodic job: ${Object.entries(f.passesMs)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(", ")}`,
  );
  console.log(`  ${f.statements} SQL texts prepared; full scans of a growing table: ${f.fullScans.length} (goal: 0)`);
  for (const scan of f.fullScans) console.log(`    ${scan}`);
  console.log(
    `  who is busy (${f.busy.workers} workers): old query ${f.busy.queryMs} ms per alarm, in-memory mirror ${f.busy.lookupMs} ms`,
  );
}
