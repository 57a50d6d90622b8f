/** Device supervision's storage on PostgreSQL: the suite tests/supervision-storage.test.ts runs on SQLite. */
import { describeSupervisionStorage } from "../support/supervision-storage-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeSupervisionStorage("PostgreSQL", async () => {
  const db = await scratchDatabase("supervision");
  return { sql: db.sql, close: () => db.drop() };
});
