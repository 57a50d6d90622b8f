/**
 * Operators call back from the console (issue 14). A click names whom to call
 * (the resident, the household phone, a relative, the worker, the key holder);
 * the hub finds the number itself, so an operator never types one. The call is
 * an outbox row (channel `voice`, durable and retried like every message): Twilio
 * rings the operator's own phone or SIP address (their account's contact), reads
 * whom they are being connected to, and `<Dial>`s the callee with the center's
 * number as caller ID (hub/notify/callback-texts.ts).
 *
 * The timeline follows the call: placed (by whom, to whom), then the callee's
 * ringing, answered and end (completed with its duration, busy, no answer,
 * failed) from Twilio's signed status callbacks, which only move it forward.
 * With ANXIN_CALL_RECORDING the conversation is recorded; supervisors can play
 * it, each play audited. After the call the operator marks its result; reaching
 * a relative stops the relatives' cascade as a confirming reply does.
 */

import type { Logger } from "pino";
import { CLOSED_STATUSES } from "../../protocol/console/index.ts";
import { AnxinError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import { callbackTwiml } from "../notify/callback-texts.ts";
import { smsLanguageOf } from "../notify/sms-text.ts";
import type { RelativeCascadeService } from "../relatives/cascade-service.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type {
  CallMark,
  CallTarget,
  ConsoleCallListRow,
  ConsoleCallRepository,
  ConsoleCallRow,
} from "../storage/console-call-repo.ts";
import { advancesStatus } from "../storage/delivery-status.ts";
import { OUTBOX_PRIORITY } from "../storage/outbox-priority.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { UserRepository, UserRow } from "../storage/user-repo.ts";

export interface ConsoleCallsDeps {
  sql: SqlDatabase;
  alarms: Pick<AlarmRepository, "get" | "appendEvent">;
  registry: Pick<RegistryRepository, "household" | "resident" | "relatives" | "worker">;
  calls: ConsoleCallRepository;
  outbox: Pick<OutboxRepository, "enqueue" | "byDedupeKey">;
  relatives: Pick<RelativeCascadeService, "confirmByOperatorInTransaction">;
  users: Pick<UserRepository, "audit">;
  bus: EventBus;
  logger: Logger;
  clock: () => Date;
}

export interface ConsoleCallsSettings {
  /** ANXIN_PUBLIC_URL: where Twilio posts the callee's status and the recording. */
  publicUrl: string;
  /** The center's Twilio number (TWILIO_FROM), the caller ID callees see; null without Twilio. */
  centerNumber: string | null;
  /** ANXIN_CALL_RECORDING. */
  recording: boolean;
}

/** Which marks fit a call to whom: the resident's state only from a call to the resident or the household. */
const MARKS_FOR: Readonly<Record<CallTarget, readonly CallMark[]>> = {
  resident: ["resident_ok", "resident_needs_help", "no_answer"],
  landline: ["resident_ok", "resident_needs_help", "no_answer"],
  relative: ["relative_reached", "no_answer"],
  worker: ["no_answer"],
  key_holder: ["no_answer"],
};

interface Callee {
  name: string;
  phone: string | null;
  relativeId: number | null;
}

export class ConsoleCalls {
  private readonly deps: ConsoleCallsDeps;
  private readonly settings: ConsoleCallsSettings;

  constructor(deps: ConsoleCallsDeps, settings: ConsoleCallsSettings) {
    this.deps = deps;
    this.settings = settings;
  }

