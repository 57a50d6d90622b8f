/** The dispatch repository on PostgreSQL: the suite tests/dispatch-storage.test.ts runs on SQLite. */
import { describeDispatchStorage } from "../support/dispatch-storage-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeDispatchStorage("PostgreSQL", async () => {
  const db = await scratchDatabase("dispatch");
  return { sql: db.sql, close: () => db.drop() };
});
