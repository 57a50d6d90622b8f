/** Bulk import and export on a real SQLite file: the suite runs on PostgreSQL in tests/postgres/registry-import.test.ts. */

import { openSqliteRegistry } from "./support/registry-fixtures.ts";
import { describeRegistryImport } from "./support/registry-import-suite.ts";

describeRegistryImport("SQLite", openSqliteRegistry);
