/** Accounts and the registry on SQLite: the suite (tests/support/registry-storage-suite.ts) runs on PostgreSQL too. */
import { describeRegistryStorage } from "./support/registry-storage-suite.ts";
import { sqliteScratch } from "./support/sqlite-scratch.ts";

describeRegistryStorage("SQLite", () => sqliteScratch("anxin-registry-storage-"));
