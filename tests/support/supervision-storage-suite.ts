/**
 * Device supervision's storage (hub/supervision/fault-repo.ts, test-repo.ts)
 * given the same rows on each engine: SQLite in `npm test`
 * (tests/supervision-storage.test.ts) and PostgreSQL in `npm run test:postgres`.
 * What it pins down is what differs between the dialects: one open fault per
 * kind through a partial unique index and ON CONFLICT, and the count of an
 * alarm's completed stages read from its JSON text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import { FaultRepository } from "../../hub/supervision/fault-repo.ts";
import { TestRepository } from "../../hub/supervision/test-repo.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 1, minute)).toISOString();

export function describeSupervisionStorage(
  name: string,
  open: () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>,
) {
  describe(`device supervision's storage on ${name}`, () => {
    let db: { sql: SqlDatabase; close(): Promise<void> };
    let faults: FaultRepository;
    let tests: TestRepository;
    beforeAll(async () => {
      db = await open();
      faults = new FaultRepository(db.sql);
      tests = new TestRepository(db.sql);
      for (const id of ["btn-1", "btn-2"]) {
        await db.sql.run("INSERT INTO devices (id, secret_hash, created_at, battery) VALUES (?, 'x', ?, ?)", [
          id,
          at(0),
          id === "btn-1" ? 12 : 80,
        ]);
      }
    });
    afterAll(() => db?.close());

    it("opens one fault per device and kind until it is cleared, then a new one", async () => {
      const silent = { lastSeenAt: at(0), silentAfterS: 90 };
      const first = await faults.open("btn-1", "silent", at(1), silent);
      expect(first).toMatchObject({ device_id: "btn-1", kind: "silent", cleared_at: null });
      expect(await faults.open("btn-1", "silent", at(2), silent)).toBeNull();
      expect(await faults.open("btn-1", "low_battery", at(2), { battery: 12, thresholdPercent: 20 })).not.toBeNull();
      expect([...(await faults.openKinds("btn-1"))].sort()).toEqual(["low_battery", "silent"]);
      const heard = { code: "device_heard_from", params: {} } as const;
      const cleared = await faults.clear("btn-1", ["silent", "offline"], at(3), heard);
      // Stored as JSON text (the column stays TEXT); the views read it back with `reasonOf`.
      expect(cleared.map((f) => [f.id, JSON.parse(f.clear_reason ?? "null")])).toEqual([[first?.id, heard]]);
      expect(await faults.open("btn-1", "silent", at(4), silent)).not.toBeNull();
      expect((await faults.list({ openOnly: true, deviceId: "btn-1", limit: 10 })).map((f) => f.kind)).toEqual([
        "silent",
        "low_battery",
      ]);
      expect((await faults.lowBatteries(20)).map((d) => d.id)).toEqual([]);
      expect((await faults.recoveredBatteries(10)).map((d) => d.id)).toEqual(["btn-1"]);
    });

    it("finds open test alarms whose stages are done and that no request claims", async () => {
      const insert = async (device: string, stages: string[], minute: number) =>
        (
          await db.sql.get<{ id: number }>(
            `INSERT INTO alarms (device_id, kind, status, received_at, stages_done)
             VALUES (?, 'test', 'unassigned', ?, ?) RETURNING id`,
            [device, at(minute), JSON.stringify(stages)],
          )
        )?.id ?? 0;
      const done = await insert("btn-2", ["persist", "ack", "locate"], 10);
      await insert("btn-2", ["persist"], 11);
      const requested = await insert("btn-1", ["persist", "ack", "locate"], 12);
      await tests.insert({
        requestId: "req-1",
        deviceId: "btn-1",
        trigger: "manual",
        requestedBy: "user:op",
        requestedAt: at(11),
        deadline: at(20),
      });
      // btn-1's alarm came while its request waited: the request will claim it, so it is not "unrequested".
      expect((await tests.unrequestedOpenTests(3)).map((a) => a.id)).toEqual([done]);
      expect(await tests.unrequestedOpenTests(3, { alarmId: requested })).toEqual([]);
      expect(await tests.findAnswer("btn-1", at(11), at(20))).toMatchObject({ id: requested });
      const pending = await tests.pending("btn-1");
      expect(await tests.markAnswered(pending?.id ?? 0, requested, at(12))).toBe(true);
      expect(await tests.markAnswered(pending?.id ?? 0, requested, at(12))).toBe(false);
      await tests.setNextDue("btn-2", at(30));
      await tests.setNextDue("btn-2", at(40));
      expect(await tests.nextDue("btn-2")).toBe(at(40));
      expect(await tests.unscheduledDevices()).toEqual(["btn-1"]);
    });
  });
}
