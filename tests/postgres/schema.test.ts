/**
 * PostgreSQL's schema (hub/storage/migrations/postgres/baseline.ts, applied by
 * hub/storage/sql/migrate-postgres.ts) against SQLite's after its migrations:
 * the same tables, columns, nullability, column kinds, indexes and triggers,
 * and the triggers doing the same thing on both, through the storage port.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../hub/log.ts";
import { type Db, openDatabase } from "../../hub/storage/database.ts";
import { MIGRATIONS } from "../../hub/storage/migrations/index.ts";
import { migratePostgres } from "../../hub/storage/sql/migrate-postgres.ts";
import { PostgresSql } from "../../hub/storage/sql/postgres-sql.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import { SqliteSql } from "../../hub/storage/sql/sqlite-sql.ts";
import { postgresTestUrl } from "./postgres-url.ts";

interface Shape {
  /** table → column → "kind, null|not null" */
  columns: Record<string, Record<string, string>>;
  indexes: string[];
  /** "table.trigger" */
  triggers: string[];
}

/** SQLite's declared type → the kind PostgreSQL's column must have. */
/** The hub's latest schema version: both engines end there. */
const LATEST = MIGRATIONS.at(-1)?.version ?? 0;
const KIND: Record<string, string> = { INTEGER: "integer", TEXT: "text", REAL: "real" };
const PG_KIND: Record<string, string> = { bigint: "integer", text: "text", "double precision": "real" };

function sqliteShape(db: Db): Shape {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const columns: Shape["columns"] = {};
  for (const table of tables) {
    const info = db.prepare(`PRAGMA table_info("${table}")`).all() as {
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }[];
    // A primary key is never null on PostgreSQL; SQLite reports it nullable unless declared NOT NULL.
    columns[table] = Object.fromEntries(
      info.map((c) => [c.name, `${KIND[c.type] ?? c.type}, ${c.notnull || c.pk ? "not null" : "null"}`]),
    );
  }
  const indexes = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
    .pluck()
    .all() as string[];
  const triggers = db
    .prepare("SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1")
    .pluck()
    .all() as string[];
  return { columns, indexes, triggers };
}

