/**
 * Runs the ordered stages for every press, and resumes alarms whose
 * post-storage stages did not all complete (a failing stage, or a crash
 * between commit and completion). A stored alarm is never dropped: a failed
 * stage is logged, recorded on the alarm, shown to operators, and retried.
 *
 * Storage is group-committed (hub/storage/group-commit.ts): the storing intake
 * stages of presses that arrive together, and the alarm stages of alarms that
 * are ready together, share one transaction, each press and each alarm in its
 * own savepoint. Every ack still comes after the commit that holds its press.
 */
import { AfterCommit } from "../after-commit.ts";
import type { DeviceMessage } from "../broker/device-intake.ts";
import { IntervalLoop } from "../interval-loop.ts";
import { AlarmStageBatch, type AlarmStageBatchOptions } from "./alarm-stage-batch.ts";
import { type CallOutcome, type InboundCall, raiseFromCall } from "./call-intake.ts";
import { ackDeviceStage } from "./stages/ack-device.ts";
import { dedupeStage } from "./stages/dedupe.ts";
import { dispatchStage } from "./stages/dispatch.ts";
import { locateStage } from "./stages/locate.ts";
import { notifyRelativesStage } from "./stages/notify-relatives.ts";
import { persistStage } from "./stages/persist.ts";
import { publishDashboardsStage } from "./stages/publish-dashboards.ts";
import { validateStage } from "./stages/validate.ts";
import {
  type AlarmStage,
  type IntakeOutcome,
  type IntakeStage,
  NO_METER,
  type PipelineDeps,
  type PipelineMeter,
  type PressContext,
  type StoringIntakeStage,
} from "./types.ts";

