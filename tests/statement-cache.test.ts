/**
 * Statements are compiled once per connection (hub/storage/statement-cache.ts):
 * the same SQL text gets the same statement, the cache stays within its bound,
 * and a caller who asks for a mode (pluck, raw, expand, safeIntegers) or binds
 * parameters gets a statement of their own, so every other caller still sees
 * rows in the shape they expect.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { type Db, openDatabase } from "../hub/storage/database.ts";
import { cacheStatements, STATEMENT_CACHE_CAPACITY, statementCacheOf } from "../hub/storage/statement-cache.ts";

describe("the hub's connection compiles each statement once", () => {
  let dir: string;
  let db: Db;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-statements-"));
    db = openDatabase(path.join(dir, "anxin.db"), createLogger("silent"));
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("hands out the same statement for the same SQL, a different one for other SQL", () => {
    const sql = "SELECT value FROM meta WHERE key = 'registry_version'";
    const first = db.prepare(sql);
    expect(db.prepare(sql)).toBe(first);
    expect(db.prepare(`${sql} `)).not.toBe(first);
    expect(statementCacheOf(db)?.capacity).toBe(STATEMENT_CACHE_CAPACITY);
  });

  it("keeps a shared statement's shape when one caller plucks, reads raw or expands", () => {
    const sql = "SELECT value, key FROM meta WHERE key = 'registry_version'";
    const shared = db.prepare(sql);
    expect(db.prepare(sql).pluck().get()).toBe(1);
    expect(db.prepare(sql).raw().get()).toEqual([1, "registry_version"]);
    expect(db.prepare(sql).expand().get()).toEqual({ meta: { value: 1, key: "registry_version" } });
    expect(db.prepare(sql).safeIntegers().get()).toEqual({ value: 1n, key: "registry_version" });
    expect(db.prepare(sql)).toBe(shared);
    expect(shared.get()).toEqual({ value: 1, key: "registry_version" });
  });

  it("gives a caller who binds parameters a statement of their own", () => {
    const sql = "SELECT ? AS v";
    const bound = db.prepare(sql).bind(7);
    expect(bound.get()).toEqual({ v: 7 });
    expect(db.prepare(sql).get(8)).toEqual({ v: 8 });
    expect(bound).not.toBe(db.prepare(sql));
  });

  it("hands out a private statement while the shared one is being iterated", () => {
    const sql = "SELECT key FROM meta";
    const iterating = db.prepare(sql);
    const rows: string[] = [];
    for (const row of iterating.iterate() as IterableIterator<{ key: string }>) {
      // Running the same SQL inside the loop would throw "busy" on the shared statement.
      const inner = db.prepare(sql);
      expect(inner).not.toBe(iterating);
      expect(inner.all().length).toBeGreaterThan(0);
      rows.push(row.key);
    }
    expect(rows).toContain("registry_version");
    expect(db.prepare(sql)).toBe(iterating);
  });
});

describe("the statement cache is bounded", () => {
  it("holds at most its capacity, dropping the least recently used SQL first", () => {
    const db = new Database(":memory:");
    try {
      cacheStatements(db, 3);
      const a = db.prepare("SELECT 1");
      const b = db.prepare("SELECT 2");
      db.prepare("SELECT 3");
      expect(db.prepare("SELECT 1")).toBe(a); // used again: now the most recent
      db.prepare("SELECT 4"); // drops SELECT 2, the least recently used
      expect(statementCacheOf(db)?.size).toBe(3);
      expect(db.prepare("SELECT 1")).toBe(a);
      const bAgain = db.prepare("SELECT 2");
      expect(bAgain).not.toBe(b);
      // A dropped statement still works for whoever holds it.
      expect(b.pluck().get()).toBe(2);
      expect(bAgain.get()).toEqual({ 2: 2 });
      // Dynamic SQL (a different text every time) never grows it past the bound.
      for (let i = 0; i < 100; i += 1) db.prepare(`SELECT ${i} AS n`).get();
      expect(statementCacheOf(db)?.size).toBe(3);
    } finally {
      db.close();
    }
  });
});
