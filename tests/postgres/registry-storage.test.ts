/** Accounts and the registry on PostgreSQL: the suite runs on SQLite in tests/registry-storage.test.ts. */
import { describeRegistryStorage } from "../support/registry-storage-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeRegistryStorage("PostgreSQL", async () => {
  const db = await scratchDatabase("registry");
  return { sql: db.sql, close: () => db.drop() };
});
