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
import { toPostgresPlaceholders } from "../hub/storage/sql/sql-port.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { describeSqlPort } from "./support/sql-port-suite.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-port-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let files = 0;
describeSqlPort("SQLite", async () => {
  files += 1;
  return new SqliteSql(openDatabase(path.join(dir, `port-${files}.db`), createLogger("silent")));
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
});
