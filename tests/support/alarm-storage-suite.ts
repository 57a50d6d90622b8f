/**
 * The alarm repository (hub/storage/alarm-repo.ts) on each engine: SQLite in
 * `npm test` (tests/alarm-storage.test.ts) and PostgreSQL in
 * `npm run test:postgres`. What it pins down: one open incident per household
 * by a partial unique index, the feedback alarm's query (one named parameter
 * used three times), the incomplete-stages scan (a text per dialect, both on
 * the expression index), presses de-duplicated by (device, press id), and
 * transitions that move only from the state the caller read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlarmRepository } from "../../hub/storage/alarm-repo.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import type { AlarmMessage } from "../../protocol/index.ts";

let day = 0;
const nextDay = () => new Date(Date.UTC(2026, 0, 1 + day++)).toISOString();
const press = (pressId: string, kind: AlarmMessage["kind"] = "sos"): AlarmMessage => ({
  pressId,
  kind,
  deviceTime: "2026-01-01T00:00:00Z",
  seq: 1,
  battery: 90,
});

export function describeAlarmStorage(name: string, open: () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>) {
  describe(`the alarm repository on ${name}`, () => {
    let db: { sql: SqlDatabase; close(): Promise<void> };
    let alarms: AlarmRepository;
    const alarm = async (device: string, kind: "sos" | "test", status = "resolved") => {
      const id = await alarms.insertAlarm(device, kind, nextDay());
      await db.sql.run("UPDATE alarms SET status = ? WHERE id = ?", [status, id]);
      return id;
    };
    const feedbackFor = async (device: string) => (await alarms.feedbackAlarmFor(device))?.id ?? null;

    beforeAll(async () => {
      db = await open();
      alarms = new AlarmRepository(db.sql);
      await db.sql.exec(`INSERT INTO devices (id, secret_hash, created_at) VALUES
        ('dev-a', 'x', '2026-01-01T00:00:00Z'), ('dev-b', 'x', '2026-01-01T00:00:00Z'),
        ('dev-c', 'x', '2026-01-01T00:00:00Z')`);
    });
    afterAll(() => db?.close());

    it("keeps one open SOS per household, and finds it by its scope", async () => {
      const first = await alarms.insertAlarm("dev-c", "sos", nextDay(), "household:9");
      await expect(alarms.insertAlarm("dev-c", "sos", nextDay(), "household:9")).rejects.toThrow(
        /UNIQUE|duplicate key/i,
      );
      // A service call of the same household is an incident of its own kind.
      const service = await alarms.insertAlarm("dev-c", "service", nextDay(), "household:9");
      expect((await alarms.openIncident("household:9", "sos"))?.id).toBe(first);
      expect((await alarms.openIncident("household:9", "service"))?.id).toBe(service);
      expect(await alarms.transition(first, "unassigned", "cancelled", { cancelled_at: nextDay() })).toBe(true);
      expect(await alarms.transition(first, "unassigned", "cancelled", {})).toBe(false);
      expect(await alarms.openIncident("household:9", "sos")).toBeUndefined();
      expect(await alarms.insertAlarm("dev-c", "sos", nextDay(), "household:9")).toBeGreaterThan(service);
    });

    it("stores a press once per device and press id, and names every device that pressed", async () => {
      const target = await alarm("dev-b", "sos", "offered");
      await alarms.insertPress("dev-a", press("p-1"), nextDay(), target);
      await expect(alarms.insertPress("dev-a", press("p-1"), nextDay(), target)).rejects.toThrow(
        /UNIQUE|duplicate key/i,
      );
      expect(await alarms.findPress("dev-a", "p-1")).toMatchObject({ kind: "sos", alarm_id: target });
      expect((await alarms.devicesOf(target)).sort()).toEqual(["dev-a", "dev-b"]);
      expect((await alarms.cancelTargetFor("dev-a"))?.id).toBe(target);
      await db.sql.run("UPDATE alarms SET status = 'resolved' WHERE id = ?", [target]);
      expect(await alarms.cancelTargetFor("dev-a")).toBeUndefined();
    });

    it("picks the open SOS a device pressed for before a newer open test; else its newest", async () => {
      await db.sql.run("DELETE FROM presses");
      await db.sql.run("UPDATE alarms SET status = 'resolved'");
      for (let i = 0; i < 5; i++) await alarm("dev-a", "test");
      const newestClosed = await alarm("dev-a", "test");
      expect(await feedbackFor("dev-a")).toBe(newestClosed);
      const household = await alarm("dev-b", "sos", "offered");
      await alarms.insertPress("dev-a", press("p-2"), nextDay(), household);
      const openTest = await alarm("dev-a", "test", "unassigned");
      expect(await feedbackFor("dev-a")).toBe(household);
      await db.sql.run("UPDATE alarms SET status = 'resolved' WHERE id = ?", [household]);
      expect(await feedbackFor("dev-a")).toBe(openTest);
    });

    it("finds the alarms whose stages are not all done, and records their progress", async () => {
      const id = await alarm("dev-c", "test", "unassigned");
      expect(await alarms.incompleteStageIds(3)).toContain(id);
      await alarms.setStageError(id, "locate: boom");
      await alarms.setStagesDone(id, ["persist", "ack"], false);
      expect(await alarms.stagesDone(id)).toEqual(["persist", "ack"]);
      expect((await alarms.get(id))?.stage_error).toBe("locate: boom");
      await alarms.setStagesDone(id, ["persist", "ack", "locate"], true);
      expect(await alarms.incompleteStageIds(3)).not.toContain(id);
      expect((await alarms.get(id))?.stage_error).toBeNull();
      const located = { household: "H-1", address: "1 Road", lat: null, lng: null, grid: null, resident: null };
      await alarms.appendEvent(id, "located", "system", located, nextDay());
      await alarms.appendEvent(id, "acknowledged", "user:op", null, nextDay());
      expect((await alarms.events(id)).map((e) => [e.type, JSON.parse(e.detail ?? "null")])).toEqual([
        ["located", located],
        ["acknowledged", null],
      ]);
      const page = await alarms.list({ openOnly: true, limit: 2 });
      expect(page.map((a) => a.id)[0]).toBe(id);
      expect(await alarms.list({ openOnly: true, limit: 5, beforeId: id })).not.toContainEqual(
        expect.objectContaining({ id }),
      );
    });
  });
}
