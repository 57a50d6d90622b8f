/** A migrated SQLite database of its own in a temporary folder, behind the storage port, removed on close. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger } from "../../hub/log.ts";
import { openDatabase } from "../../hub/storage/database.ts";
import { SqliteSql } from "../../hub/storage/sql/sqlite-sql.ts";

export async function sqliteScratch(prefix: string): Promise<{ sql: SqliteSql; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const sql = new SqliteSql(openDatabase(path.join(dir, "anxin.db"), createLogger("silent")));
  return {
    sql,
    async close() {
      await sql.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
