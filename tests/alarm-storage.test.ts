/** The alarm repository on SQLite; the same suite runs on PostgreSQL in tests/postgres/. */
import { describeAlarmStorage } from "./support/alarm-storage-suite.ts";
import { sqliteScratch } from "./support/sqlite-scratch.ts";

describeAlarmStorage("SQLite", () => sqliteScratch("anxin-alarm-storage-"));
