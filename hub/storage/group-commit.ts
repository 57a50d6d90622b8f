/**
 * Group commit: writes from many callers that arrive close together (by
 * default within one turn of the event loop, at most `maxBatch` of them) run
 * in ONE transaction, so one commit (one fsync with synchronous=FULL) covers
 * them all. With a disk that syncs in 0.1 ms the cost of a commit is mostly
 * SQLite's own bookkeeping around it, paid once per batch instead of once per
 * press and once per stage.
 *
 * It runs on the storage port (hub/storage/sql/): the batch is one port
 * transaction and each job a savepoint in it. On SQLite a job that awaits
 * only storage runs without yielding to other I/O, so a batch is still one
 * synchronous stretch of the event loop, as it was on better-sqlite3 directly.
 *
 * Nothing is promised earlier than before:
 * - each job runs in its own SAVEPOINT:
 *   a job that throws rolls back only its own writes, its caller gets the
 *   error, and the other jobs of the batch go on;
 * - a caller's promise settles only once the commit that holds its job has
 *   returned: so whatever it does next (an ack) comes after the commit;
 * - when the commit fails (disk full, I/O error), or SQLite rolls the whole
 *   transaction back under a job, every job that ran in the batch is rejected:
 *   none of their callers may claim their writes are stored. Jobs not run yet
 *   wait for the next batch.
 *
 * A batch is bounded by `maxBatch` jobs and by `maxBatchMs` of work, so
 * gathering more never makes a waiting press wait long.
 *
 * Jobs run one after the other, in the order they were submitted within their lane, so a job sees every write of the jobs
 * before it. There are two lanes: `urgent` (a device waits for its ack) and
 * the rest (an alarm's later stages). A batch holds jobs of one lane, and when
 * both have work they take turns, `URGENT_TURNS` urgent batches to one of the
 * rest: an ack never waits for a batch of other alarms' dispatch work to be
 * committed with it, and a stream of presses never starves the stages of the
 * alarms already acked.
 */
import { AnxinError } from "../errors.ts";
import { type SqlDatabase, TransactionEndedError } from "./sql/sql-port.ts";

/**
 * Urgent batches in a row while the other lane waits, before that lane's turn. In a burst (5,000 presses
 * in a second, issue 12's P3) alternating one to one gave the alarm stages half the commits, and the last
 * ack came after 2.0–2.2 s; two to one brought it to 1.7 s. The stages finish no later (about 7 s either
 * way: the same work, in another order), and every alarm is on the consoles from its ack.
 */
export const URGENT_TURNS = 2;

