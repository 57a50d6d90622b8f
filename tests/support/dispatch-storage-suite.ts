/**
 * The dispatch repository (hub/dispatch/dispatch-repo.ts) on each engine:
 * SQLite in `npm test` (tests/dispatch-storage.test.ts) and PostgreSQL in
 * `npm run test:postgres`. Offers are conditional moves, an offer's id comes
 * from RETURNING, and the alarms waiting for an OSRM refinement are found by
 * a field of their stored ranking's JSON, written differently per dialect.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusyFromTables } from "../../hub/dispatch/busy-source.ts";
import { DispatchRepository } from "../../hub/dispatch/dispatch-repo.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 1, minute)).toISOString();

export function describeDispatchStorage(
  name: string,
  open: () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>,
) {
  describe(`the dispatch repository on ${name}`, () => {
    let db: { sql: SqlDatabase; close(): Promise<void> };
    let repo: DispatchRepository;
    const alarm = async (status: string, ranking: unknown) =>
      (
        await db.sql.get<{ id: number }>(
          `INSERT INTO alarms (device_id, kind, status, received_at, dispatch_ranking)
           VALUES ('D1', 'sos', ?, ?, ?) RETURNING id`,
          [status, at(0), ranking === null ? null : JSON.stringify(ranking)],
        )
      )?.id ?? 0;

    beforeAll(async () => {
      db = await open();
      // Busy workers from the tables, as on PostgreSQL (SQLite's hub keeps a mirror, tests/busy-workers.test.ts).
      repo = new DispatchRepository(db.sql, new BusyFromTables(db.sql));
      await db.sql.exec(`
        INSERT INTO devices (id, secret_hash, created_at) VALUES ('D1', 'x', 'now');
        INSERT INTO grids (id, code, name, polygon) VALUES (1, 'G1', 'Grid one', '{}');
        INSERT INTO workers (id, code, name, phone, grid_id, on_duty) VALUES (3, 'W3', 'Wang', '+8613700000003', 1, 1);
      `);
    });
    afterAll(() => db?.close());

    it("finds the open alarms whose ranking waits for travel times, by the JSON field", async () => {
      const pending = await alarm("unassigned", { refinement: "pending", entries: [] });
      await alarm("unassigned", { refinement: "done", entries: [] });
      await alarm("resolved", { refinement: "pending", entries: [] });
      await alarm("unassigned", null);
      expect(await repo.alarmsAwaitingRefinement()).toEqual([pending]);
      await repo.setRanking(pending, {
        metric: "travel_time",
        refinement: "done",
        computedAt: at(1),
        entries: [],
        note: null,
      });
      expect(await repo.alarmsAwaitingRefinement()).toEqual([]);
    });

    it("makes, settles and expires offers, each settle once", async () => {
      const alarmId = await alarm("offered", null);
      const offer = {
        alarm_id: alarmId,
        worker_id: 3,
        rank: 1,
        distance_m: 420.5,
        offered_at: at(1),
        expires_at: at(3),
        offered_by: "system",
      };
      const first = await repo.insertOffer(offer);
      expect(await repo.offer(first)).toMatchObject({ status: "offered", worker_id: 3, distance_m: 420.5 });
      expect((await repo.openOffer(alarmId))?.id).toBe(first);
      expect((await repo.openOfferForWorker(3))?.id).toBe(first);
      expect((await repo.expiredOffers(at(2), 10)).map((o) => o.id)).toEqual([]);
      expect((await repo.expiredOffers(at(3), 10)).map((o) => o.id)).toEqual([first]);
      expect(await repo.settleOffer(first, "timed_out", at(3), null)).toBe(true);
      expect(await repo.settleOffer(first, "accepted", at(3), null)).toBe(false);
      // No open offer, no alarm holding worker 3 yet: free.
      expect((await repo.busyLookup(null)).has(3)).toBe(false);
      const second = await repo.insertOffer({ ...offer, rank: 2 });
      expect(second).toBeGreaterThan(first);
      // The open offer holds them, except for the alarm it is about.
      expect((await repo.busyLookup(null)).get(3)).toBe(alarmId);
      expect((await repo.busyLookup(alarmId)).has(3)).toBe(false);
      expect((await repo.offers(alarmId)).map((o) => [o.rank, o.status])).toEqual([
        [1, "timed_out"],
        [2, "offered"],
      ]);
      await repo.setCurrentWorker(alarmId, 3, 420.5);
      await db.sql.run("UPDATE alarms SET status = 'accepted' WHERE id = ?", [alarmId]);
      expect((await repo.assignedAlarm(3))?.id).toBe(alarmId);
      expect(await repo.busyWorkers(null)).toEqual(new Map([[3, alarmId]]));
    });

    it("reads the registry's version, workers and grid names, and writes duty and position", async () => {
      expect(typeof (await repo.registryVersion())).toBe("number");
      await repo.setDuty(3, false);
      await repo.setPosition(3, { lat: 37.5, lng: 118.5, accuracyM: null }, at(4));
      expect(await repo.worker(3)).toMatchObject({ on_duty: 0, lat: 37.5, lng: 118.5, position_at: at(4) });
      expect(await repo.gridName(1)).toBe("Grid one");
      expect(await repo.gridName(99)).toBeNull();
    });
  });
}
