import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import {
  callGoodbyeTwiml,
  keypadConfirmedTwiml,
  keypadRetryTwiml,
  relativeCallTwiml,
} from "../hub/notify/relative-texts.ts";
import { isConfirmation, normalisePhone } from "../hub/relatives/replies.ts";
import { migrate } from "../hub/storage/database.ts";
import { advancesStatus, isFailedStatus } from "../hub/storage/delivery-status.ts";
import { MIGRATIONS } from "../hub/storage/migrations/index.ts";

describe("relatives' replies", () => {
  it("reads short agreement, in either script and width, as a confirmation", () => {
    for (const text of [
      "1",
      " 1 ",
      "１",
      "收到",
      "收到！",
      "好",
      "好的。",
      "OK",
      "ok!",
      "Okay",
      "yes",
      "1 收到",
      "确认",
    ]) {
      expect(isConfirmation(text), text).toBe(true);
    }
  });

  it("does not read questions, refusals or longer text as a confirmation", () => {
    for (const text of ["", "2", "不好", "你是谁？", "not ok", "who is this", "10", "1分钟后回电", "STOP"]) {
      expect(isConfirmation(text), text).toBe(false);
    }
  });

  it("spells numbers one way so a reply's From matches the stored relative", () => {
    expect(normalisePhone("+86 139-0000-0101")).toBe("+8613900000101");
    expect(normalisePhone("13900000101")).toBe("+8613900000101");
    expect(normalisePhone("008613900000101")).toBe("+8613900000101");
    expect(normalisePhone("+15005550006")).toBe("+15005550006");
  });
});

describe("delivery status ordering", () => {
  it("only moves an SMS forward, and never past a final status", () => {
    expect(advancesStatus("sms", null, "sent")).toBe(true);
    expect(advancesStatus("sms", "queued", "sent")).toBe(true);
    expect(advancesStatus("sms", "delivered", "sent")).toBe(false);
    expect(advancesStatus("sms", "sent", "sending")).toBe(false);
    expect(advancesStatus("sms", "sending", "failed")).toBe(true);
    expect(advancesStatus("sms", "failed", "delivered")).toBe(false);
    expect(advancesStatus("sms", "undelivered", "failed")).toBe(false);
    expect(advancesStatus("sms", "sent", "no-answer")).toBe(false);
    expect(advancesStatus("sms", "sent", "made-up")).toBe(false);
  });

  it("treats a call's end states as final and its failures as failures", () => {
    expect(advancesStatus("voice", "ringing", "in-progress")).toBe(true);
    expect(advancesStatus("voice", "in-progress", "ringing")).toBe(false);
    expect(advancesStatus("voice", "ringing", "no-answer")).toBe(true);
    expect(advancesStatus("voice", "completed", "busy")).toBe(false);
    expect(["busy", "no-answer", "failed", "canceled"].every((s) => isFailedStatus("voice", s))).toBe(true);
    expect(isFailedStatus("voice", "completed")).toBe(false);
    expect(isFailedStatus("sms", "delivered")).toBe(false);
  });
});

describe("the relatives' call", () => {
  const facts = {
    alarmId: 7,
    residentName: "王秀英",
    address: "垦利区胜兴路12号",
    receivedAt: new Date("2026-11-23T00:05:00Z"),
    timeZone: "Asia/Shanghai",
  };

  const gatherUrl = "https://hub.example.org/api/twilio/voice/gather";
  const gatherTag = `<Gather input="dtmf" numDigits="1" action="${gatherUrl}" method="POST" timeout="10">`;

  it("asks for 1 on the keypad in the relative's language, reads it once more without a key, and escapes XML", () => {
    const zh = relativeCallTwiml(facts, "zh-CN", gatherUrl);
    expect(zh.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response>')).toBe(true);
    // Two Gathers, each reading the alarm: Twilio goes on to the second only when no key came during the first.
    expect(zh.split(gatherTag)).toHaveLength(3);
    expect(zh).toMatch(
      /<Gather [^>]*><Say language="zh-CN" voice="alice">这里是安心紧急呼叫中心[^<]*请按数字键1确认。<\/Say><\/Gather>/,
    );
    expect(zh).toContain("王秀英");
    expect(zh).toContain("08:05");
    expect(zh).toMatch(/<\/Gather><Say language="zh-CN" voice="alice">我们没有收到您的按键。[^<]*<\/Say><\/Response>$/);
    const en = relativeCallTwiml({ ...facts, residentName: "Tom <&> Jerry" }, "en", `${gatherUrl}?a=1&b=2`);
    expect(en).toContain('<Say language="en-US" voice="alice">This is the Anxin');
    expect(en).toContain("press 1 to confirm");
    expect(en).toContain("Tom &lt;&amp;&gt; Jerry");
    expect(en).toContain(`action="${gatherUrl}?a=1&amp;b=2"`);
    expect(en.length).toBeLessThan(4000);
  });

  it("stays within Twilio's 4000 characters with the longest name and address the registry allows", () => {
    const worst = { ...facts, residentName: "&".repeat(100), address: "<".repeat(300) };
    for (const language of ["zh-CN", "en"] as const) {
      const twiml = relativeCallTwiml(worst, language, gatherUrl);
      expect([...twiml].length).toBeLessThanOrEqual(4000);
      expect(twiml.split(gatherTag)).toHaveLength(3);
      expect(twiml).toContain(`${"&amp;".repeat(39)}…`);
    }
  });

  it("answers a key press: thanks and hang up for 1, how to confirm and another Gather for others, goodbye", () => {
    expect(keypadConfirmedTwiml("zh-CN")).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="zh-CN" voice="alice">谢谢，已收到您的确认。指挥中心正在处理。再见。</Say><Hangup/></Response>',
    );
    expect(keypadConfirmedTwiml("en")).toContain(">Thank you, we have your confirmation.");
    const retry = keypadRetryTwiml("Tom & Jerry", "en", gatherUrl);
    expect(retry).toContain(
      `${gatherTag}<Say language="en-US" voice="alice">That was not 1. If you will take care of Tom &amp; Jerry, press 1 to confirm.</Say></Gather>`,
    );
    expect(keypadRetryTwiml("王秀英", "zh-CN", gatherUrl)).toContain("如果您会负责照看王秀英，请按数字键1确认。");
    expect(callGoodbyeTwiml("zh-CN")).toMatch(
      /<Say language="zh-CN" voice="alice">[^<]*再见。<\/Say><Hangup\/><\/Response>$/,
    );
    expect(callGoodbyeTwiml("en")).toContain("Goodbye.</Say><Hangup/>");
  });
});

