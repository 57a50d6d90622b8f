/**
 * The relatives' cascade as the rest of the hub sees it: the pipeline stage
 * starts it, the watcher drives its deadlines and settles contacts whose SMS
 * or call ended, Twilio's webhooks bring replies, key presses and status
 * callbacks, and closing an alarm stops it. Each action is one SQLite
 * transaction; console pushes and the outbox sender's wake-up follow the commit.
 */

import type { Logger } from "pino";
import type { Reason } from "../../protocol/console/index.ts";
import { AfterCommit } from "../after-commit.ts";
import type { DispatchCloseOut } from "../alarms/alarm-service.ts";
import { forEachChunked } from "../chunked.ts";
import type { EventBus } from "../events.ts";
import type { FamilyLinkMinter } from "../family/family-links.ts";
import { confirmedReply, replyHelp } from "../notify/relative-texts.ts";
import { type SmsLanguage, smsLanguageOf } from "../notify/sms-text.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { CallHangupRepository } from "../storage/call-hangup-repo.ts";
import { type DeliveryChannel, isAnsweredCall } from "../storage/delivery-status.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { RegistryRepository, RelativeRow } from "../storage/registry-repo.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import { CallCanceller } from "./call-cancel.ts";
import { CascadeRepository, type ContactRow, type EndedContact } from "./cascade-repo.ts";
import { RelativeCascade } from "./relative-cascade.ts";
import { isConfirmation, normalisePhone } from "./replies.ts";
import type { Clock, RelativeSettings } from "./types.ts";

/** Why a cascade stops when its alarm is closed (by anyone, or found closed by the watcher). */
const ALARM_CLOSED: Reason<"alarm_closed"> = { code: "alarm_closed", params: {} };

export interface InboundSms {
  /** Twilio's id of the message: a second request with it is a replay. */
  messageSid: string;
  from: string;
  body: string;
}

/**
 * What to answer a text: nothing to an unknown sender or to a replay (the
 * same MessageSid again), a short line in the relative's language otherwise.
 */
export type InboundOutcome =
  | { kind: "unknown" }
  | { kind: "replay" }
  | { kind: "confirmed" | "repeated" | "not_confirmation"; alarmId: number; language: string; reply: string };

/** A key pressed during a relative's call, as Twilio's `<Gather>` posts it. */
export interface KeypadPress {
  callSid: string;
  digits: string;
  /** Twilio's CallStatus with the request (`in-progress`: the call was answered). */
  callStatus: string | null;
}

/** What the call says next: goodbye on a call the hub does not know, thanks, or how to confirm. */
export type KeypadOutcome =
  | { kind: "unknown"; language: SmsLanguage }
  | {
      kind: "confirmed" | "repeated" | "not_confirmation";
      alarmId: number;
      language: SmsLanguage;
      residentName: string;
    };

export interface DeliveryReport {
  /** MessageSid or CallSid. */
  sid: string;
  status: string;
  channel: DeliveryChannel;
  errorCode: string | null;
}

export type DeliveryOutcome = "unknown_sid" | "stale" | "recorded";

export interface CascadeServiceDeps {
  sql: SqlSession;
  alarms: AlarmRepository;
  registry: RegistryRepository;
  outbox: OutboxRepository;
  hangups: CallHangupRepository;
  /** Mints each texted relative's family status link (`/f/<token>`) for their first SMS. */
  links: FamilyLinkMinter;
  bus: EventBus;
  logger: Logger;
  settings: RelativeSettings;
  clock: Clock;
}

export class RelativeCascadeService {
  readonly repo: CascadeRepository;
  private readonly deps: CascadeServiceDeps;
  private readonly cascade: RelativeCascade;

  constructor(deps: CascadeServiceDeps) {
    this.deps = deps;
    this.repo = new CascadeRepository(deps.sql);
    const calls = new CallCanceller({ ...deps, repo: this.repo });
    this.cascade = new RelativeCascade({ ...deps, repo: this.repo, calls });
  }

