import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { migrate } from "../hub/storage/database.ts";
import { INITIAL_SQL } from "../hub/storage/migrations/001-initial.ts";
import { MIGRATIONS } from "../hub/storage/migrations/index.ts";
import { POSTGRES_BASELINE_VERSION } from "../hub/storage/migrations/postgres/baseline.ts";

describe("migrations", () => {
  it("are numbered 1…N with no gap, so none can land below a version a database has already reached", () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it("after PostgreSQL's baseline, each carries its PostgreSQL text too (tests/postgres/ checks the schemas match)", () => {
    expect(POSTGRES_BASELINE_VERSION).toBeLessThanOrEqual(MIGRATIONS.length);
    const missing = MIGRATIONS.filter((m) => m.version > POSTGRES_BASELINE_VERSION && !m.postgres?.trim());
    expect(missing.map((m) => m.version)).toEqual([]);
    // Versions up to the baseline have none: PostgreSQL starts from the baseline itself.
    expect(MIGRATIONS.filter((m) => m.version <= POSTGRES_BASELINE_VERSION && m.postgres !== undefined)).toEqual([]);
  });

  it("upgrades a version-1 database with alarms in it, keeping every row and every foreign key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-mig-"));
    const db = new Database(path.join(dir, "v1.db"));
    db.pragma("foreign_keys = ON");
    db.exec(INITIAL_SQL);
    db.pragma("user_version = 1");
    db.exec(`
      INSERT INTO households (id, code, address, lat, lng, created_at) VALUES (1, 'H1', 'addr', 37.5, 118.5, 'now');
      INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES ('D1', 1, 'x', 'now');
      INSERT INTO users (id, username, password_hash, role, display_name, created_at) VALUES (1, 'op', 'h', 'operator', 'Op', 'now');
      INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('t', 1, 'now', 'later');
      INSERT INTO alarms (id, device_id, kind, status, received_at, acknowledged_by) VALUES (7, 'D1', 'sos', 'acknowledged', 'now', 1);
      INSERT INTO presses (device_id, press_id, kind, device_time, seq, battery, received_at, alarm_id) VALUES ('D1', 'p1', 'sos', 'now', 1, 90, 'now', 7);
      INSERT INTO alarm_events (alarm_id, at, type, actor) VALUES (7, 'now', 'received', 'device:D1');
      INSERT INTO workers (id, name, phone, on_duty) VALUES (3, 'W', '+861', 1);
      INSERT INTO clinics (id, name, phone, address, lat, lng, hours) VALUES (4, 'C', '+862', 'a', 37.5, 118.5, '20:00-08:00');
    `);

    migrate(db, createLogger("silent"));

    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("foreign_key_check")).toEqual([]);
    expect(db.prepare("SELECT id, status, acknowledged_by FROM alarms").all()).toEqual([
      { id: 7, status: "unassigned", acknowledged_by: 1 },
    ]);
    expect(db.prepare("SELECT username, role, worker_id FROM users").all()).toEqual([
      { username: "op", role: "operator", worker_id: null },
    ]);
    expect(db.prepare("SELECT code FROM workers").get()).toEqual({ code: "W00003" });
    expect(JSON.parse((db.prepare("SELECT hours FROM clinics").get() as { hours: string }).hours)).toEqual([
      { days: [1, 2, 3, 4, 5, 6, 7], open: "20:00", close: "08:00" },
    ]);
    // Foreign keys to the rebuilt tables still hold.
    expect(() =>
      db
        .prepare(
          "INSERT INTO presses (device_id, press_id, kind, device_time, seq, battery, received_at, alarm_id) VALUES ('D1', 'p2', 'sos', 'n', 2, 9, 'n', 999)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db.prepare("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('u', 42, 'n', 'l')").run(),
    ).toThrow(/FOREIGN KEY/);
    // The new states exist, and a worker login must name its worker.
    db.prepare("UPDATE alarms SET status = 'on_scene' WHERE id = 7").run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO users (username, password_hash, role, display_name, created_at) VALUES ('w', 'h', 'worker', 'W', 'n')",
        )
        .run(),
    ).toThrow(/CHECK/);
    // Registry changes bump the version the hub watches to rebuild its spatial index.
    const version = () =>
      (db.prepare("SELECT value FROM meta WHERE key = 'registry_version'").get() as { value: number }).value;
    const before = version();
    db.prepare("UPDATE workers SET on_duty = 0 WHERE id = 3").run();
    expect(version()).toBe(before + 1);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("version 7 turns service alarms still waiting for an operator into open service requests", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-mig-"));
    const db = new Database(path.join(dir, "v6.db"));
    db.pragma("foreign_keys = OFF");
    for (const migration of MIGRATIONS.filter((m) => m.version <= 6)) db.exec(migration.sql);
    db.pragma("user_version = 6");
    db.pragma("foreign_keys = ON");
    db.exec(`
      INSERT INTO grids (id, code, name, polygon) VALUES (2, 'G2', 'Grid', '{}');
      INSERT INTO households (id, code, address, lat, lng, grid_id, created_at) VALUES (1, 'H1', 'addr', 37.5, 118.5, 2, 'now');
      INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES ('D1', 1, 'x', 'now');
      INSERT INTO alarms (id, device_id, kind, status, received_at, household_id) VALUES
        (1, 'D1', 'service', 'received', 't1', 1), (2, 'D1', 'service', 'resolved', 't2', 1), (3, 'D1', 'sos', 'received', 't3', 1);
    `);

    migrate(db, createLogger("silent"));

    expect(
      db.prepare("SELECT alarm_id, household_id, grid_id, status, created_at FROM service_requests").all(),
    ).toEqual([{ alarm_id: 1, household_id: 1, grid_id: 2, status: "open", created_at: "t1" }]);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("version 10 takes the acknowledgement out of the status: received/acknowledged → unassigned, dispatched → offered", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-mig-"));
    const db = new Database(path.join(dir, "v9.db"));
    db.pragma("foreign_keys = OFF");
    for (const migration of MIGRATIONS.filter((m) => m.version <= 9)) db.exec(migration.sql);
    db.pragma("user_version = 9");
    db.pragma("foreign_keys = ON");
    db.exec(`
      INSERT INTO devices (id, secret_hash, created_at) VALUES ('D1', 'x', 'now');
      INSERT INTO users (id, username, password_hash, role, display_name, created_at) VALUES (1, 'op', 'h', 'operator', 'Op', 'now');
      INSERT INTO alarms (id, device_id, kind, status, received_at, acknowledged_at, acknowledged_by, dispatched_at, accepted_at) VALUES
        (1, 'D1', 'sos', 'received', 't1', NULL, NULL, NULL, NULL),
        (2, 'D1', 'sos', 'acknowledged', 't2', 'a2', 1, NULL, NULL),
        (3, 'D1', 'sos', 'dispatched', 't3', NULL, NULL, 'd3', NULL),
        (4, 'D1', 'sos', 'accepted', 't4', 'a4', 1, 'd4', 'c4'),
        (5, 'D1', 'sos', 'cancelled', 't5', NULL, NULL, NULL, NULL);
      INSERT INTO alarm_events (alarm_id, at, type, actor) VALUES (3, 't3', 'received', 'device:D1');
    `);

    migrate(db, createLogger("silent"));

    expect(db.pragma("foreign_key_check")).toEqual([]);
    expect(
      db.prepare("SELECT id, status, acknowledged_at, acknowledged_by, offered_at, accepted_at FROM alarms").all(),
    ).toEqual([
      {
        id: 1,
        status: "unassigned",
        acknowledged_at: null,
        acknowledged_by: null,
        offered_at: null,
        accepted_at: null,
      },
      { id: 2, status: "unassigned", acknowledged_at: "a2", acknowledged_by: 1, offered_at: null, accepted_at: null },
      { id: 3, status: "offered", acknowledged_at: null, acknowledged_by: null, offered_at: "d3", accepted_at: null },
      { id: 4, status: "accepted", acknowledged_at: "a4", acknowledged_by: 1, offered_at: "d4", accepted_at: "c4" },
      { id: 5, status: "cancelled", acknowledged_at: null, acknowledged_by: null, offered_at: null, accepted_at: null },
    ]);
    // The old states are gone for good: the table refuses them.
    expect(() => db.prepare("UPDATE alarms SET status = 'acknowledged' WHERE id = 1").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE alarms SET status = 'dispatched' WHERE id = 1").run()).toThrow(/CHECK/);
    // Rows pointing at the rebuilt table still do.
    expect(db.prepare("SELECT alarm_id FROM alarm_events").all()).toEqual([{ alarm_id: 3 }]);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("version 11 gives existing accounts the staff-account columns without flagging or losing anyone", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-mig-"));
    const db = new Database(path.join(dir, "v9.db"));
    db.pragma("foreign_keys = OFF");
    for (const migration of MIGRATIONS.filter((m) => m.version <= 9)) db.exec(migration.sql);
    db.pragma("user_version = 9");
    db.pragma("foreign_keys = ON");
    // Rows as a version-9 hub wrote them: the schema under test predates the account service.
    db.exec(`
      INSERT INTO users (id, username, password_hash, role, display_name, disabled, created_at)
        VALUES (1, 'admin', 'h', 'admin', 'A', 0, 't1'), (2, 'old', 'h', 'operator', 'O', 1, 't2');
      INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('t', 1, 'now', 'later');
    `);

    migrate(db, createLogger("silent"));

    expect(
      db
        .prepare(
          "SELECT username, contact, must_change_password, password_changed_at, disabled_at, updated_at FROM users ORDER BY id",
        )
        .all(),
    ).toEqual([
      {
        username: "admin",
        contact: null,
        must_change_password: 0,
        password_changed_at: "t1",
        disabled_at: null,
        updated_at: "t1",
      },
      {
        username: "old",
        contact: null,
        must_change_password: 0,
        password_changed_at: "t2",
        disabled_at: "t2",
        updated_at: "t2",
      },
    ]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sessions").get()).toEqual({ n: 1 });
    // A contact is a phone in E.164 form or a SIP address, nothing else.
    const setContact = db.prepare("UPDATE users SET contact = ? WHERE id = 1");
    setContact.run("+8613912345678");
    setContact.run("sip:admin@pbx.example");
    expect(() => setContact.run("13912345678")).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE users SET must_change_password = 2 WHERE id = 1").run()).toThrow(/CHECK/);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it("version 21 keeps every alarm as a button alarm, lets a voice alarm have no device, and keeps the family trigger", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-mig-"));
    const db = new Database(path.join(dir, "v20.db"));
    db.pragma("foreign_keys = ON");
    migrate(db, createLogger("silent"), 20);
    db.exec(`
      INSERT INTO households (id, code, address, lat, lng, created_at) VALUES (1, 'H1', 'addr', 37.5, 118.5, 'now');
      INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES ('D1', 1, 'x', 'now');
      INSERT INTO alarms (id, device_id, kind, status, received_at, household_id, incident_scope)
        VALUES (7, 'D1', 'sos', 'offered', 'now', 1, 'household:1');
      INSERT INTO presses (device_id, press_id, kind, device_time, seq, battery, received_at, alarm_id)
        VALUES ('D1', 'p1', 'sos', 'now', 1, 90, 'now', 7);
    `);

    migrate(db, createLogger("silent"));

    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.pragma("foreign_key_check")).toEqual([]);
    expect(db.prepare("SELECT id, device_id, source, caller, incident_scope FROM alarms").all()).toEqual([
      { id: 7, device_id: "D1", source: "button", caller: null, incident_scope: "household:1" },
    ]);
    // A voice alarm has no device, a button alarm always has one.
    const insert = db.prepare(
      "INSERT INTO alarms (device_id, kind, status, received_at, source, caller) VALUES (?, 'sos', 'unassigned', 'now', ?, ?)",
    );
    const voice = Number(insert.run(null, "voice", "+8613900000001").lastInsertRowid);
    expect(() => insert.run("D1", "voice", "+8613900000001")).toThrow(/CHECK/);
    expect(() => insert.run(null, "button", null)).toThrow(/CHECK/);
    // Still one open SOS per household, and still the foreign keys to the rebuilt table.
    expect(() =>
      db
        .prepare(
          "INSERT INTO alarms (device_id, kind, status, received_at, incident_scope) VALUES ('D1', 'sos', 'unassigned', 'now', 'household:1')",
        )
        .run(),
    ).toThrow(/UNIQUE/);
    db.prepare(
      "INSERT INTO inbound_calls (call_sid, caller, called, alarm_id, received_at) VALUES ('CA1', '+8613900000001', '+865462222999', ?, 'now')",
    ).run(voice);
    expect(() =>
      db
        .prepare(
          "INSERT INTO inbound_calls (call_sid, caller, called, alarm_id, received_at) VALUES ('CA2', NULL, '+865462222999', 999, 'now')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    // The family-update trigger, made again after the rebuild, still reads the alarm's kind.
    db.prepare("INSERT INTO alarm_events (alarm_id, at, type, actor) VALUES (7, 'now', 'on_scene', 'worker:1')").run();
    expect(db.prepare("SELECT alarm_id, type FROM family_updates_due").all()).toEqual([
      { alarm_id: 7, type: "on_scene" },
    ]);
    db.prepare("UPDATE households SET landline = '+865462000111' WHERE id = 1").run();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
