/** The console's read models on PostgreSQL: the suite tests/read-models.test.ts runs on SQLite. */
import { describeReadModels } from "../support/read-models-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeReadModels("PostgreSQL", async () => {
  const db = await scratchDatabase("reads");
  return { sql: db.sql, close: () => db.drop() };
});
