/**
 * The storage port (sql-port.ts) over better-sqlite3: the embedded default.
 *
 * SQLite has one connection here, so one transaction at a time holds it. A
 * statement from the holder's async context runs at once; one from any other
 * context waits until the connection is free (else it would run inside, and be
 * rolled back with, a transaction that is not its own). When nothing holds the
 * connection, a statement runs synchronously and its promise is already
 * settled: the port costs SQLite a promise, not a round trip.
 *
 * While the hub's code moves onto the port (docs/scale-out.md, "Order of
 * work"), some of it still prepares statements on the connection directly.
 * `guardDirectStatements` makes such a statement fail loudly when it would run
 * inside a port transaction of another async context (it would be committed or
 * rolled back with a transaction that is not its own), instead of silently
 * joining it.
 *
 * Transactions begin IMMEDIATE: the write lock is taken before the first read,
 * so another process writing the same file cannot make a later write of the
 * transaction fail half-way (as in group-commit.ts).
 */
import type Database from "better-sqlite3";
import { AnxinError } from "../../errors.ts";
import type { Db } from "../database.ts";
import {
  type RunResult,
  type SqlDatabase,
  type SqlParams,
  type SqlSession,
  TransactionEndedError,
} from "./sql-port.ts";
import { type Frame, runAfterCommit, TransactionFrames } from "./transaction-frames.ts";

export class SqliteSql implements SqlDatabase {
  readonly dialect = "sqlite" as const;
  private readonly db: Db;
  /** The connection's own `prepare` (statement-cache.ts), kept apart from the guarded one code outside calls. */
  private readonly prepare: (source: string) => Database.Statement;
  private guarded = false;
  private readonly frames = new TransactionFrames<null>();
  /** Set while a transaction holds the connection. */
  private held = false;
  /** Statements and transactions of other contexts, waiting for the connection to be free. */
  private readonly waiting: (() => void)[] = [];

  constructor(db: Db) {
    this.db = db;
    this.prepare = db.prepare.bind(db);
  }

  /** From now on a direct statement (`db.prepare`) that would join another context's port transaction throws. */
  guardDirectStatements(): void {
    if (this.guarded) return;
    this.guarded = true;
    const prepare = this.prepare;
    this.db.prepare = ((source: string) => {
      if (this.held) {
        if (!this.inTransaction()) {
          throw new AnxinError(
            "STORAGE_FAILED",
            "a direct statement ran while a storage-port transaction of another context held the connection",
          );
        }
        this.assertTransactionOpen();
      }
      return prepare(source);
    }) as Db["prepare"];
  }

  inTransaction(): boolean {
    return this.frames.current() !== undefined;
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return this.statement(() => args(this.prepare(sql), params, "get") as T | undefined);
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return this.statement(() => args(this.prepare(sql), params, "all") as T[]);
  }

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return this.statement(() => ({ changes: (args(this.prepare(sql), params, "run") as Database.RunResult).changes }));
  }

  exec(sql: string): Promise<void> {
    return this.statement(() => {
      this.db.exec(sql);
    });
  }

  async transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const parent = this.frames.current();
    if (parent) return this.savepoint(parent, work);
    return this.outermost("BEGIN IMMEDIATE", () => work(this));
  }

  snapshot<T>(work: () => Promise<T>): Promise<T> {
    if (this.frames.current()) return work();
    // Deferred: the snapshot starts at the first read and never takes the write lock.
    return this.outermost("BEGIN", work);
  }

  private async outermost<T>(begin: string, work: () => Promise<T>): Promise<T> {
    while (this.held) await this.connectionFree();
    this.held = true;
    let result: { value: T; afterCommit: (() => void)[] };
    try {
      this.prepare(begin).run();
      try {
        result = await this.frames.runTransaction(null, work);
      } catch (error) {
        if (this.db.inTransaction) this.prepare("ROLLBACK").run();
        throw error;
      }
      try {
        this.prepare("COMMIT").run();
      } catch (error) {
        // A commit that failed (I/O error, disk full) may leave the transaction open: nothing of it holds.
        if (this.db.inTransaction) this.prepare("ROLLBACK").run();
        throw error;
      }
    } finally {
      this.held = false;
      // Every waiter looks again: a statement runs at once, the first transaction takes the connection
      // and the ones after it wait again.
      for (const wake of this.waiting.splice(0)) wake();
    }
    runAfterCommit(result.afterCommit);
    return result.value;
  }

  afterCommit(callback: () => void): void {
    this.frames.afterCommit(callback);
  }

  async close(): Promise<void> {
    while (this.held) await this.connectionFree();
    this.db.close();
  }

  private savepoint<T>(parent: Frame<null>, work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.frames.runSavepoint(parent, async (depth, enter) => {
      // One name per depth: SQLite releases the innermost savepoint of a name, and the texts stay few.
      const name = `anxin_sp_${depth}`;
      this.prepare(`SAVEPOINT ${name}`).run();
      try {
        const result = await enter(null, () => work(this));
        this.prepare(`RELEASE ${name}`).run();
        return result;
      } catch (error) {
        // SQLite may have rolled back the whole transaction itself (SQLITE_FULL): then there is no savepoint.
        if (!this.db.inTransaction)
          throw error instanceof TransactionEndedError ? error : new TransactionEndedError(error);
        this.prepare(`ROLLBACK TO ${name}`).run();
        this.prepare(`RELEASE ${name}`).run();
        throw error;
      }
    });
  }

  /** Runs at once inside the holder's context or when the connection is free; otherwise once it is. */
  private statement<T>(run: () => T): Promise<T> {
    if (this.held && !this.inTransaction()) return this.connectionFree().then(() => this.statement(run));
    try {
      if (this.held) this.assertTransactionOpen();
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Inside a transaction's work: the connection must still be in it, or the statement would commit on its own. */
  private assertTransactionOpen(): void {
    if (!this.db.inTransaction) throw new TransactionEndedError("a statement found no transaction open");
  }

  private connectionFree(): Promise<void> {
    if (!this.held) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** Runs a statement with `?` values spread or `@name` values as one object, as better-sqlite3 takes them. */
function args(statement: Database.Statement, params: SqlParams, method: "get" | "all" | "run"): unknown {
  return Array.isArray(params) ? statement[method](...params) : statement[method](params);
}
