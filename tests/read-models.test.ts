/** The console's read models on SQLite; the same suite runs on PostgreSQL in tests/postgres/read-models.test.ts. */
import { describeReadModels } from "./support/read-models-suite.ts";
import { sqliteScratch } from "./support/sqlite-scratch.ts";

describeReadModels("SQLite", () => sqliteScratch("anxin-reads-"));