export interface GroupCommitOptions {
  /** Most jobs in one transaction; more wait for the next one, which starts at once. */
  maxBatch: number;
  /**
   * Once a batch's jobs have run this long it takes no more and commits (it always runs at least one):
   * a press never waits longer than about this for a batch of other work ahead of it.
   */
  maxBatchMs: number;
  /** 0: commit at the end of the current turn of the event loop; more: wait up to this long to gather more. */
  maxWaitMs: number;
}

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitStats {
  commits: number;
  jobs: number;
  failedCommits: number;
  largestBatch: number;
  /** Of those, the commits and jobs of the urgent lane. */
  urgentCommits: number;
  urgentJobs: number;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private readonly sql: SqlDatabase;
  private readonly options: GroupCommitOptions;
  private readonly urgent: Job[] = [];
  private readonly later: Job[] = [];
  /** Urgent batches in a row while the other lane waited. */
  private urgentTurns = 0;
  private scheduled: { cancel: () => void } | null = null;
  /** The batch being run and committed, if any: one at a time. */
  private committing: Promise<void> | null = null;
  private accepting = false;
  private counts = { commits: 0, jobs: 0, failedCommits: 0, largestBatch: 0, urgentCommits: 0, urgentJobs: 0 };

  constructor(deps: { sql: SqlDatabase }, options: GroupCommitOptions) {
    this.sql = deps.sql;
    this.options = options;
  }

  start(): void {
    this.accepting = true;
  }

  /**
   * Commits the urgent jobs still queued (a press that reached the hub is stored), refuses the others
   * (an alarm's stages are resumed at the next start, not run while the hub shuts down), and refuses
   * new work: nothing submitted is left unsettled.
   */
  async stop(): Promise<void> {
    this.accepting = false;
    this.scheduled?.cancel();
    this.scheduled = null;
    const stopping = new AnxinError("STORAGE_FAILED", "the hub is stopping: nothing more is stored");
    for (const job of this.later.splice(0)) job.reject(stopping);
    await this.committing;
    while (this.urgent.length > 0) await this.commitBatch();
  }

  /** Commits and jobs so far (tests and benchmarks compare them: fewer commits than jobs is group commit). */
  get stats(): GroupCommitStats {
    return { ...this.counts };
  }

  /**
   * Runs `work` in its own savepoint of the next batch of its lane; resolves with
   * its result once that batch committed. `work` may await storage only: the batch holds the
   * connection (SQLite) or a transaction (PostgreSQL) while it runs.
   */
  run<T>(work: () => T | Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
    if (!this.accepting) {
      return Promise.reject(new AnxinError("STORAGE_FAILED", "the hub is stopping: nothing more is stored"));
    }
    return new Promise<T>((resolve, reject) => {
      (options.urgent ? this.urgent : this.later).push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    // The batch being committed schedules the next one when it ends.
    if (this.committing !== null) return;
    if (this.scheduled) {
      // A full batch goes at the end of this turn even when a wait was chosen.
      if (this.queued() < this.options.maxBatch || this.options.maxWaitMs === 0) return;
      this.scheduled.cancel();
    }
    const flush = () => {
      this.scheduled = null;
      const committing = this.commitBatch().finally(() => {
        this.committing = null;
        if (this.accepting && this.queued() > 0) this.schedule();
      });
      this.committing = committing;
    };
    if (this.options.maxWaitMs === 0 || this.queued() >= this.options.maxBatch) {
      const immediate = setImmediate(flush);
      this.scheduled = { cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(flush, this.options.maxWaitMs);
      this.scheduled = { cancel: () => clearTimeout(timer) };
    }
  }

  private queued(): number {
    return this.urgent.length + this.later.length;
  }

  /** Urgent jobs first, except after URGENT_TURNS urgent batches in a row while other work waits: then it is that work's turn. */
  private nextLane(): { urgent: boolean; jobs: Job[] } {
    const takeLater = this.later.length > 0 && (this.urgent.length === 0 || this.urgentTurns >= URGENT_TURNS);
    // Only urgent batches that other work waited behind count: a stage job arriving after a quiet
    // stretch of presses alone still waits its URGENT_TURNS.
    this.urgentTurns = takeLater || this.later.length === 0 ? 0 : this.urgentTurns + 1;
    return takeLater ? { urgent: false, jobs: this.later } : { urgent: true, jobs: this.urgent };
  }

  /** Never rejects: a failed commit rejects its jobs' promises instead. */
  private async commitBatch(): Promise<void> {
    const lane = this.nextLane();
    if (lane.jobs.length === 0) return;
    const batch: Job[] = [];
    const outcomes: Outcome[] = [];
    const started = performance.now();
    const full = () =>
      batch.length >= this.options.maxBatch ||
      (batch.length > 0 && performance.now() - started >= this.options.maxBatchMs);
    try {
      // On SQLite the port begins IMMEDIATE: the write lock is taken (or waited for, busy_timeout) before
      // the first job reads, so another process writing meanwhile cannot make a later write fail half-way.
      await this.sql.transaction(async () => {
        // Jobs not taken stay first in their lane for the next batch.
        while (lane.jobs.length > 0 && !full()) {
          const job = lane.jobs.shift() as Job;
          batch.push(job);
          outcomes.push(await this.runJob(job));
        }
      });
    } catch (error) {
      this.counts.failedCommits += 1;
      for (const job of batch) job.reject(error);
      return;
    }
    this.count(lane.urgent, batch.length);
    batch.forEach((job, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
  }

  private count(urgent: boolean, jobs: number): void {
    const counts = this.counts;
    counts.commits += 1;
    counts.jobs += jobs;
    counts.largestBatch = Math.max(counts.largestBatch, jobs);
    if (urgent) {
      counts.urgentCommits += 1;
      counts.urgentJobs += jobs;
    }
  }

  private async runJob(job: Job): Promise<Outcome> {
    try {
      return { ok: true, value: await this.sql.transaction(async () => job.work()) };
    } catch (error) {
      // Some errors (SQLITE_FULL, an I/O error) make SQLite roll back the whole transaction, not only the
      // savepoint, and so does a job that ends it itself: then nothing of this batch holds, and carrying
      // on would commit later jobs on their own.
      if (error instanceof TransactionEndedError) throw error;
      return { ok: false, error };
    }
  }
}
