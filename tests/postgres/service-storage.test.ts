/** The service-request repository on PostgreSQL: the suite tests/service-requests.test.ts runs on SQLite. */
import { describeServiceStorage } from "../support/service-storage-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeServiceStorage("PostgreSQL", async () => {
  const db = await scratchDatabase("service");
  return { sql: db.sql, close: () => db.drop() };
});
