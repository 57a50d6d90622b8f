/** The dispatch repository on SQLite; the same suite runs on PostgreSQL in tests/postgres/. */
import { describeDispatchStorage } from "./support/dispatch-storage-suite.ts";
import { sqliteScratch } from "./support/sqlite-scratch.ts";

describeDispatchStorage("SQLite", () => sqliteScratch("anxin-dispatch-storage-"));
