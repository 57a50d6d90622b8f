/**
 * The storage port: one asynchronous interface to SQLite (better-sqlite3, the
 * embedded default) and PostgreSQL (postgres.js, `ANXIN_DATABASE_URL`), so that
 * one set of repositories serves both (docs/scale-out.md). Nothing uses it yet
 * but its tests: the repositories move onto it in the next steps.
 *
 * - SQL is written once, with `?` placeholders, in the subset both dialects
 *   speak (`INSERT … ON CONFLICT DO NOTHING`, `RETURNING id` for a new row's
 *   id). The PostgreSQL driver rewrites `?` to `$1…$n` once per distinct text.
 * - `transaction(work)` runs `work` in a transaction, or in a savepoint when
 *   called inside one. While `work` runs, every statement made in its async
 *   context, through this port or the session it gets, joins that transaction:
 *   a repository holding the port needs no transaction handle passed down, as
 *   with better-sqlite3 today. Statements from other async contexts never see or
 *   join it (SQLite: they wait until it ends; PostgreSQL: they use another
 *   connection and see only what is committed).
 * - A throw inside `work` rolls back its transaction (or savepoint) and is
 *   passed on; a transaction commits only when `work` resolved.
 */

export type SqlDialect = "sqlite" | "postgres";

/** What a placeholder takes: numbers are doubles, ids fit in them (2^53). */
export type SqlValue = string | number | bigint | null | Buffer;

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
}

export interface SqlSession {
  readonly dialect: SqlDialect;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Several statements separated by `;`, without parameters (schema, migrations). */
  exec(sql: string): Promise<void>;
  /** A transaction, or a savepoint inside the current one; see the file's comment. */
  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
}

export interface SqlDatabase extends SqlSession {
  /** True while the calling async context is inside a transaction of this database. */
  inTransaction(): boolean;
  close(): Promise<void>;
}

const postgresTexts = new Map<string, string>();
/** Distinct SQL texts kept rewritten; dynamic SQL beyond this is rewritten on every call. */
const POSTGRES_TEXT_CACHE = 2000;

/**
 * `?` → `$1…$n` for PostgreSQL, leaving those inside string literals, quoted
 * identifiers and comments alone. Cached per text: the hub's texts are few and fixed.
 */
export function toPostgresPlaceholders(sql: string): string {
  const cached = postgresTexts.get(sql);
  if (cached !== undefined) return cached;
  let out = "";
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "?") {
      n += 1;
      out += `$${n}`;
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  if (postgresTexts.size < POSTGRES_TEXT_CACHE) postgresTexts.set(sql, out);
  return out;
}

/** Index just past the quote that closes the one at `start` (a doubled quote is an escaped one). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}
