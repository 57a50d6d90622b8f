/** The console's read models on SQLite; the same suite runs on PostgreSQL in tests/postgres/read-models.test.ts. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger } from "../hub/log.ts";
import { openDatabase } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { describeReadModels } from "./support/read-models-suite.ts";

describeReadModels("SQLite", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-reads-"));
  const sql = new SqliteSql(openDatabase(path.join(dir, "anxin.db"), createLogger("silent")));
  return {
    sql,
    async close() {
      await sql.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
