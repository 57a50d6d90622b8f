/**
 * The storage port (sql-port.ts) over PostgreSQL, with postgres.js: chosen for
 * its CPU per statement and its pipelining (docs/scale-out.md, "What a
 * statement costs"). A pool of connections; a transaction reserves one for its
 * work (`begin`), and a savepoint nests in it. Statements are prepared on the
 * server, once per connection and text.
 *
 * 64-bit integers (ids, counts, epoch milliseconds) come back as numbers, as
 * they do from SQLite: they stay far below 2^53.
 */
import postgres from "postgres";
import type { RunResult, SqlDatabase, SqlParams, SqlSession } from "./sql-port.ts";
import { orderedValues, toPostgresText } from "./sql-port.ts";
import { type Frame, runAfterCommit, TransactionFrames } from "./transaction-frames.ts";

type Handle = postgres.Sql | postgres.TransactionSql;

const INT8 = 20;

export interface PostgresSqlOptions {
  /** Connections in the pool. */
  max?: number;
  /** Seconds to wait for a connection to the server. */
  connectTimeoutS?: number;
  /**
   * Keep each connection as long as it works. By default postgres.js replaces a connection after 30–60
   * minutes; a connection that holds a session-level advisory lock must not be replaced (the lock would go).
   */
  keepConnections?: boolean;
}

export class PostgresSql implements SqlDatabase {
  readonly dialect = "postgres" as const;
  private readonly pool: postgres.Sql;
  private readonly frames = new TransactionFrames<Handle>();

  constructor(url: string, options: PostgresSqlOptions = {}) {
    this.pool = postgres(url, {
      max: options.max ?? 10,
      connect_timeout: options.connectTimeoutS ?? 10,
      ...(options.keepConnections ? { max_lifetime: null } : {}),
      // Notices (e.g. "table does not exist, skipping") are not errors; the hub logs what matters itself.
      onnotice: () => {},
      types: {
        int8: {
          to: INT8,
          from: [INT8],
          serialize: (value: number | bigint) => String(value),
          parse: (raw: string) => Number(raw),
        },
      },
    });
  }

  inTransaction(): boolean {
    return this.frames.current() !== undefined;
  }

  async get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    const rows = await this.query(sql, params);
    return rows[0] as T | undefined;
  }

  async all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    const rows = await this.query(sql, params);
    return [...rows] as T[];
  }

  async run(sql: string, params: SqlParams = []): Promise<RunResult> {
    const rows = await this.query(sql, params);
    return { changes: rows.count ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.handle().unsafe(sql).simple();
  }

  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const parent = this.frames.current();
    if (parent) return this.savepoint(parent, work);
    return this.pool
      .begin((tx) => this.frames.runTransaction(tx, () => work(this)))
      .then((result) => {
        runAfterCommit(result.afterCommit);
        return result.value as T;
      });
  }

  async snapshot<T>(work: () => Promise<T>): Promise<T> {
    if (this.frames.current()) return work();
    const result = await this.pool.begin("isolation level repeatable read read only", (tx) =>
      this.frames.runTransaction(tx, work),
    );
    return result.value as T;
  }

  afterCommit(callback: () => void): void {
    this.frames.afterCommit(callback);
  }

  async close(): Promise<void> {
    await this.pool.end({ timeout: 5 });
  }

  /**
   * Hears NOTIFY on `channel` (a connection of its own, listening again by itself after a reconnect).
   * Resolves once listening; the returned function stops.
   */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const listening = await this.pool.listen(channel, onNotify);
    return () => listening.unlisten();
  }

  /** NOTIFY `channel` (payloads up to 8000 bytes), outside any transaction: heard at once. */
  async notify(channel: string, payload: string): Promise<void> {
    await this.pool.notify(channel, payload);
  }

  private savepoint<T>(parent: Frame<Handle>, work: (session: SqlSession) => Promise<T>): Promise<T> {
    const handle = parent.handle as postgres.TransactionSql;
    return this.frames.runSavepoint(
      parent,
      (_depth, enter) => handle.savepoint((sp) => enter(sp, () => work(this))) as Promise<T>,
    );
  }

  private handle(): Handle {
    return this.frames.current()?.handle ?? this.pool;
  }

  private query(sql: string, params: SqlParams): Promise<postgres.RowList<postgres.Row[]>> {
    const text = toPostgresText(sql);
    const values = orderedValues(text, params) as postgres.ParameterOrJSON<never>[];
    return this.handle().unsafe(text.text, values, { prepare: true });
  }
}
