/**
 * The relatives' cascade's and the family page's storage
 * (hub/relatives/cascade-repo.ts, hub/family/family-repo.ts, family-links.ts)
 * given the same rows on each engine: SQLite in `npm test`
 * (tests/relatives-storage.test.ts) and PostgreSQL in `npm run test:postgres`.
 * The ended-contacts pass has a text per dialect (SQLite's join-order hints),
 * so both are run here, with a contact that must be found and ones that must not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FamilyLinks } from "../../hub/family/family-links.ts";
import { FamilyRepository } from "../../hub/family/family-repo.ts";
import { CascadeRepository } from "../../hub/relatives/cascade-repo.ts";
import type { SqlDatabase, SqlValue } from "../../hub/storage/sql/sql-port.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 1, minute)).toISOString();

export function describeRelativesStorage(
  name: string,
  open: () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>,
) {
  describe(`the relatives' cascade storage on ${name}`, () => {
    let db: { sql: SqlDatabase; close(): Promise<void> };
    let repo: CascadeRepository;
    const ids = { open: 0, closed: 0, sister: 0, son: 0 };
    const id = async (text: string, params: readonly SqlValue[]) =>
      (await db.sql.get<{ id: number }>(`${text} RETURNING id`, params))?.id ?? 0;
    const outbox = (alarmId: number, to: string, key: string, status: string, delivery: string | null) =>
      id(
        `INSERT INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, status, next_attempt_at,
           created_at, delivery_status) VALUES ('sms', ?, 'help', ?, 'relative:1', ?, ?, 0, ?, ?)`,
        [to, alarmId, key, status, at(0), delivery],
      );
    const contact = (alarmId: number, relativeId: number, outboxId: number, step = 1) =>
      repo.insertContact({
        alarm_id: alarmId,
        relative_id: relativeId,
        priority: relativeId === ids.sister ? 1 : 2,
        name: relativeId === ids.sister ? "Li Na 李娜" : "Wang Wei",
        phone: relativeId === ids.sister ? "+8613800000001" : "+8613800000002",
        language: "zh-CN",
        channel: "sms",
        step,
        outbox_id: outboxId,
        created_at: at(1),
      });

    beforeAll(async () => {
      db = await open();
      repo = new CascadeRepository(db.sql);
      await db.sql.run("INSERT INTO devices (id, secret_hash, created_at) VALUES ('btn-1', 'x', ?)", [at(0)]);
      const home = await id("INSERT INTO households (code, address, created_at) VALUES ('H-1', '1 Road', ?)", [at(0)]);
      const resident = await id(
        "INSERT INTO residents (household_id, name, birth_date, sex) VALUES (?, 'Wang Fang', '1940-01-01', 'F')",
        [home],
      );
      const relative = (priority: number, name: string, updates: number) =>
        id(
          "INSERT INTO relatives (resident_id, priority, name, relation, phone, updates) VALUES (?, ?, ?, 'family', ?, ?)",
          [resident, priority, name, `+861380000000${priority}`, updates],
        );
      ids.sister = await relative(1, "Li Na 李娜", 1);
      ids.son = await relative(2, "Wang Wei", 0);
      const alarm = (status: string) =>
        id("INSERT INTO alarms (device_id, kind, status, received_at, resident_id) VALUES ('btn-1', 'sos', ?, ?, ?)", [
          status,
          at(0),
          resident,
        ]);
      ids.open = await alarm("offered");
      ids.closed = await alarm("resolved");
    });
    afterAll(() => db?.close());

    it("starts a cascade once, moves it step by step, and finds those past their deadline", async () => {
      expect(await repo.insertCascade(ids.open, at(1))).toBe(true);
      expect(await repo.insertCascade(ids.open, at(1))).toBe(false);
      expect(await repo.beginStep(ids.open, "texting", 1, at(5))).toBe(1);
      expect(await repo.beginStep(ids.open, "calling", 1, at(9))).toBe(2);
      expect(await repo.cascade(ids.open)).toMatchObject({ status: "calling", step: 2, wave: 1, deadline_at: at(9) });
      expect(await repo.dueCascades(at(8))).toEqual([]);
      expect(await repo.dueCascades(at(9))).toEqual([ids.open]);
      await repo.insertCascade(ids.closed, at(1));
      expect(await repo.runningForClosedAlarms()).toEqual([ids.closed]);
      await repo.finish(ids.closed, "stopped", at(10));
      expect(await repo.runningForClosedAlarms()).toEqual([]);
    });

    it("finds the waiting contacts whose SMS ended, of open alarms only, by either query", async () => {
      const failed = await outbox(ids.open, "+8613800000001", "k-failed", "sent", "undelivered");
      const fine = await outbox(ids.open, "+8613800000002", "k-fine", "sent", "delivered");
      const ofClosed = await outbox(ids.closed, "+8613800000001", "k-closed", "failed", null);
      await contact(ids.open, ids.sister, failed);
      await contact(ids.open, ids.sister, failed); // one contact per alarm, relative and channel
      await contact(ids.open, ids.son, fine);
      await contact(ids.closed, ids.sister, ofClosed);
      const ended = await repo.endedContacts();
      expect(ended.map((c) => [c.alarm_id, c.relative_id, c.outbox_status, c.delivery_status])).toEqual([
        [ids.open, ids.sister, "sent", "undelivered"],
      ]);
      expect((await repo.endedContacts(failed)).map((c) => c.relative_id)).toEqual([ids.sister]);
      expect(await repo.endedContacts(fine)).toEqual([]);
      expect(await repo.waitingInStep(ids.open, 1)).toBe(2);
      const sister = ended[0]?.id ?? 0;
      expect(await repo.settle(sister, "failed", at(3), ["waiting"])).toBe(true);
      expect(await repo.settle(sister, "failed", at(3), ["waiting"])).toBe(false);
      expect(await repo.endedContacts()).toEqual([]);
      expect(await repo.contactedRelatives(ids.open, "sms")).toEqual(new Set([ids.sister, ids.son]));
      expect((await repo.latestOpenContactByPhone("+8613800000001"))?.alarm_id).toBe(ids.open);
      expect(await repo.recordInboundSms("SM1", at(4))).toBe(true);
      expect(await repo.recordInboundSms("SM1", at(4))).toBe(false);
    });

    it("queues a family update per step of an SOS, for the relatives who want them", async () => {
      const family = new FamilyRepository(db.sql);
      const event = await id("INSERT INTO alarm_events (alarm_id, at, type, actor) VALUES (?, ?, 'on_scene', 'x')", [
        ids.open,
        at(6),
      ]);
      const pending = await family.pending(10);
      expect(pending.map((u) => [u.event_id, u.alarm_id, u.type])).toEqual([[event, ids.open, "on_scene"]]);
      expect(await family.hasLaterStep(ids.open, event)).toBe(false);
      // The son switched updates off; the sister's SMS was not refused for good.
      expect((await family.recipients(ids.open)).map((r) => r.relative_id)).toEqual([ids.sister]);
      await family.markDone(event, at(7), { step: "on_scene" });
      expect(await family.isDone(event)).toBe(true);
      expect(await family.pending(10)).toEqual([]);
    });

    it("mints one family link per relative and alarm, found by its token only", async () => {
      const links = new FamilyLinks(db.sql, { publicUrl: "https://anxin.test/", clock: () => new Date(at(2)) });
      const url = await links.mint(ids.open, { id: ids.sister, language: "zh-CN" });
      const token = url.split("/f/")[1] ?? "";
      expect(url).toBe(`https://anxin.test/f/${token}`);
      expect(await links.find(token)).toMatchObject({ alarm_id: ids.open, relative_id: ids.sister });
      // A second mint keeps the first link; its own token opens nothing.
      const again = (await links.mint(ids.open, { id: ids.sister, language: "en" })).split("/f/")[1] ?? "";
      expect(await links.find(again)).toBeUndefined();
      expect(await links.find("not-a-token")).toBeUndefined();
    });
  });
}
