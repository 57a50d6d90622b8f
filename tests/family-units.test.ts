/**
 * Families' parts without a hub: the update SMS (both languages, within two
 * segments however long the names), the page's progress as derived from
 * timestamps and events, and migration 12's triggers on a real SQLite database.
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { familyProgress } from "../hub/family/family-progress.ts";
import { familyStepOf } from "../hub/family/family-updates.ts";
import { createLogger } from "../hub/log.ts";
import { clinicStandDownSms, type FamilyStep, familyUpdateSms } from "../hub/notify/family-texts.ts";
import type { AlarmEventRow, AlarmRow } from "../hub/storage/alarm-repo.ts";
import { migrate } from "../hub/storage/database.ts";
import { MIGRATIONS } from "../hub/storage/migrations/index.ts";
import { segmentCount } from "./support/fake-twilio-resources.ts";
import { districtPerTest, HOUSEHOLDS_CSV, importText } from "./support/registry-fixtures.ts";

const STEPS: FamilyStep[] = ["on_the_way", "arrived", "help_given", "all_well"];

describe("family update SMS", () => {
  it("names the worker, says the outcome in plain words, and gives the center's phone at the end", () => {
    const facts = { residentName: "王秀英", workerName: "崔艳", centerPhone: "0546-8123456" };
    expect(STEPS.map((step) => familyUpdateSms(step, facts, "zh-CN"))).toEqual([
      "【安心】王秀英的紧急呼叫：社区工作人员崔艳已接单，正在赶往。",
      "【安心】王秀英的紧急呼叫：社区工作人员崔艳已到达。",
      "【安心】王秀英的紧急呼叫已处理完毕，工作人员已提供帮助。如有疑问请致电指挥中心0546-8123456。",
      "【安心】王秀英的呼叫已解除：不是紧急情况，一切平安。如有疑问请致电指挥中心0546-8123456。",
    ]);
    expect(familyUpdateSms("all_well", { ...facts, centerPhone: null }, "en")).toBe(
      "[Anxin] 王秀英's call is closed: it was not an emergency, all is well.",
    );
    expect(familyUpdateSms("on_the_way", { ...facts, workerName: null }, "en")).toBe(
      "[Anxin] 王秀英's emergency call: community worker has accepted and is on the way.",
    );
  });

  it("stays within two segments with the longest names, clipping them", () => {
    const facts = { residentName: "欧阳".repeat(30), workerName: "司马".repeat(30), centerPhone: "+86 546 8123 4567" };
    for (const language of ["zh-CN", "en"] as const) {
      for (const step of STEPS) {
        const text = familyUpdateSms(step, facts, language);
        expect(segmentCount(text), `${language} ${step}: ${text}`).toBeLessThanOrEqual(2);
        expect(text).toContain("…");
      }
    }
  });

  it("stands the clinic down with the alarm number, in the hub's language", () => {
    const facts = { alarmId: 42, residentName: "王秀英", address: "垦利区胜兴路12号" };
    expect(clinicStandDownSms(facts, "zh-CN")).toBe(
      "【安心】撤销通知：警情#42（王秀英，垦利区胜兴路12号）已解除，不是紧急情况，无需准备接诊。",
    );
    expect(clinicStandDownSms(facts, "en")).toContain("Stand down: alarm #42");
  });
});

describe("family progress", () => {
  const alarm = (fields: Partial<AlarmRow>): AlarmRow =>
    ({
      status: "received",
      received_at: "2026-11-23T00:05:00.000Z",
      acknowledged_at: null,
      resolved_at: null,
      cancelled_at: null,
      outcome: null,
      ...fields,
    }) as AlarmRow;
  let id = 0;
  const event = (type: string, at: string, detail?: object): AlarmEventRow => ({
    id: ++id,
    alarm_id: 1,
    at,
    type,
    actor: "system",
    detail: detail ? JSON.stringify(detail) : null,
  });
  const zhang = { worker: { id: 1, code: "W1", name: "张伟" } };
  const li = { worker: { id: 2, code: "W2", name: "李娜" } };

  it("follows accept and arrival from the events, and forgets a worker the alarm was taken from", () => {
    const accepted = [event("offer_sent", "t1", zhang), event("offer_accepted", "t2", zhang)];
    expect(familyProgress(alarm({}), accepted, "王").onTheWay).toEqual({ at: "t2", workerName: "张伟" });
    const reassigned = [...accepted, event("offer_sent", "t3", li)];
    expect(familyProgress(alarm({}), reassigned, "王")).toMatchObject({ onTheWay: null, arrived: null });
    const arrived = [...reassigned, event("offer_accepted", "t4", li), event("on_scene", "t5", li)];
    expect(familyProgress(alarm({}), arrived, "王")).toMatchObject({
      onTheWay: { at: "t4", workerName: "李娜" },
      arrived: { at: "t5", workerName: "李娜" },
      closed: null,
    });
  });

  it("calls an alarm closed only in a closed status, with help given only for a real emergency", () => {
    expect(familyProgress(alarm({ status: "resolved", resolved_at: "r", outcome: "real" }), [], "").closed).toEqual({
      at: "r",
      outcome: "help_given",
    });
    for (const outcome of ["false_alarm", "test"] as const) {
      expect(familyProgress(alarm({ status: "resolved", resolved_at: "r", outcome }), [], "").closed?.outcome).toBe(
        "all_well",
      );
    }
    expect(
      familyProgress(alarm({ status: "cancelled", cancelled_at: "c", outcome: "false_alarm" }), [], "").closed,
    ).toEqual({ at: "c", outcome: "all_well" });
    expect(familyProgress(alarm({ status: "on_scene" }), [], "").closed).toBeNull();
  });

  it("maps each queued event to the step families hear about", () => {
    expect(familyStepOf({ type: "offer_accepted", detail: null })).toBe("on_the_way");
    expect(familyStepOf({ type: "on_scene", detail: null })).toBe("arrived");
    expect(familyStepOf({ type: "resolved", detail: '{"outcome":"real"}' })).toBe("help_given");
    expect(familyStepOf({ type: "resolved", detail: '{"outcome":"false_alarm"}' })).toBe("all_well");
    expect(familyStepOf({ type: "cancelled", detail: '{"outcome":"false_alarm"}' })).toBe("all_well");
  });
});

describe("migration 12", () => {
  it("brings a new database to the last version", () => {
    const versions = MIGRATIONS.map((m) => m.version);
    const db = new Database(":memory:");
    migrate(db, createLogger("silent"));
    expect(db.pragma("user_version", { simple: true })).toBe(versions.at(-1));
  });

  it("queues the four family steps of SOS alarms only, in the event's own transaction, and blanks a sent link", () => {
    const db = new Database(":memory:");
    db.pragma("foreign_keys = ON");
    migrate(db, createLogger("silent"));
    db.exec(`
      INSERT INTO devices (id, secret_hash, created_at) VALUES ('D1', 'x', 'now');
      INSERT INTO alarms (id, device_id, kind, status, received_at) VALUES
        (1, 'D1', 'sos', 'unassigned', 't'), (2, 'D1', 'test', 'unassigned', 't'), (3, 'D1', 'service', 'unassigned', 't');
    `);
    const append = db.prepare("INSERT INTO alarm_events (alarm_id, at, type, actor) VALUES (?, 't', ?, 'system')");
    for (const alarmId of [1, 2, 3]) {
      for (const type of [
        "acknowledged",
        "offer_sent",
        "offer_accepted",
        "on_scene",
        "resolved",
        "cancelled",
        "note_added",
      ]) {
        append.run(alarmId, type);
      }
    }
    expect(db.prepare("SELECT alarm_id, type FROM family_updates_due ORDER BY event_id").all()).toEqual([
      { alarm_id: 1, type: "offer_accepted" },
      { alarm_id: 1, type: "on_scene" },
      { alarm_id: 1, type: "resolved" },
      { alarm_id: 1, type: "cancelled" },
    ]);
    // A step whose transaction rolls back leaves nothing queued.
    expect(() =>
      db.transaction(() => {
        append.run(1, "on_scene");
        throw new Error("the state change failed");
      })(),
    ).toThrow("the state change failed");
    expect(db.prepare("SELECT COUNT(*) AS n FROM family_updates_due").get()).toEqual({ n: 4 });

    const token = "T".repeat(43);
    const insert = db.prepare(
      "INSERT INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, next_attempt_at, created_at) VALUES ('sms', '+8613900000001', ?, 1, ?, ?, 0, 'now')",
    );
    insert.run(`【安心】紧急呼叫…进展请看：http://anxin.test/f/${token}`, "relative:1", "a");
    insert.run(`[Anxin] … Follow it here: http://anxin.test/f/${token}`, "relative:2", "b");
    insert.run(`worker page http://anxin.test/worker/#/offers/1/f/${token}`, "worker", "c");
    db.prepare("UPDATE outbox SET attempts = 1 WHERE dedupe_key = 'a'").run();
    expect(db.prepare("SELECT body FROM outbox WHERE dedupe_key = 'a'").get()).toEqual({
      body: `【安心】紧急呼叫…进展请看：http://anxin.test/f/${token}`,
    });
    db.prepare("UPDATE outbox SET status = 'sent' WHERE dedupe_key IN ('a', 'c')").run();
    db.prepare("UPDATE outbox SET status = 'failed' WHERE dedupe_key = 'b'").run();
    expect(db.prepare("SELECT dedupe_key, body FROM outbox ORDER BY id").all()).toEqual([
      { dedupe_key: "a", body: "【安心】紧急呼叫…进展请看：http://anxin.test/f/…" },
      { dedupe_key: "b", body: "[Anxin] … Follow it here: http://anxin.test/f/…" },
      { dedupe_key: "c", body: `worker page http://anxin.test/worker/#/offers/1/f/${token}` },
    ]);
  });
});

describe("a relative's update switch and the registry import", () => {
  const district = districtPerTest();

  it("a re-import replaces the relatives but keeps the switch off for a number that had it off", async () => {
    const { sql, dir } = await district();
    await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
    const off = (await sql.get<{ id: number; phone: string }>(
      "SELECT id, phone FROM relatives ORDER BY id LIMIT 1",
    )) as { id: number; phone: string };
    await sql.run("UPDATE relatives SET updates = 0 WHERE id = ?", [off.id]);
    await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
    const after = await sql.all<{ phone: string; updates: number }>("SELECT phone, updates FROM relatives ORDER BY id");
    expect(after.filter((r) => r.updates === 0).map((r) => r.phone)).toEqual([off.phone]);
    expect(after.length).toBeGreaterThan(1);
  });
});
