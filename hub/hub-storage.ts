/**
 * The hub's storage, opened on one SQLite connection: the storage port over it
 * (guarded so that code still on the connection directly cannot join a port
 * transaction that is not its own), the repositories, and the event bus. The
 * hub, and the tests and benchmarks that wire parts without starting a hub,
 * all build it here, so none of them gets it subtly different.
 */
import type { Logger } from "pino";
import { EventBus } from "./events.ts";
import type { HubStorage } from "./hub-parts.ts";
import { AlarmRepository } from "./storage/alarm-repo.ts";
import type { Db } from "./storage/database.ts";
import { OutboxRepository } from "./storage/outbox-repo.ts";
import { RegistryRepository } from "./storage/registry-repo.ts";
import { SqliteSql } from "./storage/sql/sqlite-sql.ts";
import { UserRepository } from "./storage/user-repo.ts";

export function hubStorage(db: Db, logger: Logger): HubStorage {
  const sql = new SqliteSql(db);
  sql.guardDirectStatements();
  return {
    db,
    sql,
    registry: new RegistryRepository(sql),
    alarms: new AlarmRepository(sql),
    outbox: new OutboxRepository(sql),
    users: new UserRepository(sql),
    bus: new EventBus(logger),
  };
}
