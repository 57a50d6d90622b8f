/**
 * Many open alarms at once, written straight into SQLite (a demo district has
 * 240 buttons and each holds one open alarm, so the real pipeline cannot make a
 * thousand). The rows are complete (located, every pipeline stage done), so the
 * hub's retry loop leaves them alone; with deadlines longer than their ages the
 * deadline watcher does too. Kind, priority, escalation and age vary, so the
 * queue's order has something to get wrong.
 */
import type { Db } from "../../hub/storage/database.ts";
import { ALL_STAGES_DONE } from "./stages-done.ts";

export interface FixtureAlarm {
  id: number;
  kind: "sos" | "service" | "test";
  pressCount: number;
  escalation: number;
  receivedAt: string;
  acknowledged: boolean;
}

const STAGES = ALL_STAGES_DONE;

/**
 * Inserts `count` open alarms received within the last `spreadS` seconds before `now`; returns them.
 * `skipDevices` keeps some buttons free of open alarms, so a press of theirs makes a new alarm.
 */
export function insertOpenAlarms(
  db: Db,
  count: number,
  options: { now?: number; spreadS?: number; skipDevices?: string[] } = {},
) {
  const now = options.now ?? Date.now();
  const spreadS = options.spreadS ?? 3000;
  const devices = db
    .prepare(
      `SELECT d.id AS deviceId, d.household_id AS householdId,
              (SELECT r.id FROM residents r WHERE r.household_id = d.household_id ORDER BY r.id LIMIT 1) AS residentId
         FROM devices d WHERE d.household_id IS NOT NULL ORDER BY d.id`,
    )
    .all()
    .filter((d) => !options.skipDevices?.includes((d as { deviceId: string }).deviceId)) as {
    deviceId: string;
    householdId: number;
    residentId: number | null;
  }[];
  if (devices.length === 0) throw new Error("no located devices: seed the demo district first");
  const admin = db.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: number };
  const insert = db.prepare(
    `INSERT INTO alarms (device_id, kind, status, received_at, household_id, resident_id, acknowledged_at,
                         acknowledged_by, stages_done, press_count, escalation_level)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const out: FixtureAlarm[] = [];
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) {
      const device = devices[i % devices.length];
      if (!device) continue;
      // A fixed, scattered pattern (no randomness: a failure must reproduce).
      // No `test` kind: the hub closes a test press itself as soon as its pipeline is done (a manual
      // test, hub/supervision/test-alarms.ts), so test alarms never wait in a queue to be ordered.
      const kind: FixtureAlarm["kind"] = i % 3 === 0 ? "sos" : "service";
      const pressCount = i % 11 === 0 ? 3 : i % 7 === 0 ? 2 : 1;
      const escalation = i % 13 === 0 ? 1 + (i % 2) : 0;
      const acknowledged = i % 4 === 1;
      const receivedAt = new Date(now - ((i * 7919) % spreadS) * 1000 - 1000).toISOString();
      const result = insert.run(
        device.deviceId,
        kind,
        "unassigned",
        receivedAt,
        device.householdId,
        device.residentId,
        acknowledged ? new Date(now).toISOString() : null,
        acknowledged ? admin.id : null,
        STAGES,
        pressCount,
        escalation,
      );
      out.push({ id: Number(result.lastInsertRowid), kind, pressCount, escalation, receivedAt, acknowledged });
    }
  })();
  return out;
}

/** The queue's rule, written independently of the console's code: kind, escalated, presses, then oldest. */
export function expectedOrder(alarms: FixtureAlarm[]): number[] {
  const kindRank = { sos: 0, service: 1, test: 2 };
  const pressRank = (n: number) => (n >= 3 ? 0 : n === 2 ? 1 : 2);
  return [...alarms]
    .sort(
      (a, b) =>
        kindRank[a.kind] - kindRank[b.kind] ||
        Number(b.escalation > 0) - Number(a.escalation > 0) ||
        Number(a.acknowledged) - Number(b.acknowledged) ||
        pressRank(a.pressCount) - pressRank(b.pressCount) ||
        a.receivedAt.localeCompare(b.receivedAt) ||
        a.id - b.id,
    )
    .map((a) => a.id);
}
