import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Logger } from "pino";
import { MIGRATIONS } from "./migrations/index.ts";
import { cacheStatements } from "./statement-cache.ts";

export type Db = Database.Database;

/**
 * Opens the hub database. WAL lets readers (the API) run beside the writer
 * (the pipeline); `synchronous=FULL` makes a commit survive power loss, which
 * is what "stored before acknowledged" has to mean for an alarm. Statements
 * are compiled once per connection (statement-cache.ts).
 */
export function openDatabase(file: string, logger: Logger): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db, logger);
  cacheStatements(db);
  return db;
}

/** Runs the migrations above the database's version, up to `upTo` (a test brings a database to an older version). */
export function migrate(db: Db, logger: Logger, upTo = Number.POSITIVE_INFINITY): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > upTo) continue;
    // foreign_keys can only be switched outside a transaction.
    if (migration.rebuildsTables) db.pragma("foreign_keys = OFF");
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        if (migration.rebuildsTables) {
          const violations = db.pragma("foreign_key_check") as unknown[];
          if (violations.length > 0) {
            throw new Error(`migration ${migration.version} broke ${violations.length} foreign keys`);
          }
        }
        db.pragma(`user_version = ${migration.version}`);
      })();
    } finally {
      if (migration.rebuildsTables) db.pragma("foreign_keys = ON");
    }
    logger.info({ version: migration.version, name: migration.name }, "database migrated");
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
