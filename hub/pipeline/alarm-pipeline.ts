/**
 * Runs the ordered stages for every press, and resumes alarms whose
 * post-storage stages did not all complete (a failing stage, or a crash
 * between commit and completion). A stored alarm is never dropped: a failed
 * stage is logged, recorded on the alarm, shown to operators, and retried.
 */
import type { DeviceMessage } from "../broker/mqtt-broker.ts";
import { describeError } from "../errors.ts";
import { ackDeviceStage } from "./stages/ack-device.ts";
import { dedupeStage } from "./stages/dedupe.ts";
import { dispatchStage } from "./stages/dispatch.ts";
import { locateStage } from "./stages/locate.ts";
import { notifyRelativesStage } from "./stages/notify-relatives.ts";
import { persistStage } from "./stages/persist.ts";
import { publishDashboardsStage } from "./stages/publish-dashboards.ts";
import { validateStage } from "./stages/validate.ts";
import type { AfterCommit, AlarmStage, IntakeStage, PipelineDeps, PressContext } from "./types.ts";

/** The order is the design: nothing is acked before it is stored, nothing is texted before it is acked. */
export const INTAKE_STAGES: readonly IntakeStage[] = [validateStage, dedupeStage, persistStage, ackDeviceStage];
export const ALARM_STAGES: readonly AlarmStage[] = [
  locateStage,
  notifyRelativesStage,
  dispatchStage,
  publishDashboardsStage,
];

export class AlarmPipeline {
  private readonly deps: PipelineDeps;
  private readonly intake: readonly IntakeStage[];
  private readonly stages: readonly AlarmStage[];
  private readonly retryMs: number;
  private readonly running = new Set<number>();
  /**
   * Alarms stored but not yet acked. The retry timer leaves them alone: their
   * stages run right after the ack, so nothing is texted (and no feedback is
   * published) before the device's ack and its `received` feedback.
   */
  private readonly inIntake = new Set<number>();
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    deps: PipelineDeps,
    options: { retryMs: number; intake?: readonly IntakeStage[]; stages?: readonly AlarmStage[] },
  ) {
    this.deps = deps;
    this.retryMs = options.retryMs;
    this.intake = options.intake ?? INTAKE_STAGES;
    this.stages = options.stages ?? ALARM_STAGES;
  }

  start(): void {
    this.resumeIncomplete();
    this.retryTimer = setInterval(() => this.resumeIncomplete(), this.retryMs);
    this.retryTimer.unref();
  }

  stop(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
  }

  async handlePress(message: DeviceMessage): Promise<void> {
    const context: PressContext = {
      deviceId: message.deviceId,
      topic: message.topic,
      payload: message.payload,
      receivedAt: message.receivedAt,
      alarmId: null,
      duplicate: false,
      createdAlarm: false,
      log: this.deps.logger.child({ deviceId: message.deviceId }),
    };
    const held: number[] = [];
    try {
      for (const stage of this.intake) {
        const result = stage.run(context, this.deps);
        if (context.alarmId !== null && !this.inIntake.has(context.alarmId)) {
          this.inIntake.add(context.alarmId);
          held.push(context.alarmId);
        }
        // Synchronous stages run back to back without yielding, so a concurrent
        // retry of the same press can never slip between de-duplication and persist.
        const outcome = result instanceof Promise ? await result : result;
        if (outcome === "halt") return;
      }
    } finally {
      for (const alarmId of held) this.inIntake.delete(alarmId);
    }
    if (context.alarmId !== null) this.runAlarmStages(context.alarmId);
  }

  /** Runs the stages this alarm has not completed yet; safe to call at any time. */
  runAlarmStages(alarmId: number): void {
    if (this.running.has(alarmId) || this.inIntake.has(alarmId)) return;
    this.running.add(alarmId);
    try {
      const done = new Set(this.deps.alarms.stagesDone(alarmId));
      for (const stage of this.stages) {
        if (done.has(stage.name)) continue;
        if (!this.runStage(alarmId, stage)) return;
      }
    } finally {
      this.running.delete(alarmId);
    }
  }

  private runStage(alarmId: number, stage: AlarmStage): boolean {
    const { db, alarms, logger, bus } = this.deps;
    try {
      const followUps: AfterCommit[] = [];
      db.transaction(() => {
        const alarm = alarms.get(alarmId);
        if (!alarm) throw new Error(`alarm ${alarmId} vanished`);
        stage.run(alarm, this.deps, (work) => followUps.push(work));
        alarms.markStageDone(alarmId, stage.name);
      })();
      this.runAfterCommit(alarmId, stage, followUps);
      return true;
    } catch (error) {
      const reason = describeError(error);
      logger.error(
        { err: error, alarmId, stage: stage.name, code: "PIPELINE_STAGE_FAILED" },
        "alarm stage failed; will retry",
      );
      try {
        const previous = alarms.get(alarmId)?.stage_error;
        alarms.setStageError(alarmId, `${stage.name}: ${reason}`);
        // One event per distinct failure, not one per retry, keeps the timeline readable.
        if (previous !== `${stage.name}: ${reason}`) {
          alarms.appendEvent(alarmId, "stage_failed", "system", { stage: stage.name, reason });
        }
      } catch (recordError) {
        logger.error({ err: recordError, alarmId }, "could not record the stage failure");
      }
      // Operators must see the alarm even when a later stage is broken.
      bus.emit("alarm.changed", { alarmId, change: "stage_failed" });
      return false;
    }
  }

  /** Follow-ups of a committed stage; a failure here is logged, never turned into a stage failure. */
  private runAfterCommit(alarmId: number, stage: AlarmStage, followUps: readonly AfterCommit[]): void {
    for (const work of followUps) {
      try {
        work();
      } catch (error) {
        this.deps.logger.error({ err: error, alarmId, stage: stage.name }, "after-commit work of a stage failed");
      }
    }
  }

  resumeIncomplete(): void {
    try {
      for (const alarm of this.deps.alarms.withIncompleteStages(this.stages.length)) this.runAlarmStages(alarm.id);
    } catch (error) {
      this.deps.logger.error({ err: error }, "could not resume incomplete alarms");
    }
  }
}
