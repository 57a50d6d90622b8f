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
import type { Db } from "./database.ts";

export interface WriteCheck {
  ok: boolean;
  /** SQLite's extended code of the failure (`SQLITE_FULL`, `SQLITE_READONLY`, `SQLITE_IOERR_WRITE`…); null when ok. */
  code: string | null;
  checkedAt: string;
}

/** Where a change is told (the hub's event bus; storage does not import the domain's bus itself). */
export interface WriteCheckSink {
  emit(event: "storage.write", payload: { check: WriteCheck }): void;
}

/** Only SQLite's own code names leave the hub (/health needs no login): never a message that could name a path. */
const SQLITE_CODE = /^SQLITE_[A-Z_]{1,40}$/;

export class DatabaseWriteProbe {
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly bus: WriteCheckSink;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private last: { check: WriteCheck; at: number } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    deps: { db: Db; logger: Logger; bus: WriteCheckSink },
    options: { intervalMs: number; now?: () => number },
  ) {
    this.db = deps.db;
    this.logger = deps.logger;
    this.bus = deps.bus;
    this.intervalMs = options.intervalMs;
    // Monotonic by default: a wall clock set back must not freeze the cached result.
    this.now = options.now ?? (() => performance.now());
  }

  /** Probes now and then every interval, so a failure is logged and pushed even when nobody asks /health. */
  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The latest result, probing first when it is older than the interval. */
  check(): WriteCheck {
    const at = this.now();
    if (this.last && at - this.last.at < this.intervalMs) return this.last.check;
    const { check, error } = this.probe();
    const previous = this.last?.check ?? null;
    this.last = { check, at };
    // Logged and pushed on a change only: a disk that stays full costs one line, not one per interval.
    if (previous === null ? !check.ok : previous.ok !== check.ok) this.changed(check, error);
    return check;
  }

  private probe(): { check: WriteCheck; error: unknown } {
    const checkedAt = new Date().toISOString();
    if (!this.db.open) return { check: { ok: false, code: "SQLITE_MISUSE", checkedAt }, error: "database closed" };
    try {
      this.db
        .prepare(
          `INSERT INTO health_probe (id, probed_at, probes) VALUES (1, ?, 1)
           ON CONFLICT(id) DO UPDATE SET probed_at = excluded.probed_at, probes = probes + 1`,
        )
        .run(checkedAt);
      return { check: { ok: true, code: null, checkedAt }, error: null };
    } catch (error) {
      const raw = (error as { code?: unknown }).code;
      const code = typeof raw === "string" && SQLITE_CODE.test(raw) ? raw : "SQLITE_ERROR";
      return { check: { ok: false, code, checkedAt }, error };
    }
  }

  private changed(check: WriteCheck, error: unknown): void {
    if (check.ok) {
      this.logger.info({ checkedAt: check.checkedAt }, "database accepts writes again");
    } else {
      this.logger.error(
        { code: "DATABASE_WRITE_FAILED", sqlite: check.code, err: error },
        "database refuses writes: new alarms cannot be stored",
      );
    }
    this.bus.emit("storage.write", { check });
  }
}
