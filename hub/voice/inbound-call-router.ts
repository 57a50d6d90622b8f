/**
 * A call to the center reaches a person (issue 14). Once the call is stored as
 * an alarm (hub/pipeline/call-intake.ts), it rings:
 *
 * 1. every operator on duty at once (an enabled operator with a phone or SIP
 *    contact and a console session that has not expired), for `ringS`;
 * 2. if nobody accepts, every supervisor with a contact and the configured
 *    supervisor phone (ANXIN_SUPERVISOR_PHONE), for `ringS`;
 * 3. if nobody accepts either, the caller hears in their language that help is
 *    being sent, and the alarm stays open, unacknowledged, and escalates on its
 *    deadlines as any other.
 *
 * Whoever picks up first hears a whisper (the household's code) and accepts
 * with a key: a voicemail that answers does not take the call. The first
 * acceptance is kept on the call's row and acknowledges the alarm in that
 * operator's name; a second at the same moment is told the call is taken.
 * This class decides; the webhook routes turn its answers into TwiML
 * (hub/notify/caller-texts.ts).
 */
import type { Logger } from "pino";
import type { AlarmEventDetails } from "../../protocol/console/index.ts";
import { isSipAddress } from "../accounts/account-rules.ts";
import type { AlarmService } from "../alarms/alarm-service.ts";
import { AnxinError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import { type SmsLanguage, smsLanguageOf } from "../notify/sms-text.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { InboundCallRepository, InboundCallRow } from "../storage/inbound-call-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { UserRepository, UserRow } from "../storage/user-repo.ts";

/** A call to the center, as the webhook gives it. */
export interface InboundCallFacts {
  callSid: string;
  /** E.164, or null when withheld. */
  caller: string | null;
  called: string;
  receivedAt: Date;
}

/** The intake (hub/pipeline/call-intake.ts, through the pipeline). */
export interface InboundCalls {
  /** Stores the call's alarm (or a further press on the open one); resolves once committed. */
  raiseFromCall(
    call: InboundCallFacts,
  ): Promise<{ alarmId: number; replay: boolean; householdId: number | null; language: SmsLanguage }>;
}

/** A call's final statuses (Twilio's CallStatus). */
const CALL_ENDS: readonly string[] = ["completed", "busy", "no-answer", "failed", "canceled"];

/** Twilio dials at most ten numbers at once. */
const MOST_AT_ONCE = 10;

export type RingStage = "operators" | "supervisors";

/** Someone a call rings: a staff account, or the supervisor phone of the configuration (no account). */
export type RingTarget = { userId: number; contact: string } | { userId: null; contact: string };

export interface Ring {
  stage: RingStage;
  targets: RingTarget[];
  ringS: number;
}

export interface RoutedCall {
  alarmId: number;
  replay: boolean;
  /** The caller's language: the household's resident's, else the center's. */
  language: SmsLanguage;
  placed: boolean;
  /** Whom to ring now; null: nobody can be rung, the caller hears the message. */
  ring: Ring | null;
}

/** Who picked up: an account, or the supervisor phone. */
export type Answerer = { userId: number } | { userId: null };

export type WhisperOutcome =
  | { kind: "offer"; language: SmsLanguage; householdCode: string | null; caller: string | null }
  | { kind: "taken" | "unknown"; language: SmsLanguage };

export type AcceptOutcome = { kind: "connected" | "taken" | "unknown"; language: SmsLanguage };

export type DialOutcome =
  | { kind: "done" }
  | { kind: "ring"; ring: Ring }
  | { kind: "message"; language: SmsLanguage; placed: boolean };

export interface InboundCallRouterDeps {
  sql: SqlDatabase;
  intake: InboundCalls;
  calls: InboundCallRepository;
  alarms: Pick<AlarmRepository, "get" | "appendEvent">;
  alarmService: Pick<AlarmService, "acknowledge">;
  registry: Pick<RegistryRepository, "household" | "primaryResident">;
  users: Pick<UserRepository, "staffToRing" | "byId">;
  bus: EventBus;
  logger: Logger;
  clock: () => Date;
}

export interface InboundCallRouterSettings {
  /** Seconds each stage rings before the next (ANXIN_CALL_RING_S). */
  ringS: number;
  /** ANXIN_SUPERVISOR_PHONE: rung with the supervisors. */
  supervisorPhone: string | null;
  smsLanguage: SmsLanguage;
}

export class InboundCallRouter {
  private readonly deps: InboundCallRouterDeps;
  private readonly settings: InboundCallRouterSettings;

  constructor(deps: InboundCallRouterDeps, settings: InboundCallRouterSettings) {
    this.deps = deps;
    this.settings = settings;
  }

  /** The call rings: stored first (committed), then whom to ring. A replayed webhook rings again: the call is live. */
  async answer(call: InboundCallFacts): Promise<RoutedCall> {
    const stored = await this.deps.intake.raiseFromCall(call);
    const ring = (await this.ring("operators")) ?? (await this.ring("supervisors"));
    this.deps.logger.info(
      { alarmId: stored.alarmId, callSid: call.callSid, stage: ring?.stage ?? null, lines: ring?.targets.length ?? 0 },
      ring ? "call to the center: ringing staff" : "call to the center: nobody to ring, the caller hears the message",
    );
    // Once per call: Twilio re-sending the webhook gets the same answer, not a second timeline line.
    if (!ring && !stored.replay) await this.unanswered(call.callSid, stored.alarmId, "nobody_to_ring");
    return {
      alarmId: stored.alarmId,
      replay: stored.replay,
      language: stored.language,
      placed: stored.householdId !== null,
      ring,
    };
  }

  /** Someone picked up: what they hear before they accept (the household's code, in their language). */
  async whisper(callSid: string, answerer: Answerer): Promise<WhisperOutcome> {
    const user = answerer.userId === null ? undefined : await this.deps.users.byId(answerer.userId);
    const language = this.languageOf(user);
    const call = await this.deps.calls.get(callSid);
    if (!call) return { kind: "unknown", language };
    if (call.answered_at !== null) return { kind: "taken", language };
    const alarm = await this.deps.alarms.get(call.alarm_id);
    const household = alarm?.household_id ? await this.deps.registry.household(alarm.household_id) : undefined;
    return { kind: "offer", language, householdCode: household?.code ?? null, caller: call.caller };
  }

  /** A key pressed after the whisper: the first acceptance takes the call and acknowledges the alarm. */
  async accept(callSid: string, answerer: Answerer, stage: RingStage): Promise<AcceptOutcome> {
    const user = answerer.userId === null ? undefined : await this.deps.users.byId(answerer.userId);
    const language = this.languageOf(user);
    const call = await this.deps.calls.get(callSid);
    if (!call) return { kind: "unknown", language };
    // An account removed or disabled since its phone was rung takes no call in its name.
    if (answerer.userId !== null && user?.disabled !== 0) return { kind: "unknown", language };
    const at = this.deps.clock().toISOString();
    const actor = user ? `user:${user.username}` : `phone:${this.settings.supervisorPhone ?? "supervisor"}`;
    const taken = await this.deps.sql.transaction(async () => {
      if (!(await this.deps.calls.markAnswered(callSid, user?.id ?? null, at))) return false;
      await this.deps.alarms.appendEvent(call.alarm_id, "call_answered", actor, { callSid, stage }, at);
      return true;
    });
    if (!taken) return { kind: "taken", language };
    this.deps.logger.info({ alarmId: call.alarm_id, callSid, stage, actor }, "call to the center answered");
    this.deps.bus.emit("alarm.changed", { alarmId: call.alarm_id, change: "call_answered" });
    if (user) await this.acknowledge(call.alarm_id, user);
    return { kind: "connected", language };
  }

  /**
   * A stage's `<Dial>` ended. Whether anyone accepted is read from the call's row, not from Twilio's
   * DialCallStatus: a voicemail that picked up and hung up after the whisper is "completed" to Twilio.
   */
  async dialEnded(callSid: string, stage: RingStage, callerHungUp: boolean): Promise<DialOutcome> {
    const call = await this.deps.calls.get(callSid);
    if (!call) return { kind: "message", language: this.settings.smsLanguage, placed: false };
    if (call.answered_at !== null) return { kind: "done" };
    const next = stage === "operators" && !callerHungUp ? await this.ring("supervisors") : null;
    if (next) {
      this.deps.logger.info({ alarmId: call.alarm_id, callSid }, "no operator took the call: ringing the supervisors");
      return { kind: "ring", ring: next };
    }
    await this.unanswered(callSid, call.alarm_id, callerHungUp ? "caller_hung_up" : "nobody_answered", stage);
    if (callerHungUp) return { kind: "done" };
    return { kind: "message", ...(await this.callerFacts(call)) };
  }

  /**
   * The center number's status callback: how a call to the center ended, shown once on its alarm's
   * timeline. Progress before the end (ringing, in-progress) says nothing the timeline lacks.
   */
  async onStatus(report: {
    sid: string;
    status: string;
    durationS: number | null;
  }): Promise<"recorded" | "ignored" | "unknown"> {
    const call = await this.deps.calls.get(report.sid);
    if (!call) return "unknown";
    if (!CALL_ENDS.includes(report.status)) return "ignored";
    const at = this.deps.clock().toISOString();
    const recorded = await this.deps.sql.transaction(async () => {
      if (!(await this.deps.calls.markEnded(report.sid, report.status, report.durationS))) return false;
      const detail = { callSid: report.sid, status: report.status, durationS: report.durationS };
      await this.deps.alarms.appendEvent(call.alarm_id, "call_ended", "twilio", detail, at);
      return true;
    });
    if (!recorded) return "ignored";
    this.deps.bus.emit("alarm.changed", { alarmId: call.alarm_id, change: "call_ended" });
    return "recorded";
  }

  private async ring(stage: RingStage): Promise<Ring | null> {
    const signedInAt = stage === "operators" ? this.deps.clock().toISOString() : null;
    const role = stage === "operators" ? "operator" : "supervisor";
    const staff = await this.deps.users.staffToRing(role, signedInAt, MOST_AT_ONCE);
    const lines: RingTarget[] = staff.map((s) => ({ userId: s.id, contact: s.contact }));
    const phone = this.settings.supervisorPhone;
    if (stage === "supervisors" && phone !== null && !lines.some((t) => t.contact === phone)) {
      lines.push({ userId: null, contact: phone });
    }
    // Twilio takes one <Sip> per <Dial>, and no other noun beside it (unless the account has Enhanced
    // Programmable SIP): the phones ring together; a SIP address only when nobody of the stage has a phone.
    const phones = lines.filter((t) => !isSipAddress(t.contact));
    const targets = phones.length > 0 ? phones.slice(0, MOST_AT_ONCE) : lines.slice(0, 1);
    if (targets.length === 0) return null;
    return { stage, targets, ringS: this.settings.ringS };
  }

  private async unanswered(
    callSid: string,
    alarmId: number,
    why: AlarmEventDetails["call_unanswered"]["why"],
    stage?: RingStage,
  ): Promise<void> {
    const at = this.deps.clock().toISOString();
    await this.deps.alarms.appendEvent(alarmId, "call_unanswered", "system", { callSid, why, stage }, at);
    this.deps.logger.warn({ code: "CALL_UNANSWERED", alarmId, callSid, why }, "nobody at the center took the call");
    this.deps.bus.emit("alarm.changed", { alarmId, change: "call_unanswered" });
  }

  private async acknowledge(alarmId: number, user: UserRow): Promise<void> {
    const alarm = await this.deps.alarms.get(alarmId);
    if (!alarm || alarm.acknowledged_at !== null) return;
    try {
      await this.deps.alarmService.acknowledge(alarmId, user);
    } catch (error) {
      // Acknowledged on a console meanwhile, or closed: the operator is still put through. Any other failure
      // must not cut the caller off either: the call is taken (committed); the alarm stays unacknowledged and
      // escalates on its deadline, and the operator acknowledges it on the console.
      if (error instanceof AnxinError && error.code === "ALARM_STATE_CONFLICT") return;
      this.deps.logger.error(
        { err: error, code: "CALL_ACK_FAILED", alarmId, user: user.username },
        "the call was taken but the alarm could not be acknowledged in that name",
      );
    }
  }

  /** What whoever picked up hears in: their account's language; the center's for the supervisor phone. */
  private languageOf(user: UserRow | undefined): SmsLanguage {
    return smsLanguageOf(user?.language ?? this.settings.smsLanguage, this.settings.smsLanguage);
  }

  private async callerFacts(call: InboundCallRow): Promise<{ language: SmsLanguage; placed: boolean }> {
    const alarm = await this.deps.alarms.get(call.alarm_id);
    const householdId = alarm?.household_id ?? null;
    const resident = householdId === null ? undefined : await this.deps.registry.primaryResident(householdId);
    const fallback = this.settings.smsLanguage;
    return { language: smsLanguageOf(resident?.language ?? fallback, fallback), placed: householdId !== null };
  }
}
