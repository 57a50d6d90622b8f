/**
 * Proves the database can still commit a write. `db.open` says nothing about a
 * full disk, a file system remounted read-only or a failing device: the hub
 * kept saying `ok` while every alarm insert failed (issue 11). So every
 * `intervalMs` the probe upserts one row of `health_probe` in its own
 * transaction, on the hub's own connection, with its pragmas (WAL,
 * synchronous=FULL): the commit appends to the WAL and fsyncs it exactly as an
 * alarm's does. A rolled-back write would prove nothing, since it may never
 * touch the disk.
 *
 * The result is cached: `/health` and consoles never cost more than one small
 * commit per interval. A change either way is logged once (an error when writes
 * stop, so an operator's log alerting fires; info when they resume) and told to
 * every console through the bus.
 */
import type { Logger } from "pino";
import type { WriteCheck } from "../../protocol/console/index.ts";
import { IntervalLoop } from "../interval-loop.ts";
import type { SqlDatabase } from "./sql/sql-port.ts";

/** Where a change is told (the hub's event bus; storage does not import the domain's bus itself). */
export interface WriteCheckSink {
  emit(event: "storage.write", payload: { check: WriteCheck }): void;
}

/**
 * A probe not committed by then counts as failed (`ETIMEDOUT`): a database that is away may take a
 * connect timeout (10 s) to refuse, and HAProxy asks /health with a 2 s timeout of its own.
 */
export const PROBE_DEADLINE_MS = 1500;

/** Only engine codes leave the hub (/health needs no login): never a message that could name a path or a host. */
const ENGINE_CODE = /^(SQLITE_[A-Z_]{1,40}|[0-9A-Z]{5}|E[A-Z]{2,20})$/;

export class DatabaseWriteProbe {
  private readonly sql: SqlDatabase;
  private readonly logger: Logger;
  private readonly bus: WriteCheckSink;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private last: { check: WriteCheck; at: number } | null = null;
  /** The probe under way: callers meanwhile share it, so a burst of requests commits once. */
  private probing: Promise<WriteCheck> | null = null;
  private readonly loop: IntervalLoop<WriteCheck>;

  constructor(
    deps: { sql: SqlDatabase; logger: Logger; bus: WriteCheckSink },
    options: { intervalMs: number; now?: () => number },
  ) {
    this.sql = deps.sql;
    this.logger = deps.logger;
    this.bus = deps.bus;
    this.intervalMs = options.intervalMs;
    // Monotonic by default: a wall clock set back must not freeze the cached result.
    this.now = options.now ?? (() => performance.now());
    this.loop = new IntervalLoop(() => this.check(), {
      intervalMs: options.intervalMs,
      logger: deps.logger,
      failure: "database write probe failed",
    });
  }

  /** Probes now and then every interval, so a failure is logged and pushed even when nobody asks /health. */
  start(): void {
    this.loop.start();
  }

  stop(): void {
    void this.loop.stop();
  }

  /** The latest result, probing first when it is older than the interval. */
  check(): Promise<WriteCheck> {
    const at = this.now();
    if (this.last && at - this.last.at < this.intervalMs) return Promise.resolve(this.last.check);
    this.probing ??= this.probeAt(at).finally(() => {
      this.probing = null;
    });
    return this.probing;
  }

  private async probeAt(at: number): Promise<WriteCheck> {
    const { check, error } = await this.probe();
    const previous = this.last?.check ?? null;
    this.last = { check, at };
    // Logged and pushed on a change only: a disk that stays full costs one line, not one per interval.
    if (previous === null ? !check.ok : previous.ok !== check.ok) this.changed(check, error);
    return check;
  }

  private async probe(): Promise<{ check: WriteCheck; error: unknown }> {
    const checkedAt = new Date().toISOString();
    try {
      await withinDeadline(
        this.sql.run(
          `INSERT INTO health_probe (id, probed_at, probes) VALUES (1, ?, 1)
         ON CONFLICT(id) DO UPDATE SET probed_at = excluded.probed_at, probes = health_probe.probes + 1`,
          [checkedAt],
        ),
        PROBE_DEADLINE_MS,
      );
      return { check: { ok: true, code: null, checkedAt }, error: null };
    } catch (error) {
      const raw = (error as { code?: unknown }).code;
      const fallback = this.sql.dialect === "sqlite" ? "SQLITE_ERROR" : "DATABASE_ERROR";
      const code = typeof raw === "string" && ENGINE_CODE.test(raw) ? raw : fallback;
      return { check: { ok: false, code, checkedAt }, error };
    }
  }

  private changed(check: WriteCheck, error: unknown): void {
    if (check.ok) {
      this.logger.info({ checkedAt: check.checkedAt }, "database accepts writes again");
    } else {
      this.logger.error(
        { code: "DATABASE_WRITE_FAILED", engineCode: check.code, err: error },
        "database refuses writes: new alarms cannot be stored",
      );
    }
    this.bus.emit("storage.write", { check });
  }
}

/** `work`, or a rejection coded `ETIMEDOUT` once `ms` passed (the work itself goes on, and is let go). */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: "ETIMEDOUT" })), ms);
  });
  work.catch(() => {}); // lost the race: its failure is not this caller's any more
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
