/** Road centre lines on PostgreSQL: the suite runs on SQLite in tests/road-import.test.ts. */
import { describeRoadImport } from "../support/road-import-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeRoadImport("PostgreSQL", async () => {
  const db = await scratchDatabase("roads");
  return { sql: db.sql, close: () => db.drop() };
});
