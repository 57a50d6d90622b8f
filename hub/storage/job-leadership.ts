/**
 * Which hub runs the background jobs (the outbox sender, the deadline and
 * offer watchers, the relatives' cascade and family updates, device
 * supervision's scans and scheduled tests, and the pipeline's retry). Every hub
 * takes presses, serves consoles and runs the stages of the alarms it stored;
 * the jobs run on one hub at a time, so no SMS, call or escalation is sent by
 * two of them at once.
 *
 * - On SQLite there is one hub: it leads from the start.
 * - On PostgreSQL the leader holds a session-level advisory lock on a
 *   connection of its own (a pool of one, never recycled). The lock goes with
 *   the connection: when the leading hub dies (even by SIGKILL) its socket
 *   closes, PostgreSQL releases the lock, and the next hub to try takes it. A
 *   leader checks every `checkMs` that its connection still holds the lock
 *   (not merely that it answers: the driver reconnects a dropped connection by
 *   itself, and the new one holds nothing); if not, it stops the jobs at once
 *   (another hub may lead already) and tries again like any other hub.
 *   Not postgres.js's `reserve()`: a reserved connection whose backend dies
 *   crashes the process on its next query (porsager/postgres#1208).
 *
 * What a leader was doing when it died is not lost: every job works from the
 * database (an SMS is `pending` in the outbox until Twilio took it, with an
 * idempotency key Twilio honours on a resend; a deadline or a cascade step is a
 * row with its due time), so the next leader finds it and carries it on.
 */
import type { Logger } from "pino";
import type { SqlDatabase } from "./sql/sql-port.ts";

export interface JobLeadership {
  /** True while this hub runs the jobs. */
  readonly leading: boolean;
  /** `lead` once this hub may run the jobs; `follow` (awaited) when it must stop them. */
  start(handlers: { lead: () => void; follow: () => Promise<void> }): void;
  /** Stops trying and gives up the lead (the caller stops the jobs itself). */
  stop(): Promise<void>;
}

/** The embedded default: one hub, always the leader. */
export class SoleHub implements JobLeadership {
  leading = false;

  start(handlers: { lead: () => void }): void {
    this.leading = true;
    handlers.lead();
  }

  async stop(): Promise<void> {
    this.leading = false;
  }
}

/** The advisory lock's key: "anxjo" in ASCII; the migration lock uses another. */
export const JOBS_LOCK = 0x616e786a6f;

/**
 * Whether this very connection holds the lock. Not `SELECT 1`: the driver may reconnect a dropped connection
 * by itself, and a new connection answers but holds nothing. pg_locks shows a bigint key as its two halves.
 */
const LOCK_HELD_SQL = `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
  AND pid = pg_backend_pid() AND classid = CAST(? AS oid) AND objid = CAST(? AS oid) AND objsubid = 1) AS held`;
const LOCK_HALVES = [String(Math.floor(JOBS_LOCK / 2 ** 32)), String(JOBS_LOCK % 2 ** 32)];

export interface AdvisoryLeadershipOptions {
  /** How often a hub that does not lead tries to. */
  retryMs: number;
  /** How often the leader checks that its connection still holds the lock. */
  checkMs: number;
}

export class AdvisoryLeadership implements JobLeadership {
  /** A pool of one connection, kept: the lock lives on it. Closed by `stop()`. */
  private readonly session: SqlDatabase;
  private readonly logger: Logger;
  private readonly options: AdvisoryLeadershipOptions;
  private handlers: { lead: () => void; follow: () => Promise<void> } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  leading = false;

  constructor(deps: { session: SqlDatabase; logger: Logger }, options: AdvisoryLeadershipOptions) {
    this.session = deps.session;
    this.logger = deps.logger;
    this.options = options;
  }

  start(handlers: { lead: () => void; follow: () => Promise<void> }): void {
    this.handlers = handlers;
    this.stopped = false;
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const leading = this.leading;
    this.leading = false;
    try {
      if (leading) await this.session.get("SELECT pg_advisory_unlock(?)", [JOBS_LOCK]);
    } catch {
      // The connection is gone: so is the lock.
    }
    await this.session.close();
  }

  private later(step: () => Promise<void>, ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void step(), ms);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const row = await this.session.get<{ held: boolean }>("SELECT pg_try_advisory_lock(?) AS held", [JOBS_LOCK]);
      if (this.stopped) return;
      if (!row?.held) {
        this.later(() => this.attempt(), this.options.retryMs);
        return;
      }
    } catch (error) {
      this.logger.warn(
        { err: error, code: "JOBS_LEADERSHIP_UNAVAILABLE" },
        "cannot reach PostgreSQL to lead the jobs; retrying",
      );
      this.later(() => this.attempt(), this.options.retryMs);
      return;
    }
    this.leading = true;
    this.logger.info("this hub leads the background jobs");
    this.handlers?.lead();
    this.later(() => this.check(), this.options.checkMs);
  }

  private async check(): Promise<void> {
    if (this.stopped || !this.leading) return;
    try {
      const row = await this.session.get<{ held: boolean }>(LOCK_HELD_SQL, LOCK_HALVES);
      if (this.stopped) return;
      if (row?.held) {
        this.later(() => this.check(), this.options.checkMs);
        return;
      }
      this.logger.error(
        { code: "JOBS_LEADERSHIP_LOST" },
        "the jobs' lock is gone: stopping the jobs; another hub may lead now",
      );
    } catch (error) {
      this.logger.error(
        { err: error, code: "JOBS_LEADERSHIP_LOST" },
        "lost the connection that held the jobs' lock: stopping the jobs; another hub may lead now",
      );
    }
    this.leading = false;
    try {
      await this.handlers?.follow();
    } catch (error) {
      this.logger.error({ err: error }, "stopping the background jobs failed");
    }
    this.later(() => this.attempt(), this.options.retryMs);
  }
}
