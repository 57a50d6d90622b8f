/** The outbox repository on PostgreSQL: the suite tests/outbox-storage.test.ts runs on SQLite. */
import { describeOutboxStorage } from "../support/outbox-storage-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeOutboxStorage("PostgreSQL", async () => {
  const db = await scratchDatabase("outbox");
  return { sql: db.sql, close: () => db.drop() };
});
