/** The lifecycle repository on SQLite; the same suite runs on PostgreSQL in tests/postgres/. */
import { describeLifecycleStorage } from "./support/lifecycle-storage-suite.ts";
import { sqliteScratch } from "./support/sqlite-scratch.ts";

describeLifecycleStorage("SQLite", () => sqliteScratch("anxin-lifecycle-storage-"));