describe("migration 4", () => {
  it("rebuilds the outbox with its rows and ids, and lets it carry voice calls", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-mig4-"));
    const db = new Database(path.join(dir, "v3.db"));
    db.pragma("foreign_keys = ON");
    const before = MIGRATIONS.filter((m) => m.version <= 3);
    for (const m of before) db.exec(m.sql);
    db.pragma("user_version = 3");
    db.exec(`
      INSERT INTO households (id, code, address, created_at) VALUES (1, 'H1', 'addr', 'now');
      INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES ('D1', 1, 'x', 'now');
      INSERT INTO alarms (id, device_id, kind, status, received_at) VALUES (5, 'D1', 'sos', 'received', 'now');
      INSERT INTO outbox (id, channel, recipient, body, alarm_id, purpose, dedupe_key, status, next_attempt_at, provider_ref, created_at)
        VALUES (41, 'sms', '+8613900000001', 'hello', 5, 'relative:1', 'k1', 'sent', 0, 'SMabc', 'now');
    `);
    migrate(db, createLogger("silent"));
    expect(db.pragma("user_version", { simple: true })).toBeGreaterThanOrEqual(4);
    expect(db.pragma("foreign_key_check")).toEqual([]);
    expect(db.prepare("SELECT id, channel, provider_ref, delivery_status FROM outbox").all()).toEqual([
      { id: 41, channel: "sms", provider_ref: "SMabc", delivery_status: null },
    ]);
    db.prepare(
      "INSERT INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, next_attempt_at, created_at) VALUES ('voice', '+1', '<Response/>', 5, 'relative_call:1', 'k2', 0, 'now')",
    ).run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO outbox (channel, recipient, body, purpose, dedupe_key, next_attempt_at, created_at) VALUES ('fax', '+1', 'x', 'p', 'k3', 0, 'now')",
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO relative_contacts (alarm_id, relative_id, priority, name, phone, language, channel, step, outbox_id, created_at) VALUES (5, 1, 1, 'n', '+1', 'zh-CN', 'sms', 1, 999, 'now')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("migration 8", () => {
  it("rebuilds relative_contacts with its rows and ids, allows `cancelled`, and adds call_hangups", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-mig8-"));
    const db = new Database(path.join(dir, "v7.db"));
    db.pragma("foreign_keys = ON");
    for (const m of MIGRATIONS.filter((m) => m.version <= 7)) db.exec(m.sql);
    db.pragma("user_version = 7");
    db.exec(`
      INSERT INTO households (id, code, address, created_at) VALUES (1, 'H1', 'addr', 'now');
      INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES ('D1', 1, 'x', 'now');
      INSERT INTO alarms (id, device_id, kind, status, received_at) VALUES (5, 'D1', 'sos', 'received', 'now');
      INSERT INTO outbox (id, channel, recipient, body, alarm_id, purpose, dedupe_key, status, next_attempt_at, provider_ref, created_at)
        VALUES (41, 'voice', '+8613900000001', '<Response/>', 5, 'relative_call:1', 'k1', 'sent', 0, 'CAabc', 'now');
      INSERT INTO relative_contacts (id, alarm_id, relative_id, priority, name, phone, language, channel, step, outbox_id, outcome, created_at)
        VALUES (9, 5, 3, 1, '王', '+8613900000001', 'zh-CN', 'voice', 2, 41, 'answered', 'now');
    `);
    migrate(db, createLogger("silent"));
    expect(db.pragma("user_version", { simple: true })).toBeGreaterThanOrEqual(8);
    expect(db.pragma("foreign_key_check")).toEqual([]);
    expect(db.prepare("SELECT id, outbox_id, outcome FROM relative_contacts").all()).toEqual([
      { id: 9, outbox_id: 41, outcome: "answered" },
    ]);
    db.prepare("UPDATE relative_contacts SET outcome = 'cancelled' WHERE id = 9").run();
    expect(() => db.prepare("UPDATE relative_contacts SET outcome = 'gone' WHERE id = 9").run()).toThrow(/CHECK/);
    db.prepare(
      "INSERT INTO call_hangups (outbox_id, alarm_id, reason, requested_at, next_attempt_at) VALUES (41, 5, 'r', 'now', 0)",
    ).run();
    expect(db.prepare("SELECT status, attempts, result FROM call_hangups").get()).toEqual({
      status: "pending",
      attempts: 0,
      result: null,
    });
    expect(() =>
      db
        .prepare(
          "INSERT INTO call_hangups (outbox_id, alarm_id, reason, requested_at, next_attempt_at) VALUES (999, 5, 'r', 'now', 0)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