async function postgresShape(db: SqlDatabase): Promise<Shape> {
  const rows = await db.all<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name <> 'schema_version' ORDER BY table_name, ordinal_position`,
  );
  const columns: Shape["columns"] = {};
  for (const row of rows) {
    const kind = PG_KIND[row.data_type] ?? row.data_type;
    const table = columns[row.table_name] ?? {};
    table[row.column_name] = `${kind}, ${row.is_nullable === "YES" ? "null" : "not null"}`;
    columns[row.table_name] = table;
  }
  // Indexes made for a PRIMARY KEY or UNIQUE constraint are SQLite's autoindexes, which the other side leaves out.
  const indexes = (
    await db.all<{ name: string }>(
      `SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()
         AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname`,
    )
  ).map((r) => r.name);
  const triggers = (
    await db.all<{ name: string }>(
      `SELECT DISTINCT event_object_table || '.' || trigger_name AS name FROM information_schema.triggers
         WHERE trigger_schema = current_schema() ORDER BY 1`,
    )
  ).map((r) => r.name);
  return { columns, indexes, triggers };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-schema-"));
const database = `anxin_schema_${process.pid}_${Date.now()}`;
const admin = new PostgresSql(postgresTestUrl(), { max: 1 });
let pg: PostgresSql;
let sqlite: Db;

function urlOf(name: string): string {
  const url = new URL(postgresTestUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

beforeAll(async () => {
  await admin.exec(`CREATE DATABASE ${database}`);
  pg = new PostgresSql(urlOf(database), { max: 4 });
  sqlite = openDatabase(path.join(dir, "anxin.db"), createLogger("silent"));
});

afterAll(async () => {
  await pg?.close();
  await admin.exec(`DROP DATABASE IF EXISTS ${database}`);
  await admin.close();
  sqlite?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("PostgreSQL's schema", () => {
  it("is migrated once when two hubs start together, and not again after", async () => {
    const other = new PostgresSql(urlOf(database), { max: 1 });
    try {
      const outcomes = await Promise.all([migratePostgres(pg), migratePostgres(other)]);
      expect(outcomes.map((o) => o.from).sort()).toEqual([0, LATEST]);
      expect(outcomes.every((o) => o.to === LATEST)).toBe(true);
    } finally {
      await other.close();
    }
    expect(await migratePostgres(pg)).toEqual({ from: LATEST, to: LATEST });
    expect(await pg.all("SELECT version FROM schema_version")).toEqual([{ version: LATEST }]);
  });

  it("has SQLite's tables, columns, nullability, column kinds, indexes and triggers", async () => {
    const expected = sqliteShape(sqlite);
    const actual = await postgresShape(pg);
    expect(Object.keys(actual.columns).sort()).toEqual(Object.keys(expected.columns).sort());
    for (const [table, columns] of Object.entries(expected.columns)) {
      expect({ table, columns: actual.columns[table] }).toEqual({ table, columns });
    }
    expect(actual.indexes).toEqual(expected.indexes);
    expect(actual.triggers).toEqual(expected.triggers);
  });
});

/** The triggers' effects, the same SQL through the port on both. */
describe.each([
  ["SQLite", () => new SqliteSql(sqlite)],
  ["PostgreSQL", () => pg],
])("the schema's triggers on %s", (_name, port) => {
  const suffix = Math.random().toString(36).slice(2, 8);

  async function alarm(db: SqlDatabase, kind: "sos" | "test"): Promise<number> {
    const device = `dev-${suffix}-${kind}-${Math.random().toString(36).slice(2, 8)}`;
    await db.run("INSERT INTO devices (id, secret_hash, created_at) VALUES (?, ?, ?)", [device, "h", "2026-12-05"]);
    const row = await db.get<{ id: number }>(
      "INSERT INTO alarms (device_id, kind, status, received_at) VALUES (?, ?, 'unassigned', ?) RETURNING id",
      [device, kind, "2026-12-05T00:00:00.000Z"],
    );
    return row?.id ?? -1;
  }

  const event = (db: SqlDatabase, alarmId: number, type: string, actor: string) =>
    db.get<{ id: number }>(
      "INSERT INTO alarm_events (alarm_id, at, type, actor, detail) VALUES (?, ?, ?, ?, ?) RETURNING id",
      [alarmId, "2026-12-05T00:00:01.000Z", type, actor, "{}"],
    );

  it("keeps events and the audit log append-only, and audits what a person did to an alarm", async () => {
    const db = port();
    const id = await alarm(db, "sos");
    const own = await event(db, id, "acknowledged", `user:ops-${suffix}`);
    await expect(db.run("UPDATE alarm_events SET type = 'x' WHERE id = ?", [own?.id ?? 0])).rejects.toThrow(
      /append-only/,
    );
    await expect(db.run("DELETE FROM alarm_events WHERE id = ?", [own?.id ?? 0])).rejects.toThrow(/append-only/);
    const audited = await db.all<{ action: string; target: string }>(
      "SELECT action, target FROM audit_log WHERE actor = ?",
      [`user:ops-${suffix}`],
    );
    expect(audited).toEqual([{ action: "alarm_acknowledged", target: `alarm:${id}` }]);
    await expect(db.run("DELETE FROM audit_log WHERE actor = ?", [`user:ops-${suffix}`])).rejects.toThrow(
      /append-only/,
    );
  });

  it("queues a family update for an SOS's progress only", async () => {
    const db = port();
    const sos = await alarm(db, "sos");
    const test = await alarm(db, "test");
    const resolved = await event(db, sos, "resolved", "system");
    await event(db, sos, "located", "system");
    await event(db, test, "resolved", "system");
    const due = await db.all<{ event_id: number; type: string }>(
      "SELECT event_id, type FROM family_updates_due WHERE alarm_id IN (?, ?)",
      [sos, test],
    );
    expect(due).toEqual([{ event_id: resolved?.id, type: "resolved" }]);
  });

  it("gives each outbox row an idempotency key, counts registry changes, and cuts a sent family link", async () => {
    const db = port();
    const link = `Help: https://anxin.example/f/${"T".repeat(43)}`;
    const row = await db.get<{ id: number }>(
      `INSERT INTO outbox (channel, recipient, body, purpose, dedupe_key, next_attempt_at, created_at)
         VALUES ('sms', '+8613800000000', ?, 'relative:1', ?, 0, '2026-12-05') RETURNING id`,
      [link, `k-${suffix}`],
    );
    // Read afterwards, as the sender does: SQLite sets the key in an AFTER trigger, which RETURNING does not see.
    const key = await db.get<{ idempotency_key: string }>("SELECT idempotency_key FROM outbox WHERE id = ?", [
      row?.id ?? 0,
    ]);
    expect(key?.idempotency_key).toMatch(/^[0-9a-f]{32}$/);
    await db.run("UPDATE outbox SET status = 'sent' WHERE id = ?", [row?.id ?? 0]);
    expect(await db.get("SELECT body FROM outbox WHERE id = ?", [row?.id ?? 0])).toEqual({
      body: "Help: https://anxin.example/f/…",
    });

    const version = async () =>
      (await db.get<{ value: number }>("SELECT value FROM meta WHERE key = 'registry_version'"))?.value ?? -1;
    const before = await version();
    const worker = await db.get<{ id: number }>(
      "INSERT INTO workers (name, phone) VALUES (?, '+8613900000000') RETURNING id",
      [`w-${suffix}`],
    );
    await db.run("UPDATE workers SET on_duty = 1 WHERE id = ?", [worker?.id ?? 0]);
    await db.run("DELETE FROM workers WHERE id = ?", [worker?.id ?? 0]);
    expect(await version()).toBe(before + 3);
  });
});