  /** Rings the operator's phone, then the callee; committed (in the outbox) when it returns. */
  async place(alarmId: number, user: UserRow, target: CallTarget, relativeId: number | null): Promise<number> {
    if (user.contact === null) {
      throw new AnxinError(
        "CALL_NO_OPERATOR_PHONE",
        "your account has no phone or SIP address: ask an administrator to add one (Users page)",
      );
    }
    const operatorLine = user.contact;
    const at = this.deps.clock().toISOString();
    const base = this.settings.publicUrl.replace(/\/+$/, "");
    const callId = await this.deps.sql.transaction(async () => {
      const alarm = await this.openAlarm(alarmId);
      const callee = await this.callee(alarm, target, relativeId);
      if (callee.phone === null) {
        throw new AnxinError("CALL_NO_NUMBER", `no phone number on record for the ${target.replace("_", " ")}`, {
          target,
        });
      }
      const id = await this.deps.calls.insert({
        alarmId,
        userId: user.id,
        target,
        relativeId: callee.relativeId,
        calleeName: callee.name,
        calleePhone: callee.phone,
        createdAt: at,
      });
      const twiml = callbackTwiml({
        language: smsLanguageOf(user.language, "zh-CN"),
        calleeName: callee.name,
        calleePhone: callee.phone,
        callerId: this.settings.centerNumber,
        statusUrl: `${base}/api/twilio/voice/callee-status?call=${id}`,
        recordingUrl: this.settings.recording ? `${base}/api/twilio/voice/recording?call=${id}` : null,
      });
      const purpose = `console_call:${id}`;
      await this.deps.outbox.enqueue([
        {
          channel: "voice",
          recipient: operatorLine,
          body: twiml,
          alarmId,
          purpose,
          dedupeKey: purpose,
          // The operator is waiting at the phone: before everything but nothing.
          priority: OUTBOX_PRIORITY.firstContact,
        },
      ]);
      const outbox = await this.deps.outbox.byDedupeKey(purpose);
      if (outbox) await this.deps.calls.setOutbox(id, outbox.id);
      await this.deps.alarms.appendEvent(
        alarmId,
        "callback_placed",
        `user:${user.username}`,
        { callId: id, target, name: callee.name },
        at,
      );
      return id;
    });
    this.deps.logger.info({ alarmId, callId, target, user: user.username }, "operator calls back from the console");
    this.deps.bus.emit("outbox.enqueued", { count: 1 });
    this.deps.bus.emit("alarm.changed", { alarmId, change: "callback_placed" });
    return callId;
  }

  /** The callee leg's status callback; stored and shown only when it moves the call forward. */
  async onCalleeStatus(
    callId: number,
    report: { sid: string; status: string; durationS: number | null },
  ): Promise<"recorded" | "stale" | "unknown"> {
    const at = this.deps.clock().toISOString();
    const outcome = await this.deps.sql.transaction(async () => {
      const call = await this.deps.calls.get(callId);
      if (!call) return { kind: "unknown" as const };
      if (!advancesStatus("voice", call.callee_status, report.status)) return { kind: "stale" as const };
      // Conditional on the status read: two callbacks at once on two connections cannot both move it.
      if (!(await this.deps.calls.setCalleeStatus(callId, call.callee_status, { ...report, at }))) {
        return { kind: "stale" as const };
      }
      await this.deps.alarms.appendEvent(
        call.alarm_id,
        "callback_status",
        "twilio",
        {
          callId,
          name: call.callee_name,
          status: report.status,
          ...(report.durationS === null ? {} : { durationS: report.durationS }),
        },
        at,
      );
      return { kind: "recorded" as const, alarmId: call.alarm_id };
    });
    if (outcome.kind === "recorded") this.deps.bus.emit("alarm.changed", { alarmId: outcome.alarmId, change: "call" });
    return outcome.kind;
  }

  /** The conversation's recording is ready (ANXIN_CALL_RECORDING). */
  async onRecording(callId: number, recording: { sid: string; url: string; durationS: number | null }) {
    const call = await this.deps.calls.get(callId);
    if (!call) return "unknown" as const;
    await this.deps.calls.setRecording(callId, recording);
    this.deps.bus.emit("alarm.changed", { alarmId: call.alarm_id, change: "call_recorded" });
    return "recorded" as const;
  }

