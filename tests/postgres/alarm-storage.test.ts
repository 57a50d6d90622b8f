/** The alarm repository on PostgreSQL: the suite tests/alarm-storage.test.ts runs on SQLite. */
import { describeAlarmStorage } from "../support/alarm-storage-suite.ts";
import { scratchDatabase } from "./scratch-database.ts";

describeAlarmStorage("PostgreSQL", async () => {
  const db = await scratchDatabase("alarms");
  return { sql: db.sql, close: () => db.drop() };
});
