/**
 * The storage port over SQLite (hub/storage/sql/): the behaviour both drivers
 * share (tests/support/sql-port-suite.ts), and the PostgreSQL placeholder
 * rewriting, which needs no server.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { openDatabase } from "../hub/storage/database.ts";
import {
  orderedValues,
  TransactionEndedError,
  toPostgresPlaceholders,
  toPostgresText,
} from "../hub/storage/sql/sql-port.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { describeSqlPort } from "./support/sql-port-suite.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-port-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let files = 0;
const portFile = () => path.join(dir, `port-${files}.db`);
describeSqlPort(
  "SQLite",
  async () => {
    files += 1;
    return new SqliteSql(openDatabase(portFile(), createLogger("silent")));
  },
  async () => new SqliteSql(openDatabase(portFile(), createLogger("silent"))),
);

describe("direct statements beside the port on SQLite", () => {
  it("refuses a direct statement from another context while a port transaction is open, and lets its own context's run inside it", async () => {
    const raw = openDatabase(path.join(dir, "guard.db"), createLogger("silent"));
    const sql = new SqliteSql(raw);
    sql.guardDirectStatements();
    raw.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const open = sql.transaction(async () => {
      // Still-direct code called from the transaction's own work joins it, as it must while code moves over.
      raw.prepare("INSERT INTO t (k) VALUES (?)").run("inside");
      await gate;
      throw new Error("rolled back");
    });
    await Promise.resolve();
    expect(() => raw.prepare("INSERT INTO t (k) VALUES (?)").run("outside")).toThrow(/another context/);
    release();
    await expect(open).rejects.toThrow("rolled back");
    // Nothing of either is left: the inside row went with its transaction, the outside one never ran.
    expect(raw.prepare("SELECT COUNT(*) AS n FROM t").get()).toEqual({ n: 0 });
    raw.prepare("INSERT INTO t (k) VALUES (?)").run("after");
    expect(await sql.all("SELECT k FROM t")).toEqual([{ k: "after" }]);
    await sql.close();
  });
});

describe("placeholders for PostgreSQL", () => {
  it("numbers each ? in order, and leaves those in literals, quoted names and comments alone", () => {
    expect(toPostgresPlaceholders("SELECT * FROM t WHERE a = ? AND b IN (?, ?)")).toBe(
      "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)",
    );
    expect(toPostgresPlaceholders(`SELECT 'it''s ?', "odd?name", ? -- why?\nFROM t /* ? */ WHERE c = ?`)).toBe(
      `SELECT 'it''s ?', "odd?name", $1 -- why?\nFROM t /* ? */ WHERE c = $2`,
    );
  });

  it("numbers each @name by its first use, one $n per name, and orders an object's values to match", () => {
    const text = toPostgresText("SELECT * FROM t WHERE a = @a AND (b = @b OR c = @a) AND d @> '@x' AND e = 'x@y'");
    expect(text).toEqual({
      text: "SELECT * FROM t WHERE a = $1 AND (b = $2 OR c = $1) AND d @> '@x' AND e = 'x@y'",
      names: ["a", "b"],
      positional: 0,
    });
    expect(orderedValues(text, { b: "B", a: 1, unused: 3 })).toEqual([1, "B"]);
    expect(() => orderedValues(text, { a: 1 })).toThrow('missing named parameter "b"');
    expect(() => orderedValues(text, [1, 2])).toThrow("takes an object");
    expect(() => toPostgresText("SELECT ? , @a")).toThrow("both ? and @name");
    expect(() => orderedValues(toPostgresText("SELECT ?"), { a: 1 })).toThrow("takes an array");
    expect(orderedValues(toPostgresText("SELECT 1"), {})).toEqual([]);
  });
});

describe("a transaction SQLite ends by itself", () => {
  it("rejects with TransactionEndedError carrying the engine's code, so the log line says why", async () => {
    const sql = new SqliteSql(openDatabase(path.join(dir, "ended.db"), createLogger("silent")));
    await sql.exec(
      "CREATE TABLE t (k TEXT PRIMARY KEY); " +
        "CREATE TRIGGER t_refused BEFORE INSERT ON t WHEN NEW.k = 'refused' BEGIN SELECT RAISE(ROLLBACK, 'refused by the engine'); END",
    );
    // RAISE(ROLLBACK) ends the whole transaction from inside a statement, as SQLITE_FULL or an I/O error does.
    const ended = sql.transaction(async (tx) => {
      await tx.run("INSERT INTO t (k) VALUES (?)", ["kept until the end"]);
      await tx.transaction((inner) => inner.run("INSERT INTO t (k) VALUES (?)", ["refused"]));
    });
    const error = await ended.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(TransactionEndedError);
    expect((error as TransactionEndedError).code).toBe("SQLITE_CONSTRAINT_TRIGGER");
    expect(JSON.stringify(error)).toContain("SQLITE_CONSTRAINT_TRIGGER");
    expect(await sql.all("SELECT k FROM t")).toEqual([]);
    await sql.close();
  });
});
