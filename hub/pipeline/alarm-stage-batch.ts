/**
 * The post-storage stages of the alarms that are ready, many alarms in one job
 * of a group commit (hub/storage/group-commit.ts): each alarm in a savepoint of
 * its own, its stages one after the other, each in a savepoint of its own, and
 * the alarm's completed stages recorded once after them, in the same
 * transaction. So a stage's writes (outbox rows included) and the record that
 * it is done still commit together or not at all.
 *
 * A stage that throws rolls back only its own savepoint. Its failure is
 * recorded in the same transaction (`stage_error`, one `stage_failed` event per
 * distinct failure), the later stages of THAT alarm wait for the retry, and
 * the other alarms of the batch go on. Work a stage hands to `afterCommit`
 * runs only once the batch committed, alarm by alarm and stage by stage in
 * order; it is dropped with the savepoint when the stage fails.
 *
 * What waits is only a set of alarm ids (the stages' state is in the database),
 * and one job at a time is queued for the commit: it takes the alarms that are
 * waiting when it runs, as many as fit in its budget. Under a mass event the
 * hub stores presses faster than it runs their stages; the backlog then costs a
 * few bytes an alarm, not a queued job and its promise each (+500 MB at 2,000
 * new alarms/s for a minute).
 */
import { AfterCommit } from "../after-commit.ts";
import { describeError, isAnxinError } from "../errors.ts";
import { TransactionEndedError } from "../storage/sql/sql-port.ts";
import { type AlarmStage, NO_METER, type PipelineDeps, type PipelineMeter } from "./types.ts";

export interface AlarmStageBatchOptions {
  /** Most alarms in one job. */
  maxAlarms: number;
  /** Once the job has run this long it takes no more alarms (it always takes one). */
  budgetMs: number;
}

interface AlarmOutcome {
  alarmId: number;
  /** Each committed stage's work, in stage order. */
  followUps: { stage: AlarmStage; effects: AfterCommit }[];
  /** A stage failed, or the alarm's run did: operators are told once the batch committed. */
  failed: boolean;
}

export class AlarmStageBatch {
  private readonly deps: PipelineDeps;
  private readonly stages: readonly AlarmStage[];
  private readonly options: AlarmStageBatchOptions;
  /** Alarms waiting for the next job, in the order they came; each once, however often asked. */
  private readonly waiting = new Set<number>();
  /** Alarms in the job now queued or running, until its after-commit work is done. */
  private readonly inJob = new Set<number>();
  private jobQueued = false;
  private readonly meter: PipelineMeter;

  constructor(
    deps: PipelineDeps,
    stages: readonly AlarmStage[],
    options: AlarmStageBatchOptions,
    meter: PipelineMeter = NO_METER,
  ) {
    this.deps = deps;
    this.stages = stages;
    this.options = options;
    this.meter = meter;
  }

  /** Alarms waiting or being run now (a backlog under a mass event). */
  get backlog(): number {
    return this.waiting.size + this.inJob.size;
  }

  queue(alarmId: number): void {
    if (!this.inJob.has(alarmId)) this.waiting.add(alarmId);
    this.queueJob();
  }

  private queueJob(): void {
    if (this.jobQueued || this.waiting.size === 0) return;
    this.jobQueued = true;
    const taken: number[] = [];
    const settled = (committed: boolean) => {
      for (const alarmId of taken) this.inJob.delete(alarmId);
      this.jobQueued = false;
      // After a failed commit (or while the hub stops) the alarms still waiting are not queued again at
      // once: that would retry in a loop of microtasks. The pipeline's retry timer asks for them again.
      if (committed) this.queueJob();
    };
    this.deps.commits
      .run(() => this.runJob(taken))
      .then(
        (outcomes) => {
          try {
            for (const outcome of outcomes) this.afterCommit(outcome);
          } finally {
            settled(true);
          }
        },
        (error: unknown) => {
          settled(false);
          this.notCommitted(taken, error);
        },
      );
  }

  /** Inside the job's savepoint of a group commit: the waiting alarms, as many as fit. */
  private async runJob(taken: number[]): Promise<AlarmOutcome[]> {
    const outcomes: AlarmOutcome[] = [];
    const started = performance.now();
    for (const alarmId of this.waiting) {
      if (taken.length >= this.options.maxAlarms) break;
      if (taken.length > 0 && performance.now() - started >= this.options.budgetMs) break;
      this.waiting.delete(alarmId);
      this.inJob.add(alarmId);
      taken.push(alarmId);
      outcomes.push(await this.runAlarm(alarmId));
    }
    return outcomes;
  }

