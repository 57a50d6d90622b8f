/** Bulk import and export on PostgreSQL: the suite runs on SQLite in tests/registry-import.test.ts. */
import { describeRegistryImport } from "../support/registry-import-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeRegistryImport("PostgreSQL", async () => {
  const db = await scratchDatabase("import");
  return { sql: db.sql, close: () => db.drop() };
});
