/**
 * The hub's database for the command-line tools (`npm run users`, `npm run
 * registry`), on the engine the hub itself uses: PostgreSQL when
 * `ANXIN_DATABASE_URL` is set (as it is for the hub; never taken as an argument,
 * which would show its password in `ps` and shell history), else the SQLite
 * file in the data directory. Either way the tools work through the storage
 * port, so they change the registry and the accounts exactly as the console does.
 */
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { openDatabase } from "./storage/database.ts";
import { databaseUrlProblem } from "./storage/sql/database-url.ts";
import { migratePostgres } from "./storage/sql/migrate-postgres.ts";
import { PostgresSql } from "./storage/sql/postgres-sql.ts";
import type { SqlDatabase } from "./storage/sql/sql-port.ts";
import { SqliteSql } from "./storage/sql/sqlite-sql.ts";

/** A database the tool cannot use as asked: the message says what to point where. */
export class DatabaseChoiceError extends Error {}

export interface CliDatabase {
  sql: SqlDatabase;
  /** Which database, for messages: the SQLite file, or PostgreSQL's host and database (never the credentials). */
  where: string;
  /** True when this open made the database (a new SQLite file or an empty PostgreSQL database got the schema). */
  created: boolean;
}

export interface CliDatabaseChoice {
  /** The hub's data directory: where the SQLite file is. */
  dataDir: string;
  /** `ANXIN_DATABASE_URL`, or null for SQLite. */
  databaseUrl: string | null;
  /** May the tool make the database (and its schema) when there is none yet? */
  mayCreate: boolean;
  /** Said after "no hub database at …" when the tool may not make one. */
  missingHint: string;
  logger: Logger;
}

/** PostgreSQL's connections for a tool: one at a time does its work, one more for a snapshot read. */
const TOOL_POOL = 2;

export async function openCliDatabase(choice: CliDatabaseChoice): Promise<CliDatabase> {
  if (choice.databaseUrl !== null) return openPostgres(choice.databaseUrl, choice);
  const file = path.join(choice.dataDir, "anxin.db");
  const exists = fs.existsSync(file);
  if (!exists && !choice.mayCreate) throw new DatabaseChoiceError(`no hub database at ${file}: ${choice.missingHint}`);
  return { sql: new SqliteSql(openDatabase(file, choice.logger)), where: file, created: !exists };
}

async function openPostgres(url: string, choice: CliDatabaseChoice): Promise<CliDatabase> {
  const problem = databaseUrlProblem(url);
  if (problem) throw new DatabaseChoiceError(`ANXIN_DATABASE_URL: ${problem}`);
  const parsed = new URL(url);
  const where = `PostgreSQL database ${decodeURIComponent(parsed.pathname.slice(1))} on ${parsed.host}`;
  const sql = new PostgresSql(url, { max: TOOL_POOL });
  try {
    const schema = await sql.get<{ name: string | null }>("SELECT to_regclass('schema_version')::text AS name");
    const empty = (schema?.name ?? null) === null;
    if (empty && !choice.mayCreate)
      throw new DatabaseChoiceError(`no hub schema in the ${where}: ${choice.missingHint}`);
    // As the hub does at start (and as opening the SQLite file does): an older schema is brought up to date.
    await migratePostgres(sql);
    return { sql, where, created: empty };
  } catch (error) {
    await sql.close();
    throw error;
  }
}