  /**
   * The `notify_relatives` stage: the first wave inside its transaction; the
   * returned function runs after the commit. It only wakes the outbox sender:
   * consoles hear of the new alarm from the pipeline's publish stage, complete.
   */
  async startInStage(alarm: AlarmRow): Promise<() => void> {
    const effects = new AfterCommit();
    await this.cascade.start(alarm, effects);
    return () => {
      if (effects.outboxAdded > 0) this.deps.bus.emit("outbox.enqueued", { count: effects.outboxAdded });
      this.runWork(effects);
    };
  }

  /**
   * An operator reached a relative on a call from the console: stops the cascade as a confirmation does.
   * Runs in the caller's transaction; the returned function tells the consoles once it has committed.
   */
  async confirmByOperatorInTransaction(alarmId: number, relative: RelativeRow): Promise<() => void> {
    const effects = new AfterCommit();
    await this.cascade.confirmByOperator(alarmId, relative, effects);
    return () => this.afterCommit(effects);
  }

  /**
   * One watcher pass: contacts that ended, cascades of closed alarms, steps past their deadline.
   * Each item is its own transaction that re-reads what it acts on; they run in chunks with a turn
   * of the event loop between (hub/chunked.ts), since a burst's cascades fall due together.
   * `proceed` ends the pass early, between chunks (the watcher is stopping).
   */
  async scan(proceed: () => boolean = () => true): Promise<{ settled: number; stopped: number; advanced: number }> {
    const ended = await this.repo.endedContacts();
    await forEachChunked(ended, (contact) => this.transact((fx) => this.settleEnded(contact, fx)), proceed);
    const closed = await this.repo.runningForClosedAlarms();
    await forEachChunked(
      closed,
      (alarmId) => this.transact((fx) => this.cascade.stop(alarmId, "system", ALARM_CLOSED, fx)),
      proceed,
    );
    const now = this.deps.clock().toISOString();
    const due = await this.repo.dueCascades(now);
    await forEachChunked(due, (alarmId) => this.advanceDue(alarmId, now), proceed);
    return { settled: ended.length, stopped: closed.length, advanced: due.length };
  }

  private async advanceDue(alarmId: number, now: string): Promise<void> {
    await this.transact(async (fx) => {
      // Re-read inside the transaction: a confirmation may have just ended it.
      const cascade = await this.repo.cascade(alarmId);
      if (!cascade?.deadline_at || cascade.deadline_at > now) return;
      const seconds = this.deps.settings.confirmS;
      await this.cascade.advance(
        alarmId,
        fx,
        cascade.status === "calling"
          ? { code: "call_not_confirmed_in_time", params: { seconds } }
          : { code: "nobody_confirmed_in_time", params: { seconds } },
      );
    });
  }

  /** A status callback: stored when it moves the message forward; a failed SMS or an ended call moves the cascade on. */
  onDeliveryReport(report: DeliveryReport): Promise<DeliveryOutcome> {
    const { outbox, alarms } = this.deps;
    return this.transact(async (fx) => {
      const at = this.deps.clock().toISOString();
      const update = await outbox.recordDeliveryStatus(report.sid, report.status, report.errorCode, at);
      if (!update.found) return "unknown_sid";
      if (!update.changed) return "stale";
      const row = update.row;
      if (row.alarm_id !== null) {
        await alarms.appendEvent(row.alarm_id, "delivery_status", "twilio", {
          channel: row.channel,
          to: row.recipient,
          purpose: row.purpose,
          status: report.status,
          previous: update.previous,
          ...(report.errorCode ? { errorCode: report.errorCode } : {}),
        });
        fx.change(row.alarm_id, "delivery_status");
      }
      for (const contact of await this.repo.endedContacts(row.id)) await this.settleEnded(contact, fx);
      return "recorded";
    });
  }

