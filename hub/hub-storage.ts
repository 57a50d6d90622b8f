/**
 * The hub's storage: the storage port, the repositories, and the event bus.
 * The hub, and the tests and benchmarks that wire parts without starting a
 * hub, all build it here, so none of them gets it subtly different.
 *
 * - SQLite (the embedded default): one connection, the port over it (guarded
 *   so that code still on the connection directly cannot join a port
 *   transaction that is not its own), and the in-memory busy-worker mirror.
 * - PostgreSQL (`ANXIN_DATABASE_URL`): a pool, migrated at open under an
 *   advisory lock (hubs starting together migrate once), and busy workers read
 *   from the tables, so every node's writes count.
 */
import type { Logger } from "pino";
import { BusyFromTables } from "./dispatch/busy-source.ts";
import { BusyWorkers } from "./dispatch/busy-workers.ts";
import { EventBus } from "./events.ts";
import type { HubStorage } from "./hub-parts.ts";
import { AlarmRepository } from "./storage/alarm-repo.ts";
import type { Db } from "./storage/database.ts";
import { OutboxRepository } from "./storage/outbox-repo.ts";
import { RegistryRepository } from "./storage/registry-repo.ts";
import { migratePostgres } from "./storage/sql/migrate-postgres.ts";
import { PostgresSql } from "./storage/sql/postgres-sql.ts";
import type { SqlDatabase } from "./storage/sql/sql-port.ts";
import { SqliteSql } from "./storage/sql/sqlite-sql.ts";
import { UserRepository } from "./storage/user-repo.ts";

export function hubStorage(db: Db, logger: Logger): HubStorage {
  const sql = new SqliteSql(db);
  sql.guardDirectStatements();
  return { ...repositories(sql, logger), db, busy: BusyWorkers.of(db) };
}

/** Opens and migrates the PostgreSQL database at `url`; the pool is closed again if that fails. */
export async function postgresHubStorage(url: string, logger: Logger): Promise<HubStorage> {
  const sql = new PostgresSql(url);
  try {
    const migrated = await migratePostgres(sql);
    logger.info({ schemaFrom: migrated.from, schemaTo: migrated.to }, "PostgreSQL database ready");
  } catch (error) {
    await sql.close();
    throw error;
  }
  return { ...repositories(sql, logger), db: null, busy: new BusyFromTables(sql) };
}

function repositories(sql: SqlDatabase, logger: Logger) {
  return {
    sql,
    registry: new RegistryRepository(sql),
    alarms: new AlarmRepository(sql),
    outbox: new OutboxRepository(sql),
    users: new UserRepository(sql),
    bus: new EventBus(logger),
  };
}
