/** The outbox repository on SQLite; the same suite runs on PostgreSQL in tests/postgres/. */
import { describeOutboxStorage } from "./support/outbox-storage-suite.ts";
import { sqliteScratch } from "./support/sqlite-scratch.ts";

describeOutboxStorage("SQLite", () => sqliteScratch("anxin-outbox-storage-"));
