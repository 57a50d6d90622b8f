/**
 * The alarm pipeline's shapes (traccar style: decode → derive → persist →
 * notify, as an explicit ordered list of small stages).
 *
 * Two kinds of stage:
 * - intake stages run once per received press, in order, up to and including
 *   the ack; they may halt (a refused or duplicate press). Those that write
 *   (`stores: true`) run back to back inside the press's own savepoint of a
 *   group commit (hub/storage/group-commit.ts): presses that arrive together
 *   share one commit, and the stages after them (the ack) run once it returned;
 * - alarm stages run after the alarm is stored; each records its completion on
 *   the alarm row, so a stage that failed, or a hub that crashed mid-way, is
 *   resumed later from where it stopped and the stored alarm is never lost.
 */
import type { Logger } from "pino";
import type { AlarmKind, AlarmMessage } from "../../protocol/index.ts";
import type { AfterCommitWork } from "../after-commit.ts";
import type { LifecycleService } from "../alarms/lifecycle-service.ts";
import type { DeviceChannel } from "../broker/device-channel.ts";
import type { DispatchService } from "../dispatch/dispatch-service.ts";
import type { EventBus } from "../events.ts";
import type { ResponderLocator } from "../geo/responders.ts";
import type { SmsLanguage } from "../notify/sms-text.ts";
import type { RelativeCascadeService } from "../relatives/cascade-service.ts";
import type { ServiceRequestService } from "../service/service-requests.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { GroupCommit } from "../storage/group-commit.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { DeviceRow, RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";

export interface PipelineDeps {
  /** The storage port: the stages read and write through it (and the repositories below, over it). */
  sql: SqlDatabase;
  /** Presses and alarm stages that come together are committed together (one fsync). */
  commits: Pick<GroupCommit, "run">;
  alarms: AlarmRepository;
  registry: RegistryRepository;
  outbox: OutboxRepository;
  devices: DeviceChannel;
  responders: ResponderLocator;
  /** Ranking, clinic and the offer cascade (the `dispatch` stage hands over to it). */
  dispatch: Pick<DispatchService, "planInStage">;
  /** Service requests (the `dispatch` stage opens one for a service press and routes it to the grid worker). */
  serviceRequests: Pick<ServiceRequestService, "openInStage">;
  /** The relatives' cascade (the `notify_relatives` stage starts it with the first wave). */
  relatives: Pick<RelativeCascadeService, "startInStage">;
  /** Cancel presses within the window, and repeated presses attached to the open alarm. */
  lifecycle: Pick<
    LifecycleService,
    "cancelFromDeviceInTransaction" | "afterDeviceCancel" | "attachPressInTransaction" | "attachCallInTransaction"
  >;
  bus: EventBus;
  logger: Logger;
  settings: { publicUrl: string; smsLanguage: SmsLanguage; timeZone: string };
}

/**
 * What the pipeline times as it goes, for the hub's metrics (hub/metrics/). Called on the hot path, so
 * each call only records numbers: it never awaits, never reads storage, and must not throw.
 */
export interface PipelineMeter {
  /** A stage ran for `seconds`: an intake stage, or an alarm stage in its savepoint; failed runs too. */
  stageRan(stage: string, seconds: number): void;
  /** An alarm stage threw (rolled back; its alarm waits for the retry). */
  stageFailed(stage: string): void;
  /** A press (a copy acked again as a duplicate too) was acked `seconds` after the broker took it. */
  pressAcked(kind: AlarmKind, seconds: number): void;
}

/** Times nothing: a pipeline built without the hub's metrics (tests of one part). */
export const NO_METER: PipelineMeter = {
  stageRan() {},
  stageFailed() {},
  pressAcked() {},
};

/** What intake knows about one received press, filled in stage by stage. */
export interface PressContext {
  deviceId: string;
  topic: string;
  payload: Buffer;
  receivedAt: Date;
  message?: AlarmMessage;
  device?: DeviceRow;
  /** The incident this press belongs to (null: a cancel with nothing open). */
  alarmId: number | null;
  /** True when this press id was stored before: it is acked again and nothing else happens. */
  duplicate: boolean;
  /** True when persist created a new incident whose alarm stages must now run. */
  createdAlarm: boolean;
  log: Logger;
}

export type IntakeOutcome = "continue" | "halt";

/** An intake stage before storage or after it (validate, ack): it may await (it talks to the device). */
export interface DeviceIntakeStage {
  readonly name: string;
  readonly stores?: false;
  /** It answers the device: once it returned, the press is acked (the press → ack time is taken then). */
  readonly acks?: true;
  run(context: PressContext, deps: PipelineDeps): IntakeOutcome | Promise<IntakeOutcome>;
}

/**
 * What a storing intake stage leaves for after the commit that holds its press: awaited in order, before
 * the ack; one that fails is logged and the others still run (hub/after-commit.ts).
 */
export type IntakeAfterCommit = AfterCommitWork;

/**
 * An intake stage that reads and writes storage (dedupe, persist). It runs
 * inside the press's savepoint, back to back with the other storing stages, so
 * nothing can slip between de-duplication and persist; a throw rolls back this
 * press alone, which then gets no ack (the device retries). It may await
 * storage, nothing else: the group commit holds the database while it runs.
 */
export interface StoringIntakeStage {
  readonly name: string;
  readonly stores: true;
  run(
    context: PressContext,
    deps: PipelineDeps,
    afterCommit: (work: IntakeAfterCommit) => void,
  ): IntakeOutcome | Promise<IntakeOutcome>;
}

export type IntakeStage = DeviceIntakeStage | StoringIntakeStage;

/** What a post-storage stage leaves for after its commit: it returns at once (slow work it starts, it does not await). */
export type StageAfterCommit = () => void;

export interface AlarmStage {
  readonly name: string;
  /**
   * It runs inside the same transaction that marks it done, so its writes
   * (outbox rows included) and its completion commit together: it may await
   * storage, nothing else. Work that must wait for the commit (pushes, device
   * feedback, async follow-ups such as asking a router) is handed to
   * `afterCommit`: it runs only once the commit succeeded, and is dropped with
   * the transaction when the stage fails.
   */
  run(alarm: AlarmRow, deps: PipelineDeps, afterCommit: (work: StageAfterCommit) => void): void | Promise<void>;
}
