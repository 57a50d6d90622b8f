/** The relatives' cascade storage on SQLite; the same suite runs on PostgreSQL in tests/postgres/. */
import { describeRelativesStorage } from "./support/relatives-storage-suite.ts";
import { sqliteScratch } from "./support/sqlite-scratch.ts";

describeRelativesStorage("SQLite", () => sqliteScratch("anxin-relatives-"));
