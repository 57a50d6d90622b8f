/**
 * Every statement is compiled once per connection, not once per call.
 *
 * The hub writes `db.prepare(sql).run(...)` at the call site, which reads well
 * but made SQLite parse and plan the same text again on every call (12% of the
 * CPU at 100 presses/s, issue 12). `cacheStatements` replaces the connection's
 * `prepare` by one that hands out the statement already compiled for that exact
 * SQL text, so no call site had to change.
 *
 * A shared statement must look the same to every caller:
 * - Its modes never change. `pluck()`, `raw()`, `expand()`, `safeIntegers()` and
 *   `bind()` on a shared statement return a private statement of the caller's
 *   own, with that mode or those parameters; the shared one stays as it was.
 *   Use them chained (`db.prepare(sql).pluck().get()`), as the code does.
 * - A statement being iterated (`iterate()`) cannot be run again until the
 *   iteration ends; while it is `busy`, `prepare` hands out a private one.
 * - SQL built at run time (IN lists, optional filters) would otherwise fill the
 *   cache without end: it holds at most `capacity` statements and drops the
 *   least recently used one first. A dropped statement is still valid for
 *   whoever holds it; it is only compiled again when next asked for.
 */
import type Database from "better-sqlite3";

type Statement = Database.Statement<unknown[], unknown>;
type Prepare = (source: string) => Statement;

/** Distinct SQL texts the hub prepares are about 300; the rest of the room is for dynamic SQL. */
export const STATEMENT_CACHE_CAPACITY = 1000;

/** The methods that change a statement for every later user; on a shared one they make a private copy. */
const CHANGING_METHODS = ["pluck", "raw", "expand", "safeIntegers", "bind"] as const;

export interface StatementCache {
  readonly size: number;
  readonly capacity: number;
}

const caches = new WeakMap<Database.Database, StatementCache>();

/** The cache installed on this connection, if any (for tests and diagnostics). */
export function statementCacheOf(db: Database.Database): StatementCache | undefined {
  return caches.get(db);
}

/** Installs the caching `prepare` on this connection; idempotent. */
export function cacheStatements(db: Database.Database, capacity = STATEMENT_CACHE_CAPACITY): void {
  if (caches.has(db)) return;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`statement cache capacity ${capacity}`);
  const compile: Prepare = db.prepare.bind(db) as Prepare;
  const statements = new Map<string, Statement>();

  const share = (sql: string, statement: Statement): Statement => {
    for (const method of CHANGING_METHODS) {
      Object.defineProperty(statement, method, {
        value: (...args: unknown[]): Statement => {
          const own = compile(sql);
          const change = own[method] as (this: Statement, ...a: unknown[]) => Statement;
          return change.apply(own, args);
        },
      });
    }
    return statement;
  };

  const prepare = (sql: string): Statement => {
    const cached = statements.get(sql);
    if (cached !== undefined) {
      if (cached.busy) return compile(sql);
      // Least recently used first: a hit moves to the end of the Map's order.
      statements.delete(sql);
      statements.set(sql, cached);
      return cached;
    }
    const statement = share(sql, compile(sql));
    statements.set(sql, statement);
    if (statements.size > capacity) {
      const oldest = statements.keys().next().value;
      if (oldest !== undefined) statements.delete(oldest);
    }
    return statement;
  };

  db.prepare = prepare as Database.Database["prepare"];
  caches.set(db, {
    get size() {
      return statements.size;
    },
    capacity,
  });
}