/** A device waits for this press's ack: its batch goes before alarm stages (taking turns with them). */
const URGENT = { urgent: true };

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
  private readonly batch: AlarmStageBatch;
  /**
   * Alarms stored but not yet acked. The retry timer leaves them alone: their
   * stages run right after the ack, so nothing is texted (and no feedback is
   * published) before the device's ack and its `received` feedback.
   */
  private readonly inIntake = new Set<number>();
  /**
   * Presses (device, press id) in intake now. A device re-sends a press it has no ack for; a copy that
   * arrives while the first is still on its way to the disk is dropped here, unanswered: the first one's
   * ack answers both. Under overload, when acks come later than the device's retry interval, this keeps
   * the retries from taking the hub's time from new presses. Should the first not be stored, the device
   * retries again later, and that copy is handled in full.
   */
  private readonly pressesInIntake = new Set<string>();
  /** Resumes alarms whose stages have not all committed, every `retryMs` and at start. */
  private readonly retry: IntervalLoop;
  /** Each stage's time and each press's time to its ack, for the metrics. */
  private readonly meter: PipelineMeter;

  constructor(
    deps: PipelineDeps,
    options: {
      retryMs: number;
      /** Alarms whose stages share one job of a commit (the group commit's bounds). */
      batch: AlarmStageBatchOptions;
      intake?: readonly IntakeStage[];
      stages?: readonly AlarmStage[];
      /** The hub's metrics (hub/metrics/); none: nothing is timed. */
      meter?: PipelineMeter;
    },
  ) {
    this.deps = deps;
    this.meter = options.meter ?? NO_METER;
    this.retry = new IntervalLoop(() => this.resumeIncomplete(), {
      intervalMs: options.retryMs,
      logger: deps.logger,
      failure: "could not resume incomplete alarms",
    });
    this.intake = options.intake ?? INTAKE_STAGES;
    this.stages = options.stages ?? ALARM_STAGES;
    this.batch = new AlarmStageBatch(deps, this.stages, options.batch, this.meter);
  }

  start(): void {
    this.retry.start();
  }

  /** Alarms stored and waiting for their post-storage stages, or in them now (the metrics' backlog). */
  get alarmsWaiting(): number {
    return this.batch.backlog;
  }

  stop(): void {
    void this.retry.stop();
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
    let pressKey: string | null = null;
    try {
      let index = 0;
      while (index < this.intake.length) {
        const stage = this.intake[index] as IntakeStage;
        let outcome: IntakeOutcome;
        if (stage.stores) {
          if (pressKey === null && context.message) {
            const key = `${context.deviceId}\u0000${context.message.pressId}`;
            if (this.pressesInIntake.has(key)) {
              context.log.debug(
                { pressId: context.message.pressId },
                "copy of a press still being stored; its ack answers both",
              );
              return;
            }
            this.pressesInIntake.add(key);
            pressKey = key;
          }
          const storing = storingRun(this.intake, index);
          index += storing.length;
          outcome = await this.store(context, storing, held);
          this.announceReceived(context);
        } else {
          index += 1;
          const started = performance.now();
          try {
            const result = stage.run(context, this.deps);
            this.hold(context, held);
            outcome = result instanceof Promise ? await result : result;
          } finally {
            this.meter.stageRan(stage.name, (performance.now() - started) / 1000);
          }
          if (stage.acks && context.message) {
            // The broker's clock of the press (a Date) against now: a wall clock set back counts as 0.
            const seconds = Math.max(0, Date.now() - context.receivedAt.getTime()) / 1000;
            this.meter.pressAcked(context.message.kind, seconds);
          }
        }
        if (outcome === "halt") return;
      }
    } finally {
      for (const alarmId of held) this.inIntake.delete(alarmId);
      if (pressKey !== null) this.pressesInIntake.delete(pressKey);
    }
    if (context.alarmId !== null) this.runAlarmStages(context.alarmId);
  }

  /**
   * The storing stages of one press, back to back in its savepoint of the next
   * group commit (so a concurrent retry of the same press cannot slip between
   * de-duplication and persist); their after-commit work runs once it committed.
   */
  private async store(
    context: PressContext,
    storing: readonly StoringIntakeStage[],
    held: number[],
  ): Promise<IntakeOutcome> {
    const followUps = new AfterCommit();
    const outcome = await this.deps.commits.run(async (): Promise<IntakeOutcome> => {
      const heldBefore = held.length;
      try {
        for (const stage of storing) {
          const started = performance.now();
          let result: IntakeOutcome;
          try {
            result = await stage.run(context, this.deps, (work) => followUps.add(work));
          } finally {
            this.meter.stageRan(stage.name, (performance.now() - started) / 1000);
          }
          this.hold(context, held);
          if (result === "halt") return "halt";
        }
        return "continue";
      } catch (error) {
        // Rolled back: an alarm id this press held may now be given to the next press of the batch.
        for (const alarmId of held.splice(heldBefore)) this.inIntake.delete(alarmId);
        throw error;
      }
    }, URGENT);
    // Stored already: a follow-up that fails is logged, and the others and the ack still go ahead.
    await followUps.run((error) => context.log.error({ err: error }, "after-commit work of a press failed"));
    return outcome;
  }

  /** Once the press's commit returned: a press that opened a new incident is a new alarm (button alarms are counted here). */
  private announceReceived(context: PressContext): void {
    const kind = context.message?.kind;
    if (!context.createdAlarm || context.alarmId === null || kind === undefined || kind === "cancel") return;
    this.deps.bus.emit("alarm.received", { alarmId: context.alarmId, kind, source: "button" });
  }

  private hold(context: PressContext, held: number[]): void {
    if (context.alarmId !== null && !this.inIntake.has(context.alarmId)) {
      this.inIntake.add(context.alarmId);
      held.push(context.alarmId);
    }
  }

  /** A call to the center's number: stored as an alarm (or a further press on the open one) before it resolves. */
  raiseFromCall(call: InboundCall): Promise<CallOutcome> {
    return raiseFromCall(this.deps, call, (alarmId) => this.runAlarmStages(alarmId));
  }

  /** Queues the stages this alarm has not completed yet for the next group commit; safe to call at any time. */
  runAlarmStages(alarmId: number): void {
    if (this.inIntake.has(alarmId)) return;
    this.batch.queue(alarmId);
  }

  async resumeIncomplete(): Promise<void> {
    try {
      for (const alarmId of await this.deps.alarms.incompleteStageIds(this.stages.length)) this.runAlarmStages(alarmId);
    } catch (error) {
      this.deps.logger.error({ err: error }, "could not resume incomplete alarms");
    }
  }
}

/** The storing stages that start at `index`, up to the next stage that talks to the device. */
function storingRun(stages: readonly IntakeStage[], index: number): StoringIntakeStage[] {
  const run: StoringIntakeStage[] = [];
  for (let i = index; i < stages.length; i++) {
    const stage = stages[i];
    if (!stage?.stores) break;
    run.push(stage);
  }
  return run;
}
