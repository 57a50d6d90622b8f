/**
 * The console's read models over the storage port, given the same rows on
 * each engine: alarm history (with its per-dialect seconds), KPIs and the audit
 * log, and the batched reads behind the queue's alarm summaries, answer alike on SQLite (tests/read-models.test.ts, in `npm test`) and
 * PostgreSQL (tests/postgres/read-models.test.ts). The rows are written with
 * plain SQL through the port, so the suite depends on no write path.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlarmHistory } from "../../hub/alarms/history-query.ts";
import { AuditLog } from "../../hub/audit/audit-log.ts";
import { KpiService } from "../../hub/kpi/kpi-service.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import { SummaryReads } from "../../hub/storage/summary-reads.ts";

const ZONE = "Asia/Shanghai";
const POLYGON = JSON.stringify({ type: "Polygon", coordinates: [] });

/** 2026-03-02 09:00 in Shanghai, and seconds after it as ISO text. */
const T0 = Date.parse("2026-03-02T01:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

async function seed(sql: SqlDatabase): Promise<void> {
  const id = async (text: string, params: readonly (string | number | null)[]) =>
    (await sql.get<{ id: number }>(`${text} RETURNING id`, params))?.id ?? 0;
  const east = await id("INSERT INTO grids (code, name, polygon) VALUES (?, ?, ?)", ["G-E", "East 东区", POLYGON]);
  await id("INSERT INTO grids (code, name, polygon) VALUES (?, ?, ?)", ["G-W", "West", POLYGON]);
  const home = await id(
    "INSERT INTO households (code, address, grid_id, lat, lng, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    ["H-001", "1 East Road 东路1号", east, 37.59, 118.54, at(-86400)],
  );
  const resident = await id("INSERT INTO residents (household_id, name, birth_date, sex) VALUES (?, ?, ?, ?)", [
    home,
    "Wang Fang 王芳",
    "1940-05-01",
    "F",
  ]);
  for (const [device, household] of [
    ["btn-1", home],
    ["btn-2", null],
  ] as const) {
    await sql.run("INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES (?, ?, ?, ?)", [
      device,
      household,
      "x",
      at(-86400),
    ]);
  }
  // A real alarm taken through to follow-up, 30 s to ack, 600 s to arrive, 1,200.4 s to resolve.
  await sql.run(
    `INSERT INTO alarms (device_id, kind, status, outcome, received_at, household_id, resident_id,
       acknowledged_at, accepted_at, on_scene_at, resolved_at, followed_up_at)
     VALUES (?, 'sos', 'followed_up', 'real', ?, ?, ?, ?, ?, ?, ?, ?)`,
    ["btn-1", at(0), home, resident, at(30), at(120), at(600), at(1200.4), at(86400)],
  );
  // A false alarm the next day, acknowledged after 90 s; an open test alarm with no household.
  await sql.run(
    `INSERT INTO alarms (device_id, kind, status, outcome, received_at, household_id, acknowledged_at, resolved_at)
     VALUES (?, 'sos', 'resolved', 'false_alarm', ?, ?, ?, ?)`,
    ["btn-1", at(86400), home, at(86490), at(86700)],
  );
  await sql.run("INSERT INTO alarms (device_id, kind, status, received_at) VALUES (?, 'test', 'unassigned', ?)", [
    "btn-2",
    at(86400 + 60),
  ]);
  await sql.run("INSERT INTO device_faults (device_id, kind, opened_at) VALUES (?, 'low_battery', ?)", [
    "btn-1",
    at(50),
  ]);
  for (const [s, actor, action] of [
    [0, "user:admin", "login"],
    [10, "user:op1", "alarm_acknowledged"],
    [20, "user:op1", "login"],
  ] as const) {
    await sql.run("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)", [
      at(s),
      actor,
      action,
      null,
      JSON.stringify({ s }),
    ]);
  }
}

export function describeReadModels(name: string, open: () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>) {
  describe(`the console's read models on ${name}`, () => {
    let db: { sql: SqlDatabase; close(): Promise<void> };
    beforeAll(async () => {
      db = await open();
      await seed(db.sql);
    });
    afterAll(() => db?.close());

    it("lists and counts alarm history by day, kind, status and text, with whole seconds per step", async () => {
      const history = new AlarmHistory(db.sql, ZONE);
      const all = await history.list({ from: "2026-03-02", to: "2026-03-03" }, { limit: 10, offset: 0 });
      expect(all.map((a) => [a.kind, a.status])).toEqual([
        ["test", "unassigned"],
        ["sos", "resolved"],
        ["sos", "followed_up"],
      ]);
      const first = all[2];
      expect(first).toMatchObject({ ackS: 30, arrivalS: 600, resolutionS: 1200, gridCode: "G-E" });
      expect(first?.residentName).toBe("Wang Fang 王芳");
      expect(all[0]).toMatchObject({ ackS: null, householdCode: null });
      expect(await history.count({ from: "2026-03-02", to: "2026-03-02" })).toBe(1);
      expect(await history.count({ status: "open" })).toBe(1);
      expect(await history.count({ q: "东路" })).toBe(2);
      expect(await history.count({ q: "100%" })).toBe(0);
      expect(await history.count({ outcome: "none" })).toBe(1);
    });

    it("reports KPIs per local day and grid, keeping the quiet grid and the alarms with none", async () => {
      const report = await new KpiService(db.sql, ZONE).report({ from: "2026-03-02", to: "2026-03-03" });
      expect(report.days.map((d) => [d.date, d.alarms])).toEqual([
        ["2026-03-02", 1],
        ["2026-03-03", 2],
      ]);
      expect(report.grids.map((g) => [g.code, g.alarms])).toEqual([
        ["G-E", 2],
        ["G-W", 0],
        [null, 1],
      ]);
      expect(report.totals.byOutcome).toMatchObject({ real: 1, false_alarm: 1 });
      expect(report.totals.faults.low_battery).toBe(1);
      const east = report.grids[0]?.gridId ?? -1;
      const oneGrid = await new KpiService(db.sql, ZONE).report({ from: "2026-03-02", to: "2026-03-03", gridId: east });
      expect(oneGrid.grids.map((g) => g.code)).toEqual(["G-E"]);
      expect(oneGrid.totals.alarms).toBe(2);
    });

    it("reads the queue's summary rows for a list of ids in one statement per table, unknown ids left out", async () => {
      const reads = new SummaryReads(db.sql);
      const alarms = await reads.alarms([3, 1, 99]);
      expect(alarms.map((a) => a.id)).toEqual([1, 3]);
      const households = await reads.households([1, 1, 42]);
      expect([...households.keys()]).toEqual([1]);
      expect(households.get(1)?.code).toBe("H-001");
      expect([...(await reads.grids([1, 2])).values()].map((g) => g.code).sort()).toEqual(["G-E", "G-W"]);
      expect(await reads.residents([])).toEqual(new Map());
      expect(await reads.alarms([])).toEqual([]);
    });

    it("reads the audit log newest first, filtered by actor and action, with its distinct actions", async () => {
      const audit = new AuditLog(db.sql, ZONE);
      expect(await audit.actions()).toEqual(["alarm_acknowledged", "login"]);
      const logins = await audit.list({ action: "login" }, { limit: 10, offset: 0 });
      expect(logins.map((e) => [e.actor, e.detail])).toEqual([
        ["user:op1", { s: 20 }],
        ["user:admin", { s: 0 }],
      ]);
      expect(await audit.count({ actor: "op1" })).toBe(2);
      expect(await audit.count({ from: "2026-03-03" })).toBe(0);
    });
  });
}
