/**
 * Brings a PostgreSQL database to the hub's schema: the baseline (version 19,
 * hub/storage/migrations/postgres/baseline.ts), then every later migration's
 * PostgreSQL text. All of it in one transaction (PostgreSQL's DDL is
 * transactional: a migration that fails leaves nothing behind), under a
 * transaction-scoped advisory lock, so hubs that start together migrate once:
 * the others wait for the lock and then find the work done.
 *
 * The version is a one-row table; SQLite keeps it in `PRAGMA user_version`.
 */
import { MIGRATIONS } from "../migrations/index.ts";
import { POSTGRES_BASELINE_SQL, POSTGRES_BASELINE_VERSION } from "../migrations/postgres/baseline.ts";
import type { SqlDatabase } from "./sql-port.ts";

/** The advisory lock's key: any constant the hub uses for nothing else ("anxin" in ASCII). */
const MIGRATION_LOCK = 0x616e78696e;

export interface MigrationOutcome {
  from: number;
  to: number;
}

export async function migratePostgres(db: SqlDatabase): Promise<MigrationOutcome> {
  if (db.dialect !== "postgres") throw new Error("migratePostgres needs a PostgreSQL database");
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  return db.transaction(async () => {
    await db.get(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = await db.get<{ version: number }>("SELECT version FROM schema_version");
    const from = row?.version ?? 0;
    if (from > latest) {
      throw new Error(`the database's schema is version ${from}, newer than this hub's ${latest}: upgrade the hub`);
    }
    if (from < POSTGRES_BASELINE_VERSION) await db.exec(POSTGRES_BASELINE_SQL);
    for (const migration of MIGRATIONS) {
      if (migration.version <= Math.max(from, POSTGRES_BASELINE_VERSION)) continue;
      if (migration.postgres === undefined) {
        throw new Error(`migration ${migration.version} (${migration.name}) has no PostgreSQL text`);
      }
      await db.exec(migration.postgres);
    }
    const to = Math.max(latest, POSTGRES_BASELINE_VERSION);
    if (row) await db.run("UPDATE schema_version SET version = ?", [to]);
    else await db.run("INSERT INTO schema_version (version) VALUES (?)", [to]);
    return { from, to };
  });
}
