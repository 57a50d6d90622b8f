/** The relatives' cascade storage on PostgreSQL: the suite tests/relatives-storage.test.ts runs on SQLite. */
import { describeRelativesStorage } from "../support/relatives-storage-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeRelativesStorage("PostgreSQL", async () => {
  const db = await scratchDatabase("relatives");
  return { sql: db.sql, close: () => db.drop() };
});
