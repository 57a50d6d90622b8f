/** Device supervision's storage on SQLite; the same suite runs on PostgreSQL in tests/postgres/. */

import { sqliteScratch } from "./support/sqlite-scratch.ts";
import { describeSupervisionStorage } from "./support/supervision-storage-suite.ts";

describeSupervisionStorage("SQLite", () => sqliteScratch("anxin-supervision-"));