  /** A text from a phone: a relative of an open alarm confirms (or says something else); anyone else is unknown. */
  onInboundSms(sms: InboundSms): Promise<InboundOutcome> {
    return this.transact(async (fx): Promise<InboundOutcome> => {
      // Recorded in the transaction that acts on it: a replay can neither act twice nor slip in between.
      if (!(await this.repo.recordInboundSms(sms.messageSid, this.deps.clock().toISOString()))) {
        return { kind: "replay" };
      }
      const contact = await this.repo.latestOpenContactByPhone(normalisePhone(sms.from));
      if (!contact) return { kind: "unknown" };
      const facts = { alarmId: contact.alarm_id, residentName: await this.residentName(contact) };
      const language = this.language(contact);
      if (isConfirmation(sms.body)) {
        const kind = (await this.cascade.confirm(contact, sms.body, fx)) ? "confirmed" : "repeated";
        return { kind, alarmId: contact.alarm_id, language, reply: confirmedReply(facts, language) };
      }
      await this.cascade.recordReply(contact, sms.body, fx);
      return { kind: "not_confirmation", alarmId: contact.alarm_id, language, reply: replyHelp(facts, language) };
    });
  }

  /**
   * A key pressed during a relative's call, identified by its CallSid: 1
   * confirms exactly as an SMS reply does; another key is recorded as a reply.
   * A call of an alarm that is closed, or one we never placed, is unknown.
   */
  onKeypad(press: KeypadPress): Promise<KeypadOutcome> {
    return this.transact(async (fx): Promise<KeypadOutcome> => {
      const contact = await this.repo.openContactByCallSid(press.callSid);
      if (!contact) return { kind: "unknown", language: this.deps.settings.smsLanguage };
      if (press.callStatus === "in-progress") {
        // Only an answered call can post a key; knowing it, a later hang-up sends `completed` at once.
        await this.deps.outbox.recordDeliveryStatus(
          press.callSid,
          "in-progress",
          null,
          this.deps.clock().toISOString(),
        );
      }
      const facts = {
        alarmId: contact.alarm_id,
        language: this.language(contact),
        residentName: await this.residentName(contact),
      };
      if (press.digits === "1") {
        const kind = (await this.cascade.confirm(contact, "1", fx, "keypad")) ? "confirmed" : "repeated";
        return { kind, ...facts };
      }
      await this.cascade.recordReply(contact, press.digits === "" ? null : press.digits, fx, "keypad");
      return { kind: "not_confirmation", ...facts };
    });
  }

  /** Wraps dispatch's close-out so that resolving an alarm stops its cascade in the same transaction. */
  closingWith(dispatch: DispatchCloseOut): DispatchCloseOut {
    return {
      closeOut: async (alarmId, actor, effects) => {
        await dispatch.closeOut(alarmId, actor, effects);
        await this.cascade.stop(alarmId, actor, ALARM_CLOSED, effects);
      },
      afterCommit: (effects) => dispatch.afterCommit(effects),
    };
  }

  private async residentName(contact: ContactRow): Promise<string> {
    const alarm = await this.deps.alarms.get(contact.alarm_id);
    return (alarm?.resident_id ? (await this.deps.registry.resident(alarm.resident_id))?.name : undefined) ?? "";
  }

  private language(contact: ContactRow): SmsLanguage {
    return smsLanguageOf(contact.language, this.deps.settings.smsLanguage);
  }

  private async settleEnded(contact: EndedContact, fx: AfterCommit): Promise<void> {
    const current = await this.repo.contact(contact.id);
    if (current?.outcome !== "waiting") return;
    if (contact.outbox_status === "failed") {
      await this.cascade.contactEnded(current, "failed", { error: contact.last_error }, fx);
    } else if (isAnsweredCall(contact.channel, contact.delivery_status)) {
      await this.cascade.contactEnded(current, "answered", { status: contact.delivery_status }, fx);
    } else {
      await this.cascade.contactEnded(current, "failed", { status: contact.delivery_status }, fx);
    }
  }

  private async transact<T>(work: (effects: AfterCommit) => T | Promise<T>): Promise<T> {
    const effects = new AfterCommit();
    const result = await this.deps.sql.transaction(async () => work(effects));
    this.afterCommit(effects);
    return result;
  }

  /** Each distinct change once (a pass may record the same one for many contacts of an alarm), then the outbox. */
  private afterCommit(effects: AfterCommit): void {
    this.deps.bus.announce(effects);
    this.runWork(effects);
  }

  /** The cascade queues no work of its own today; it is run all the same, so none is ever dropped. */
  private runWork(effects: AfterCommit): void {
    void effects.run((error) =>
      this.deps.logger.error({ err: error }, "after-commit work of the relatives' cascade failed"),
    );
  }
}
