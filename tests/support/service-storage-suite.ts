/**
 * The service-request repository (hub/service/service-repo.ts) on each
 * engine: SQLite in `npm test` (tests/service-requests.test.ts) and PostgreSQL
 * in `npm run test:postgres`. Every move is conditional on what the caller
 * read, the worker compared NULL-safely (IS NOT DISTINCT FROM in both).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ServiceRequestRepository } from "../../hub/service/service-repo.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";

export function describeServiceStorage(
  name: string,
  open: () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>,
) {
  describe(`the service-request repository on ${name}`, () => {
    let db: { sql: SqlDatabase; close(): Promise<void> };
    let repo: ServiceRequestRepository;
    const alarmId = async () =>
      (
        await db.sql.get<{ id: number }>(
          "INSERT INTO alarms (device_id, kind, status, received_at) VALUES ('D1', 'service', 'unassigned', ?) RETURNING id",
          [new Date().toISOString()],
        )
      )?.id ?? 0;
    const request = async (id: number) => {
      const row = await repo.get(id);
      if (!row) throw new Error(`request ${id} not stored`);
      return row;
    };

    beforeEach(async () => {
      db = await open();
      repo = new ServiceRequestRepository(db.sql);
      await db.sql.exec(`
        INSERT INTO grids (id, code, name, polygon) VALUES (1, 'G1', 'Grid one', '{}');
        INSERT INTO households (id, code, address, lat, lng, grid_id, created_at) VALUES (1, 'H1', 'addr', 37.5, 118.5, 1, 'now');
        INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES ('D1', 1, 'x', 'now');
        INSERT INTO workers (id, code, name, phone, grid_id, on_duty) VALUES (3, 'W3', 'Wang', '+8613700000003', 1, 1);
        INSERT INTO workers (id, code, name, phone, grid_id, on_duty) VALUES (4, 'W4', 'Li', '+8613700000004', 1, 1);
      `);
    });
    afterEach(() => db?.close());

    it("moves through open → assigned → assigned → done, each move conditional on what the caller read", async () => {
      const alarm = await alarmId();
      const id = await repo.insert({ alarmId: alarm, householdId: 1, gridId: 1, createdAt: "t0" });
      const opened = await request(id);
      expect(opened).toMatchObject({ alarm_id: alarm, household_id: 1, grid_id: 1, status: "open", worker_id: null });
      expect((await repo.forAlarm(alarm))?.id).toBe(id);

      const assign = { worker_id: 3, assigned_at: "t1", assigned_by: "system" };
      expect(await repo.transition(opened, "assigned", assign)).toBe(true);
      // The stale row (still `open`) loses: someone else moved the request first.
      expect(await repo.transition(opened, "assigned", { worker_id: 4 })).toBe(false);
      const assigned = await request(id);
      expect(assigned).toMatchObject({ status: "assigned", worker_id: 3, assigned_by: "system" });

      // A re-assignment read with the old worker loses once the worker changed.
      expect(await repo.transition(assigned, "assigned", { worker_id: 4, assigned_by: "user:op" })).toBe(true);
      expect(await repo.transition(assigned, "assigned", { worker_id: 3 })).toBe(false);
      const reassigned = await request(id);
      const done = { done_at: "t2", done_by: "user:W4", note: "fixed the lamp" };
      expect(await repo.transition(reassigned, "done", done)).toBe(true);
      expect(await repo.get(id)).toMatchObject({ status: "done", worker_id: 4, done_by: "user:W4" });

      await expect(repo.transition(await request(id), "cancelled", {})).rejects.toThrow(/cannot become cancelled/);
      expect((await repo.get(id))?.status).toBe("done");
    });

    it("keeps one request per alarm, and an assigned request must name its worker", async () => {
      const alarm = await alarmId();
      await repo.insert({ alarmId: alarm, householdId: 1, gridId: 1, createdAt: "t0" });
      await expect(repo.insert({ alarmId: alarm, householdId: 1, gridId: 1, createdAt: "t1" })).rejects.toThrow(
        /UNIQUE|duplicate key/i,
      );
      for (const status of ["assigned", "later"]) {
        await expect(
          db.sql.run(`UPDATE service_requests SET status = '${status}' WHERE alarm_id = ?`, [alarm]),
        ).rejects.toThrow(/CHECK/i);
      }
    });

    it("lists by status and by worker, newest first, with the household, grid and worker joined", async () => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await repo.insert({ alarmId: await alarmId(), householdId: 1, gridId: 1, createdAt: "t0" }));
      }
      await repo.transition(await request(ids[0] ?? 0), "assigned", { worker_id: 3 });
      await repo.transition(await request(ids[1] ?? 0), "cancelled", { cancelled_by: "device:D1" });

      expect((await repo.list({ statuses: [], limit: 10 })).map((r) => r.id)).toEqual([...ids].reverse());
      const active = await repo.list({ statuses: ["open", "assigned"], limit: 10 });
      expect(active.map((r) => r.id)).toEqual([ids[2], ids[0]]);
      const mine = await repo.list({ statuses: ["open", "assigned"], workerId: 3, limit: 10 });
      expect(mine.map((r) => r.id)).toEqual([ids[0]]);
      expect(mine[0]).toMatchObject({ address: "addr", grid_name: "Grid one", worker_code: "W3", worker_name: "Wang" });
      expect(await repo.list({ statuses: [], workerId: 4, limit: 10 })).toEqual([]);
      expect(await repo.list({ statuses: [], limit: 1 })).toHaveLength(1);
      expect((await repo.workers(1)).map((w) => w.id).sort()).toEqual([3, 4]);
    });
  });
}
