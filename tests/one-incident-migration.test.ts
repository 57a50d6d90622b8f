/**
 * The migration that enforces one open SOS per household must also run on a
 * database that already holds the duplicates the defect made: it keeps every
 * alarm open for the operators, scopes only the oldest, and from then on the
 * index refuses a second one.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { migrate } from "../hub/storage/database.ts";
import { ONE_INCIDENT_SQL } from "../hub/storage/migrations/014-one-incident.ts";
import { MIGRATIONS } from "../hub/storage/migrations/index.ts";

// Found by its SQL, not its number: the lead may renumber it at merge.
const VERSION = MIGRATIONS.find((m) => m.sql === ONE_INCIDENT_SQL)?.version ?? 0;

describe("one-incident migration", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function databaseBefore(): Database.Database {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-mig-"));
    dirs.push(dir);
    const db = new Database(path.join(dir, "before.db"));
    db.pragma("foreign_keys = OFF");
    for (const migration of MIGRATIONS.filter((m) => m.version < VERSION)) db.exec(migration.sql);
    db.pragma(`user_version = ${VERSION - 1}`);
    db.pragma("foreign_keys = ON");
    return db;
  }

  it("keeps duplicate open SOS alarms open, scopes the oldest, then refuses a second one", () => {
    expect(VERSION).toBeGreaterThan(1);
    const db = databaseBefore();
    db.exec(`
      INSERT INTO households (id, code, address, lat, lng, created_at) VALUES (1, 'H1', 'addr', 37.5, 118.5, 'now');
      INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES ('D1', 1, 'x', 'now'), ('D2', NULL, 'y', 'now');
      INSERT INTO alarms (id, device_id, kind, status, received_at) VALUES
        (1, 'D1', 'sos', 'offered', 't1'), (2, 'D1', 'test', 'unassigned', 't2'), (3, 'D1', 'sos', 'unassigned', 't3'),
        (4, 'D1', 'sos', 'resolved', 't0'), (5, 'D2', 'service', 'offered', 't5');
      INSERT INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, next_attempt_at, created_at)
        VALUES ('sms', '+8613900000001', 'x', 1, 'relative', 'k1', 0, 'now');
    `);

    migrate(db, createLogger("silent"));

    expect(db.prepare("SELECT id, status, incident_scope FROM alarms ORDER BY id").all()).toEqual([
      { id: 1, status: "offered", incident_scope: "household:1" },
      { id: 2, status: "unassigned", incident_scope: null },
      { id: 3, status: "unassigned", incident_scope: null },
      { id: 4, status: "resolved", incident_scope: "household:1" },
      { id: 5, status: "offered", incident_scope: "device:D2" },
    ]);
    const insert = db.prepare(
      "INSERT INTO alarms (device_id, kind, status, received_at, incident_scope) VALUES (?, ?, 'unassigned', 'n', ?)",
    );
    expect(() => insert.run("D1", "sos", "household:1")).toThrow(/UNIQUE/);
    expect(() => insert.run("D2", "service", "device:D2")).toThrow(/UNIQUE/);
    db.prepare("UPDATE alarms SET status = 'resolved' WHERE id = 1").run();
    expect(() => insert.run("D1", "sos", "household:1")).not.toThrow();

    // Every outbox row, old or new, carries its own random idempotency key.
    db.prepare(
      `INSERT INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, next_attempt_at, created_at)
       VALUES ('sms', '+8613900000002', 'y', 1, 'relative', 'k2', 0, 'now')`,
    ).run();
    const keys = db.prepare("SELECT idempotency_key AS k FROM outbox ORDER BY id").all() as { k: string }[];
    expect(keys).toHaveLength(2);
    for (const { k } of keys) expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[0]?.k).not.toBe(keys[1]?.k);
    db.close();
  });
});
