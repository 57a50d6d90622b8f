/**
 * Alarms with known values for the history tests, written straight into a
 * test hub's database in June 2025 (no demo alarm is that old), with two
 * residents of their own whose Chinese names appear nowhere else. Times are on
 * the Asia/Shanghai wall clock (the test hub's zone), converted with a fixed
 * +08:00 here, not with the hub's day code. H5 is received at 16:00:05 UTC on
 * 2 June: only a zone-aware filter puts it on 3 June.
 */
import { shanghai } from "./kpi-fixtures.ts";
import { ALL_STAGES_DONE } from "./stages-done.ts";
import type { TestHub } from "./test-hub.ts";

export const HISTORY_FROM = "2025-06-01";
export const HISTORY_TO = "2025-06-03";
export const RESIDENT_A = "历史甲测试";
export const RESIDENT_B = "历史乙测试";

type Place = "p1" | "p2";

export interface HistoryFixture {
  name: string;
  kind: "sos" | "service" | "test";
  status: string;
  outcome: "real" | "false_alarm" | "test" | null;
  local: string;
  place: Place;
  /** Seconds after received; null: never. */
  ack: number | null;
  onScene?: number;
  resolve?: number;
  cancel?: number;
  worker?: boolean;
}

export const HISTORY_ALARMS: HistoryFixture[] = [
  {
    name: "H1",
    kind: "sos",
    status: "resolved",
    outcome: "real",
    local: "2025-06-01 09:00:00",
    place: "p1",
    ack: 30,
    onScene: 600,
    resolve: 1800,
    worker: true,
  },
  {
    name: "H2",
    kind: "service",
    status: "resolved",
    outcome: "false_alarm",
    local: "2025-06-01 10:00:00",
    place: "p2",
    ack: 60,
    resolve: 300,
  },
  {
    name: "H3",
    kind: "test",
    status: "resolved",
    outcome: "test",
    local: "2025-06-02 08:00:00",
    place: "p1",
    ack: null,
    resolve: 5,
  },
  {
    name: "H4",
    kind: "sos",
    status: "unassigned",
    outcome: null,
    local: "2025-06-02 12:00:00",
    place: "p2",
    ack: 15,
  },
  {
    name: "H5",
    kind: "sos",
    status: "cancelled",
    outcome: null,
    local: "2025-06-03 00:00:05",
    place: "p1",
    ack: null,
    cancel: 4,
  },
  // Just outside the range on either side.
  {
    name: "H6",
    kind: "sos",
    status: "resolved",
    outcome: "real",
    local: "2025-05-31 23:59:59",
    place: "p1",
    ack: 5,
    resolve: 50,
  },
  {
    name: "H7",
    kind: "sos",
    status: "resolved",
    outcome: "real",
    local: "2025-06-04 00:00:00",
    place: "p2",
    ack: 5,
    resolve: 50,
  },
];

export interface PlaceInfo {
  gridId: number;
  gridCode: string;
  gridName: string;
  householdId: number;
  householdCode: string;
  address: string;
  deviceId: string;
  residentId: number;
  residentName: string;
}

export interface HistorySeed {
  ids: Record<string, number>;
  places: Record<Place, PlaceInfo>;
  workerName: string;
}

const after = (iso: string, seconds: number | null | undefined) =>
  seconds === null || seconds === undefined ? null : new Date(Date.parse(iso) + seconds * 1000).toISOString();

export function seedHistory(th: TestHub): HistorySeed {
  const db = th.hub.db;
  const rows = db
    .prepare(
      `SELECT g.id AS gridId, g.code AS gridCode, g.name AS gridName, h.id AS householdId, h.code AS householdCode,
              h.address, MIN(d.id) AS deviceId
         FROM grids g JOIN households h ON h.grid_id = g.id JOIN devices d ON d.household_id = h.id
        GROUP BY g.id ORDER BY g.code LIMIT 2`,
    )
    .all() as Omit<PlaceInfo, "residentId" | "residentName">[];
  const [r1, r2] = rows;
  if (!r1 || !r2) throw new Error("the demo district needs two grids with devices");
  const addResident = (householdId: number, name: string) =>
    Number(
      db
        .prepare("INSERT INTO residents (household_id, name, birth_date, sex) VALUES (?, ?, '1940-01-01', 'F')")
        .run(householdId, name).lastInsertRowid,
    );
  const places: Record<Place, PlaceInfo> = {
    p1: { ...r1, residentId: addResident(r1.householdId, RESIDENT_A), residentName: RESIDENT_A },
    p2: { ...r2, residentId: addResident(r2.householdId, RESIDENT_B), residentName: RESIDENT_B },
  };
  const worker = db.prepare("SELECT id, name FROM workers ORDER BY id LIMIT 1").get() as { id: number; name: string };
  const stagesDone = ALL_STAGES_DONE;
  const insert = db.prepare(
    `INSERT INTO alarms (device_id, kind, status, outcome, received_at, household_id, resident_id, worker_id,
                         acknowledged_at, on_scene_at, resolved_at, cancelled_at, stages_done)
     VALUES (@device, @kind, @status, @outcome, @received, @household, @resident, @worker,
             @ack, @onScene, @resolve, @cancel, @stages)`,
  );
  const ids: Record<string, number> = {};
  for (const a of HISTORY_ALARMS) {
    const received = shanghai(a.local);
    const place = places[a.place];
    ids[a.name] = Number(
      insert.run({
        device: place.deviceId,
        kind: a.kind,
        status: a.status,
        outcome: a.outcome,
        received,
        household: place.householdId,
        resident: place.residentId,
        worker: a.worker ? worker.id : null,
        ack: after(received, a.ack),
        onScene: after(received, a.onScene),
        resolve: after(received, a.resolve),
        cancel: after(received, a.cancel),
        stages: stagesDone,
      }).lastInsertRowid,
    );
  }
  return { ids, places, workerName: worker.name };
}
