/**
 * The lifecycle repository (hub/alarms/lifecycle-repo.ts) on each engine:
 * SQLite in `npm test` (tests/lifecycle-storage.test.ts) and PostgreSQL in
 * `npm run test:postgres`. Its deadlines do time arithmetic on ISO text in SQL
 * (strftime on SQLite, to_char over timestamptz on PostgreSQL): the results
 * must compare with the hub's own ISO times exactly as on SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LifecycleRepository } from "../../hub/alarms/lifecycle-repo.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";

const T0 = Date.parse("2026-03-02T01:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

export function describeLifecycleStorage(
  name: string,
  open: () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>,
) {
  describe(`the lifecycle repository on ${name}`, () => {
    let db: { sql: SqlDatabase; close(): Promise<void> };
    let repo: LifecycleRepository;
    const alarm = async (fields: Record<string, string | number | null>) => {
      const row = { device_id: "D1", kind: "sos", status: "unassigned", received_at: at(0), ...fields };
      const columns = Object.keys(row);
      const values = Object.values(row);
      const inserted = await db.sql.get<{ id: number }>(
        `INSERT INTO alarms (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) RETURNING id`,
        values,
      );
      return inserted?.id ?? 0;
    };

    beforeAll(async () => {
      db = await open();
      repo = new LifecycleRepository(db.sql);
      await db.sql.exec(`
        INSERT INTO devices (id, secret_hash, created_at) VALUES ('D1', 'x', 'now');
        INSERT INTO grids (id, code, name, polygon, leader_phone) VALUES (1, 'G1', 'East', '{}', '+8613900000001');
        INSERT INTO households (id, code, address, grid_id, created_at) VALUES (1, 'H1', '1 Road', 1, 'now');`);
    });
    afterAll(() => db?.close());

    it("re-alerts an unacknowledged alarm once per interval after its last level, to the millisecond", async () => {
      const id = await alarm({ household_id: 1 });
      expect((await repo.unacknowledged(at(60), 120)).map((a) => [a.id, a.ack_level])).toEqual([[id, null]]);
      expect(await repo.recordEscalation(id, "ack", 1, at(60))).toBe(true);
      expect(await repo.recordEscalation(id, "ack", 1, at(61))).toBe(false);
      // Level 1 reached: due again once the cutoff is 120 s past the receipt (received_at <= cutoff - 1 × 120 s).
      expect(await repo.unacknowledged(at(119.999), 120)).toEqual([]);
      expect((await repo.unacknowledged(at(120), 120)).map((a) => [a.id, a.ack_level])).toEqual([[id, 1]]);
      // Re-alerting switched off: a reached level is final.
      expect(await repo.unacknowledged(at(10_000), 0)).toEqual([]);
      expect(
        (await db.sql.get<{ escalation_level: number }>("SELECT escalation_level FROM alarms WHERE id = ?", [id]))
          ?.escalation_level,
      ).toBe(1);
      expect(await repo.contactFor(id)).toEqual({ address: "1 Road", gridName: "East", leaderPhone: "+8613900000001" });
    });

    it("finds resolved real alarms whose follow-up visit is due, by the stored or the computed time", async () => {
      const computed = await alarm({ status: "resolved", outcome: "real", resolved_at: at(100) });
      const planned = await alarm({ status: "resolved", outcome: "false_alarm", resolved_at: at(100) });
      await repo.setFollowUpDue(planned, at(500));
      await db.sql.run("UPDATE alarms SET status = 'resolved' WHERE status <> 'resolved'");
      const followUps = (now: number) =>
        repo.overdue(at(now), at(-1), 300 / 86_400).then((rows) => rows.map((r) => [r.alarm.id, r.dueAt]));
      // Due 300 s after it was resolved: at(400), as ISO text with milliseconds and Z.
      expect(await followUps(399.999)).toEqual([]);
      expect(await followUps(400)).toEqual([[computed, at(400)]]);
      expect(await followUps(500)).toEqual([
        [computed, at(400)],
        [planned, at(500)],
      ]);
      expect(await repo.addPress(computed)).toBe(2);
      expect(await repo.addPress(computed)).toBe(3);
    });
  });
}
