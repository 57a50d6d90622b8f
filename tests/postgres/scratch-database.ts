/**
 * A database of its own for one PostgreSQL test file, created in the server the
 * suites run against (tests/postgres/postgres-url.ts), migrated to the hub's
 * schema, and dropped afterwards, so files can run side by side.
 */
import { migratePostgres } from "../../hub/storage/sql/migrate-postgres.ts";
import { PostgresSql } from "../../hub/storage/sql/postgres-sql.ts";
import { postgresTestUrl } from "./postgres-url.ts";

export interface ScratchDatabase {
  url: string;
  sql: PostgresSql;
  /** Closes `sql` and drops the database. */
  drop(): Promise<void>;
}

let created = 0;

export async function scratchDatabase(prefix: string, options: { migrate?: boolean } = {}): Promise<ScratchDatabase> {
  created += 1;
  const name = `anxin_${prefix}_${process.pid}_${Date.now()}_${created}`;
  const admin = new PostgresSql(postgresTestUrl(), { max: 1 });
  await admin.exec(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(postgresTestUrl());
  url.pathname = `/${name}`;
  const sql = new PostgresSql(url.toString(), { max: 4 });
  if (options.migrate !== false) await migratePostgres(sql);
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.close();
      const cleanup = new PostgresSql(postgresTestUrl(), { max: 1 });
      await cleanup.exec(`DROP DATABASE IF EXISTS ${name}`);
      await cleanup.close();
    },
  };
}
