/**
 * Alarms and device faults with known timestamps for the KPI tests, written
 * straight into a test hub's database. Times are given on the Asia/Shanghai wall
 * clock (UTC+8, no daylight saving), the test hub's default ANXIN_TIME_ZONE,
 * and converted with a fixed offset here, not with the hub's own day code.
 * The expected figures in the tests are worked out by hand from this table.
 */

import { ALL_STAGES_DONE } from "./stages-done.ts";
import type { TestHub } from "./test-hub.ts";

/** "2026-03-01 00:00:10" in Shanghai → UTC ISO. */
export function shanghai(local: string): string {
  return new Date(Date.parse(`${local.replace(" ", "T")}+08:00`)).toISOString();
}

const after = (iso: string, seconds: number | null) =>
  seconds === null ? null : new Date(Date.parse(iso) + seconds * 1000).toISOString();

export interface KpiFixtureAlarm {
  name: string;
  kind: "sos" | "service" | "test";
  status: string;
  outcome: "real" | "false_alarm" | "test" | null;
  local: string;
  grid: "g1" | "g2" | "g3" | null;
  /** Seconds after received (onScene: after accepted). */
  ack: number | null;
  accept?: number;
  onScene?: number;
  resolve?: number;
  cancel?: number;
}

export const KPI_FROM = "2026-03-01";
export const KPI_TO = "2026-03-03";

export const KPI_ALARMS: KpiFixtureAlarm[] = [
  {
    name: "A1",
    kind: "sos",
    status: "resolved",
    outcome: "real",
    local: "2026-03-01 09:00:00",
    grid: "g1",
    ack: 30,
    accept: 90,
    onScene: 600,
    resolve: 2000,
  },
  {
    name: "A2",
    kind: "sos",
    status: "followed_up",
    outcome: "real",
    local: "2026-03-01 10:00:00",
    grid: "g1",
    ack: 45,
    accept: 120,
    onScene: 300,
    resolve: 1500,
  },
  {
    name: "A3",
    kind: "service",
    status: "resolved",
    outcome: "false_alarm",
    local: "2026-03-01 11:00:00",
    grid: "g2",
    ack: 75,
    resolve: 400,
  },
  {
    name: "A4",
    kind: "test",
    status: "resolved",
    outcome: "test",
    local: "2026-03-01 12:00:00",
    grid: "g1",
    ack: null,
    resolve: 5,
  },
  // 16:00:10 UTC the day before: only a time-zone-aware bucketing puts it on 1 March.
  { name: "A5", kind: "sos", status: "unassigned", outcome: null, local: "2026-03-01 00:00:10", grid: "g2", ack: 20 },
  { name: "A6", kind: "sos", status: "unassigned", outcome: null, local: "2026-03-02 23:59:50", grid: "g1", ack: null },
  {
    name: "A7",
    kind: "service",
    status: "resolved",
    outcome: "false_alarm",
    local: "2026-03-02 08:00:00",
    grid: null,
    ack: 60,
    resolve: 100,
  },
  // Cancelled by an operator after acknowledging it: the hub stores every cancel as a false alarm.
  {
    name: "A8",
    kind: "sos",
    status: "cancelled",
    outcome: "false_alarm",
    local: "2026-03-02 09:00:00",
    grid: "g2",
    ack: 10,
    cancel: 120,
  },
  // Just outside the range on either side.
  { name: "A9", kind: "sos", status: "unassigned", outcome: null, local: "2026-02-28 23:59:59", grid: "g1", ack: 5 },
  { name: "A10", kind: "sos", status: "unassigned", outcome: null, local: "2026-03-04 00:00:00", grid: "g1", ack: 5 },
  // KPI_CANCELLED_DAY, grid g3: only cancelled alarms. A11 is the resident's own cancel press 5 s
  // after the press, before any operator could acknowledge; A12 an operator's cancel after acknowledging.
  {
    name: "A11",
    kind: "sos",
    status: "cancelled",
    outcome: "false_alarm",
    local: "2026-03-05 10:00:00",
    grid: "g3",
    ack: null,
    cancel: 5,
  },
  {
    name: "A12",
    kind: "sos",
    status: "cancelled",
    outcome: "false_alarm",
    local: "2026-03-05 11:00:00",
    grid: "g3",
    ack: 40,
    cancel: 300,
  },
];

/** The day on which grid g3 has only cancelled alarms (A11, A12). */
export const KPI_CANCELLED_DAY = "2026-03-05";

export const KPI_FAULTS = [
  { kind: "offline", local: "2026-03-01 10:00:00", grid: "g1" },
  { kind: "low_battery", local: "2026-03-02 00:30:00", grid: "g1" },
  { kind: "silent", local: "2026-03-03 12:00:00", grid: "g2" },
  { kind: "offline", local: "2026-03-04 00:00:01", grid: "g2" },
] as const;

interface KpiGrid {
  id: number;
  code: string;
  name: string;
}

export interface KpiSeed {
  grids: { g1: KpiGrid; g2: KpiGrid; g3: KpiGrid };
  gridCount: number;
}

interface Place {
  grid_id: number;
  code: string;
  name: string;
  household_id: number;
  device_id: string;
}

export function seedKpiData(th: TestHub): KpiSeed {
  const db = th.hub.db;
  const places = db
    .prepare(
      `SELECT g.id AS grid_id, g.code, g.name, h.id AS household_id, MIN(d.id) AS device_id
         FROM grids g JOIN households h ON h.grid_id = g.id JOIN devices d ON d.household_id = h.id
        GROUP BY g.id ORDER BY g.code LIMIT 3`,
    )
    .all() as Place[];
  const [p1, p2, p3] = places;
  if (!p1 || !p2 || !p3) throw new Error("the demo district needs three grids with devices");
  const place = { g1: p1, g2: p2, g3: p3 };
  // Every post-storage stage marked done, so the pipeline never picks these rows up to "resume" them.
  const stagesDone = ALL_STAGES_DONE;
  const insert = db.prepare(
    `INSERT INTO alarms (device_id, kind, status, outcome, received_at, household_id, acknowledged_at,
                         accepted_at, on_scene_at, resolved_at, cancelled_at, stages_done)
     VALUES (@device, @kind, @status, @outcome, @received, @household, @ack, @accept, @onScene, @resolve, @cancel,
             @stages)`,
  );
  for (const a of KPI_ALARMS) {
    const received = shanghai(a.local);
    const accepted = after(received, a.accept ?? null);
    insert.run({
      device: (a.grid ? place[a.grid] : p1).device_id,
      kind: a.kind,
      status: a.status,
      outcome: a.outcome,
      received,
      household: a.grid ? place[a.grid].household_id : null,
      ack: after(received, a.ack),
      accept: accepted,
      onScene: accepted ? after(accepted, a.onScene ?? null) : null,
      resolve: after(received, a.resolve ?? null),
      cancel: after(received, a.cancel ?? null),
      stages: stagesDone,
    });
  }
  const fault = db.prepare(
    "INSERT INTO device_faults (device_id, kind, opened_at, cleared_at, clear_reason) VALUES (?, ?, ?, ?, 'test')",
  );
  for (const f of KPI_FAULTS) {
    const opened = shanghai(f.local);
    fault.run(place[f.grid].device_id, f.kind, opened, after(opened, 60));
  }
  const gridCount = (db.prepare("SELECT COUNT(*) AS n FROM grids").get() as { n: number }).n;
  const info = (p: Place) => ({ id: p.grid_id, code: p.code, name: p.name });
  return { grids: { g1: info(p1), g2: info(p2), g3: info(p3) }, gridCount };
}
