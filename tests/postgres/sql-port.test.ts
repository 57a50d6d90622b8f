/**
 * The storage port over a real PostgreSQL (`npm run test:postgres`, which
 * `.ci/run` gives a throwaway cluster; see .ci/postgres.sh). The same
 * behaviour as on SQLite (tests/support/sql-port-suite.ts).
 */
import { PostgresSql } from "../../hub/storage/sql/postgres-sql.ts";
import { describeSqlPort } from "../support/sql-port-suite.ts";
import { postgresTestUrl } from "./postgres-url.ts";

describeSqlPort(
  "PostgreSQL",
  async () => new PostgresSql(postgresTestUrl(), { max: 4 }),
  async () => new PostgresSql(postgresTestUrl(), { max: 1 }),
);
