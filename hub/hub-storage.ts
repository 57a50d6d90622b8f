/**
 * The hub's storage: the storage port, the repositories, and the event bus.
 * The hub, and the tests and benchmarks that wire parts without starting a
 * hub, all build it here, so none of them gets it subtly different.
 *
 * - SQLite (the embedded default): one connection, the port over it (guarded
 *   so that code still on the connection directly cannot join a port
 *   transaction that is not its own), and the in-memory busy-worker mirror.
 * - PostgreSQL (`ANXIN_DATABASE_URL`): a pool, migrated at open under an
 *   advisory lock (hubs starting together migrate once), busy workers read
 *   from the tables, so every node's writes count, and the background jobs led
 *   by one hub at a time (storage/job-leadership.ts).
 */
import type { Logger } from "pino";
import { BusyFromTables } from "./dispatch/busy-source.ts";
import { BusyWorkers } from "./dispatch/busy-workers.ts";
import { EventBus } from "./events.ts";
import type { HubStorage } from "./hub-parts.ts";
import { PostgresClusterFeed, SoleHubFeed } from "./realtime/cluster-feed.ts";
import { AlarmRepository } from "./storage/alarm-repo.ts";
import type { Db } from "./storage/database.ts";
import { AdvisoryLeadership, SoleHub } from "./storage/job-leadership.ts";
import { OutboxRepository } from "./storage/outbox-repo.ts";
import { RegistryRepository } from "./storage/registry-repo.ts";
import { migratePostgres } from "./storage/sql/migrate-postgres.ts";
import { PostgresSql } from "./storage/sql/postgres-sql.ts";
import type { SqlDatabase } from "./storage/sql/sql-port.ts";
import { SqliteSql } from "./storage/sql/sqlite-sql.ts";
import { UserRepository } from "./storage/user-repo.ts";

/** How often a hub that does not lead the jobs tries to, and the leader checks it still holds them. */
const JOBS_LEADERSHIP_RETRY_MS = 1000;

export function hubStorage(db: Db, logger: Logger): HubStorage {
  const sql = new SqliteSql(db);
  sql.guardDirectStatements();
  return {
    ...repositories(sql, logger),
    db,
    busy: BusyWorkers.of(db),
    leadership: new SoleHub(),
    cluster: new SoleHubFeed(),
  };
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
  const leadership = new AdvisoryLeadership(
    { session: new PostgresSql(url, { max: 1, keepConnections: true }), logger: logger.child({ part: "leadership" }) },
    { retryMs: JOBS_LEADERSHIP_RETRY_MS, checkMs: JOBS_LEADERSHIP_RETRY_MS },
  );
  const cluster = new PostgresClusterFeed({ sql, logger: logger.child({ part: "cluster-feed" }) });
  return { ...repositories(sql, logger), db: null, busy: new BusyFromTables(sql), leadership, cluster };
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
