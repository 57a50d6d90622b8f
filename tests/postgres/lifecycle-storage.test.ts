/** The lifecycle repository on PostgreSQL: the suite tests/lifecycle-storage.test.ts runs on SQLite. */
import { describeLifecycleStorage } from "../support/lifecycle-storage-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeLifecycleStorage("PostgreSQL", async () => {
  const db = await scratchDatabase("lifecycle");
  return { sql: db.sql, close: () => db.drop() };
});