  /** The operator's one-click result of the call; reaching a relative stops the relatives' cascade. */
  async mark(alarmId: number, callId: number, user: UserRow, mark: CallMark): Promise<void> {
    const at = this.deps.clock().toISOString();
    // What the relatives' cascade tells the consoles once this commits (when a relative was reached).
    const afterCommit = await this.deps.sql.transaction(async (): Promise<(() => void) | null> => {
      const call = await this.callOf(alarmId, callId);
      if (!MARKS_FOR[call.target].includes(mark)) {
        throw new AnxinError("VALIDATION_FAILED", `a call to the ${call.target} cannot be marked ${mark}`);
      }
      if (!(await this.deps.calls.setMark(callId, mark, user.id, at))) {
        throw new AnxinError("CALL_ALREADY_MARKED", `call ${callId} already has its result`);
      }
      await this.deps.alarms.appendEvent(
        alarmId,
        "callback_marked",
        `user:${user.username}`,
        { callId, mark, name: call.callee_name },
        at,
      );
      if (mark === "relative_reached" && call.relative_id !== null) {
        const alarm = await this.openAlarm(alarmId);
        const relative = alarm.resident_id
          ? (await this.deps.registry.relatives(alarm.resident_id)).find((r) => r.id === call.relative_id)
          : undefined;
        if (relative) return this.deps.relatives.confirmByOperatorInTransaction(alarmId, relative);
      }
      return null;
    });
    afterCommit?.();
    this.deps.bus.emit("alarm.changed", { alarmId, change: "callback_marked" });
  }

  /** A recording for a supervisor to play: its Twilio URL, the play audited. */
  async recordingToPlay(alarmId: number, callId: number, user: UserRow): Promise<string> {
    const call = await this.callOf(alarmId, callId);
    if (call.recording_url === null) throw new AnxinError("CALL_NOT_FOUND", `call ${callId} has no recording`);
    await this.deps.users.audit(`user:${user.username}`, "recording_played", `alarm:${alarmId}`, {
      callId,
      recordingSid: call.recording_sid,
    });
    return call.recording_url;
  }

  list(alarmId: number): Promise<ConsoleCallListRow[]> {
    return this.deps.calls.forAlarm(alarmId);
  }

  private async callOf(alarmId: number, callId: number): Promise<ConsoleCallRow> {
    const call = await this.deps.calls.get(callId);
    if (!call || call.alarm_id !== alarmId) {
      throw new AnxinError("CALL_NOT_FOUND", `alarm ${alarmId} has no call ${callId}`);
    }
    return call;
  }

  private async openAlarm(alarmId: number): Promise<AlarmRow> {
    const alarm = await this.deps.alarms.get(alarmId);
    if (!alarm) throw new AnxinError("ALARM_NOT_FOUND", `no alarm ${alarmId}`, { alarmId });
    if (CLOSED_STATUSES.includes(alarm.status)) {
      throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is ${alarm.status}`, { status: alarm.status });
    }
    return alarm;
  }

  /** Whom the click names, and their number from the registry (null: none on record). */
  private async callee(alarm: AlarmRow, target: CallTarget, relativeId: number | null): Promise<Callee> {
    const { registry } = this.deps;
    if (target === "worker") {
      const worker = alarm.worker_id === null ? undefined : await registry.worker(alarm.worker_id);
      if (!worker) throw new AnxinError("CALL_NO_NUMBER", "no worker is assigned to this alarm", { target });
      return { name: worker.name, phone: worker.phone, relativeId: null };
    }
    const household = alarm.household_id === null ? undefined : await registry.household(alarm.household_id);
    if (!household) throw new AnxinError("ALARM_NOT_LOCATED", "the alarm has no household yet: place it first");
    if (target === "landline") return { name: household.code, phone: household.landline, relativeId: null };
    if (target === "key_holder") {
      return { name: household.key_holder ?? household.code, phone: household.key_holder_phone, relativeId: null };
    }
    const resident = alarm.resident_id === null ? undefined : await registry.resident(alarm.resident_id);
    if (!resident) throw new AnxinError("ALARM_NOT_LOCATED", "the alarm has no resident on record");
    if (target === "resident") return { name: resident.name, phone: resident.phone, relativeId: null };
    const relative = (await registry.relatives(resident.id)).find((r) => r.id === relativeId);
    if (!relative) throw new AnxinError("CALL_NO_NUMBER", "no such relative of this resident", { target });
    return { name: relative.name, phone: relative.phone, relativeId: relative.id };
  }
}
