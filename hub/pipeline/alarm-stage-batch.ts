/**
 * The post-storage stages of every alarm that is ready at the same time, in
 * one group commit (hub/storage/group-commit.ts): each alarm in its own
 * savepoint, and inside it each stage in a savepoint of its own together with
 * its `markStageDone`, so a stage's writes (outbox rows included) and its
 * completion still commit together or not at all.
 *
 * A stage that throws rolls back only its own savepoint. Its failure is
 * recorded in the same transaction (`stage_error`, one `stage_failed` event per
 * distinct failure), the later stages of THAT alarm wait for the retry, and
 * the other alarms of the batch go on. Work a stage hands to `afterCommit`
 * runs only once the whole batch committed, alarm by alarm and stage by stage
 * in order; it is dropped with the savepoint when the stage fails.
 */
import { describeError, isAnxinError } from "../errors.ts";
import type { AfterCommit, AlarmStage, PipelineDeps } from "./types.ts";

interface StagesOutcome {
  followUps: { stage: AlarmStage; work: AfterCommit }[];
  failed: AlarmStage | null;
}

export class AlarmStageBatch {
  private readonly deps: PipelineDeps;
  private readonly stages: readonly AlarmStage[];
  /** Alarms queued or in a batch whose after-commit work has not finished: queued once, however often asked. */
  private readonly pending = new Set<number>();

  constructor(deps: PipelineDeps, stages: readonly AlarmStage[]) {
    this.deps = deps;
    this.stages = stages;
  }

  queue(alarmId: number): void {
    if (this.pending.has(alarmId)) return;
    this.pending.add(alarmId);
    this.deps.commits
      .run(() => this.runStages(alarmId))
      .then(
        (outcome) => this.afterCommit(alarmId, outcome),
        (error: unknown) => this.notCommitted(alarmId, error),
      )
      .finally(() => this.pending.delete(alarmId));
  }

  /** Inside the alarm's savepoint of the batch. */
  private runStages(alarmId: number): StagesOutcome {
    const { db, alarms } = this.deps;
    const done = new Set(alarms.stagesDone(alarmId));
    const outcome: StagesOutcome = { followUps: [], failed: null };
    for (const stage of this.stages) {
      if (done.has(stage.name)) continue;
      const own: AfterCommit[] = [];
      try {
        db.transaction(() => {
          const alarm = alarms.get(alarmId);
          if (!alarm) throw new Error(`alarm ${alarmId} vanished`);
          stage.run(alarm, this.deps, (work) => own.push(work));
          alarms.markStageDone(alarmId, stage.name, done);
        })();
      } catch (error) {
        // SQLite rolled back the whole batch (disk full, I/O error): nothing of it holds, all of it is retried.
        if (!db.inTransaction) throw error;
        this.recordFailure(alarmId, stage, error);
        outcome.failed = stage;
        return outcome;
      }
      done.add(stage.name);
      for (const work of own) outcome.followUps.push({ stage, work });
    }
    return outcome;
  }

  private recordFailure(alarmId: number, stage: AlarmStage, error: unknown): void {
    const { db, alarms, logger } = this.deps;
    const reason = describeError(error);
    logger.error(
      { err: error, alarmId, stage: stage.name, code: "PIPELINE_STAGE_FAILED" },
      "alarm stage failed; will retry",
    );
    try {
      db.transaction(() => {
        const previous = alarms.get(alarmId)?.stage_error;
        alarms.setStageError(alarmId, `${stage.name}: ${reason}`);
        // One event per distinct failure, not one per retry, keeps the timeline readable.
        if (previous !== `${stage.name}: ${reason}`) {
          alarms.appendEvent(alarmId, "stage_failed", "system", { stage: stage.name, reason });
        }
      })();
    } catch (recordError) {
      if (!db.inTransaction) throw recordError;
      logger.error({ err: recordError, alarmId }, "could not record the stage failure");
    }
  }

  /** Follow-ups of committed stages; a failure here is logged, never turned into a stage failure. */
  private afterCommit(alarmId: number, outcome: StagesOutcome): void {
    for (const { stage, work } of outcome.followUps) {
      try {
        work();
      } catch (error) {
        this.deps.logger.error({ err: error, alarmId, stage: stage.name }, "after-commit work of a stage failed");
      }
    }
    // Operators must see the alarm even when a later stage is broken.
    if (outcome.failed) this.deps.bus.emit("alarm.changed", { alarmId, change: "stage_failed" });
  }

  private notCommitted(alarmId: number, error: unknown): void {
    if (isAnxinError(error)) {
      // The hub is stopping: the stages are resumed at the next start.
      this.deps.logger.debug({ alarmId, reason: error.message }, "alarm stages left for the next start");
      return;
    }
    this.deps.logger.error(
      { err: error, alarmId, code: "PIPELINE_STAGE_FAILED" },
      "alarm stages could not be committed; will retry",
    );
    this.deps.bus.emit("alarm.changed", { alarmId, change: "stage_failed" });
  }
}