  /**
   * One alarm in a savepoint of its own: whatever goes wrong outside its stages' own savepoints (its
   * `stages_done` unreadable, say) rolls back this alarm alone, so one bad row cannot fail, and on every
   * retry fail again, the alarms that share its job.
   */
  private async runAlarm(alarmId: number): Promise<AlarmOutcome> {
    const { sql, logger } = this.deps;
    try {
      return await sql.transaction(() => this.runStages(alarmId));
    } catch (error) {
      // SQLite rolled back the whole batch (disk full, I/O error): nothing of it holds, all of it is retried.
      if (error instanceof TransactionEndedError) throw error;
      logger.error({ err: error, alarmId, code: "PIPELINE_STAGE_FAILED" }, "alarm stages failed; will retry");
      return { alarmId, followUps: [], failed: true };
    }
  }

  private async runStages(alarmId: number): Promise<AlarmOutcome> {
    const { sql, alarms } = this.deps;
    const doneBefore = await alarms.stagesDone(alarmId);
    const done = new Set(doneBefore);
    const outcome: AlarmOutcome = { alarmId, followUps: [], failed: false };
    for (const stage of this.stages) {
      if (done.has(stage.name)) continue;
      const own = new AfterCommit();
      const started = performance.now();
      try {
        await sql.transaction(async () => {
          const alarm = await alarms.get(alarmId);
          if (!alarm) throw new Error(`alarm ${alarmId} vanished`);
          await stage.run(alarm, this.deps, (work) => own.add(work));
        });
      } catch (error) {
        // SQLite rolled back the whole batch (disk full, I/O error): nothing of it holds, all of it is retried.
        if (error instanceof TransactionEndedError) throw error;
        this.meter.stageRan(stage.name, (performance.now() - started) / 1000);
        this.meter.stageFailed(stage.name);
        outcome.failed = true;
        await this.recordFailure(alarmId, stage, error);
        break;
      }
      this.meter.stageRan(stage.name, (performance.now() - started) / 1000);
      done.add(stage.name);
      outcome.followUps.push({ stage, effects: own });
    }
    if (done.size > doneBefore.length) await alarms.setStagesDone(alarmId, [...done], !outcome.failed);
    return outcome;
  }

  private async recordFailure(alarmId: number, stage: AlarmStage, error: unknown): Promise<void> {
    const { sql, alarms, logger } = this.deps;
    const reason = describeError(error);
    logger.error(
      { err: error, alarmId, stage: stage.name, code: "PIPELINE_STAGE_FAILED" },
      "alarm stage failed; will retry",
    );
    try {
      await sql.transaction(async () => {
        const previous = (await alarms.get(alarmId))?.stage_error;
        await alarms.setStageError(alarmId, `${stage.name}: ${reason}`);
        // One event per distinct failure, not one per retry, keeps the timeline readable.
        if (previous !== `${stage.name}: ${reason}`) {
          // The exception's own message (an `error`, not a coded reason), and our code when it is one of ours.
          const code = isAnxinError(error) ? { code: error.code } : {};
          await alarms.appendEvent(alarmId, "stage_failed", "system", { stage: stage.name, error: reason, ...code });
        }
      });
    } catch (recordError) {
      if (recordError instanceof TransactionEndedError) throw recordError;
      logger.error({ err: recordError, alarmId }, "could not record the stage failure");
    }
  }

  /**
   * Follow-ups of committed stages; a failure here is logged, never turned into a stage failure. A stage's
   * work returns at once (`StageAfterCommit`), so all of it has run when this returns.
   */
  private afterCommit(outcome: AlarmOutcome): void {
    const { alarmId } = outcome;
    for (const { stage, effects } of outcome.followUps) {
      void effects.run((error) =>
        this.deps.logger.error({ err: error, alarmId, stage: stage.name }, "after-commit work of a stage failed"),
      );
    }
    // Operators must see the alarm even when a later stage is broken.
    if (outcome.failed) this.deps.bus.emit("alarm.changed", { alarmId, change: "stage_failed" });
  }

  private notCommitted(taken: readonly number[], error: unknown): void {
    if (isAnxinError(error)) {
      // The hub is stopping: the stages are resumed at the next start.
      this.deps.logger.debug({ alarms: taken.length, reason: error.message }, "alarm stages left for the next start");
      return;
    }
    // One line for the job (up to ANXIN_COMMIT_MAX_BATCH alarms), not one per alarm.
    this.deps.logger.error(
      { err: error, alarmIds: taken, code: "PIPELINE_STAGE_FAILED" },
      "alarm stages could not be committed; will retry",
    );
    for (const alarmId of taken) this.deps.bus.emit("alarm.changed", { alarmId, change: "stage_failed" });
  }
}
