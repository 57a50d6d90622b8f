/**
 * Which alarm a device's feedback is about (AlarmRepository.feedbackAlarmFor)
 * on the hub's schema: the open SOS first, then its newest open alarm, else
 * its newest; a household incident it pressed into counts as its own. And the
 * lookup reads only open alarms and SOS/service presses (migration 19), not
 * every alarm the device ever made: a button with a daily test call has
 * hundreds within a year.
 */
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { AlarmRepository, FEEDBACK_ALARM_SQL } from "../hub/storage/alarm-repo.ts";
import { migrate } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";

describe("the alarm a device's feedback is about", () => {
  let db: Database.Database;
  let alarms: AlarmRepository;
  beforeEach(() => {
    db = new Database(":memory:");
    migrate(db, createLogger("silent"));
    db.exec(`INSERT INTO devices (id, secret_hash, created_at) VALUES
      ('dev-a', 'x', '2026-01-01T00:00:00Z'), ('dev-b', 'x', '2026-01-01T00:00:00Z')`);
    alarms = new AlarmRepository(new SqliteSql(db));
  });
  afterEach(() => db.close());

  let day = 0;
  const alarm = async (device: string, kind: "sos" | "test", status = "resolved") => {
    const id = await alarms.insertAlarm(device, kind, new Date(Date.UTC(2026, 0, 1 + day++)).toISOString());
    db.prepare("UPDATE alarms SET status = ? WHERE id = ?").run(status, id);
    return id;
  };
  const joined = (device: string, alarmId: number) =>
    db
      .prepare(
        `INSERT INTO presses (device_id, press_id, kind, device_time, seq, battery, received_at, alarm_id)
         VALUES (?, ?, 'sos', '2026-01-01T00:00:00Z', 1, 90, '2026-01-01T00:00:00Z', ?)`,
      )
      .run(device, `press-${device}-${alarmId}`, alarmId);
  const feedbackFor = async (device: string) => (await alarms.feedbackAlarmFor(device))?.id ?? null;

  it("picks the open SOS, even one another device opened, before a newer open test; else the newest", async () => {
    expect(await feedbackFor("dev-a")).toBeNull();
    for (let i = 0; i < 300; i++) await alarm("dev-a", "test"); // a year of daily test calls, all closed
    const newestClosed = await alarm("dev-a", "test");
    expect(await feedbackFor("dev-a")).toBe(newestClosed);

    const household = await alarm("dev-b", "sos", "offered");
    joined("dev-a", household);
    const openTest = await alarm("dev-a", "test", "unassigned");
    expect(await feedbackFor("dev-a")).toBe(household);

    db.prepare("UPDATE alarms SET status = 'resolved' WHERE id = ?").run(household);
    expect(await feedbackFor("dev-a")).toBe(openTest);
    db.prepare("UPDATE alarms SET status = 'resolved' WHERE id = ?").run(openTest);
    expect(await feedbackFor("dev-a")).toBe(openTest); // the newest of its own and the ones it joined
    const later = await alarm("dev-b", "sos");
    joined("dev-a", later);
    expect(await feedbackFor("dev-a")).toBe(later);
  });

  it("reads open alarms and SOS presses from their own indexes, not the device's history", () => {
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${FEEDBACK_ALARM_SQL}`).all({ device: "dev-a" }) as { detail: string }[]
    )
      .map((row) => row.detail)
      .filter((detail) => detail.startsWith("SEARCH") || detail.startsWith("SCAN"));
    expect(plan).toEqual([
      "SEARCH alarms USING INDEX alarms_device_open (device_id=?)",
      "SEARCH presses USING INDEX presses_device_joined (device_id=?)",
      "SEARCH alarms USING COVERING INDEX alarms_device (device_id=?)",
      "SCAN c",
      "SEARCH a USING INTEGER PRIMARY KEY (rowid=?)",
    ]);
  });
});
