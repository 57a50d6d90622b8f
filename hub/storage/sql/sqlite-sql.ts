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
 * Transactions begin IMMEDIATE: the write lock is taken before the first read,
 * so another process writing the same file cannot make a later write of the
 * transaction fail half-way (as in group-commit.ts).
 */
import type { Db } from "../database.ts";
import type { RunResult, SqlDatabase, SqlSession, SqlValue } from "./sql-port.ts";
import { type Frame, TransactionFrames } from "./transaction-frames.ts";

export class SqliteSql implements SqlDatabase {
  readonly dialect = "sqlite" as const;
  private readonly db: Db;
  private readonly frames = new TransactionFrames<null>();
  /** Set while a transaction holds the connection. */
  private held = false;
  /** Statements and transactions of other contexts, waiting for the connection to be free. */
  private readonly waiting: (() => void)[] = [];

  constructor(db: Db) {
    this.db = db;
  }

  inTransaction(): boolean {
    return this.frames.current() !== undefined;
  }

  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.statement(() => this.db.prepare(sql).get(...params) as T | undefined);
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.statement(() => this.db.prepare(sql).all(...params) as T[]);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return this.statement(() => ({ changes: this.db.prepare(sql).run(...params).changes }));
  }

  exec(sql: string): Promise<void> {
    return this.statement(() => {
      this.db.exec(sql);
    });
  }

  async transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const parent = this.frames.current();
    if (parent) return this.savepoint(parent, work);
    while (this.held) await this.connectionFree();
    this.held = true;
    try {
      this.db.prepare("BEGIN IMMEDIATE").run();
      let result: T;
      try {
        result = await this.frames.runTransaction(null, () => work(this));
      } catch (error) {
        if (this.db.inTransaction) this.db.prepare("ROLLBACK").run();
        throw error;
      }
      try {
        this.db.prepare("COMMIT").run();
      } catch (error) {
        // A commit that failed (I/O error, disk full) may leave the transaction open: nothing of it holds.
        if (this.db.inTransaction) this.db.prepare("ROLLBACK").run();
        throw error;
      }
      return result;
    } finally {
      this.held = false;
      // Every waiter looks again: a statement runs at once, the first transaction takes the connection
      // and the ones after it wait again.
      for (const wake of this.waiting.splice(0)) wake();
    }
  }

  async close(): Promise<void> {
    while (this.held) await this.connectionFree();
    this.db.close();
  }

  private savepoint<T>(parent: Frame<null>, work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.frames.runSavepoint(parent, async (depth, enter) => {
      // One name per depth: SQLite releases the innermost savepoint of a name, and the texts stay few.
      const name = `anxin_sp_${depth}`;
      this.db.prepare(`SAVEPOINT ${name}`).run();
      try {
        const result = await enter(null, () => work(this));
        this.db.prepare(`RELEASE ${name}`).run();
        return result;
      } catch (error) {
        // SQLite may have rolled back the whole transaction itself (SQLITE_FULL): then there is no savepoint.
        if (this.db.inTransaction) {
          this.db.prepare(`ROLLBACK TO ${name}`).run();
          this.db.prepare(`RELEASE ${name}`).run();
        }
        throw error;
      }
    });
  }

  /** Runs at once inside the holder's context or when the connection is free; otherwise once it is. */
  private statement<T>(run: () => T): Promise<T> {
    if (this.held && !this.inTransaction()) return this.connectionFree().then(() => this.statement(run));
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private connectionFree(): Promise<void> {
    if (!this.held) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
