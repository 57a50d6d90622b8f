/** Road centre lines on a real SQLite file: the suite runs on PostgreSQL in tests/postgres/road-import.test.ts. */

import { openSqliteRegistry } from "./support/registry-fixtures.ts";
import { describeRoadImport } from "./support/road-import-suite.ts";

describeRoadImport("SQLite", openSqliteRegistry);
