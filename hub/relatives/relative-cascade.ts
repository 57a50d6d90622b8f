/**
 * The relatives' cascade as a state machine. Every method runs inside the
 * caller's transaction (it awaits storage only), so a step's outbox rows, its
 * contacts, the cascade's new deadline and the alarm event commit together.
 *
 * texting: the first `firstWave` relatives (priority order) get an SMS at once;
 *   each timeout without a confirmation texts the next `firstWave`; an SMS that
 *   fails for good brings in the next relative at once.
 * calling: once everyone was texted, relatives are called one by one, in order;
 *   a call that ends (answered or not) or times out moves on to the next.
 * A confirming reply or key press ends it (`confirmed`); nobody left ends it
 * (`unreachable`); closing the alarm ends it (`stopped`). Confirmed or stopped,
 * its calls that have not ended are withdrawn or hung up (call-cancel.ts).
 */
import {
  type AlarmEventDetails,
  type CascadeStepReason,
  type CascadeStopReason,
  CLOSED_STATUSES,
} from "../../protocol/console/index.ts";
import type { AfterCommit } from "../after-commit.ts";
import type { FamilyLinkMinter } from "../family/family-links.ts";
import { relativeCallTwiml } from "../notify/relative-texts.ts";
import { relativeAlarmSms, type SmsLanguage, smsLanguageOf } from "../notify/sms-text.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import { relativeSmsPriority } from "../storage/outbox-priority.ts";
import type { NewOutboxMessage, OutboxChannel, OutboxRepository } from "../storage/outbox-repo.ts";
import type { RegistryRepository, RelativeRow } from "../storage/registry-repo.ts";
import type { CallCanceller } from "./call-cancel.ts";
import type { CascadeRepository, ContactRow } from "./cascade-repo.ts";
import { normalisePhone } from "./replies.ts";
import { type Clock, type RelativeSettings, who } from "./types.ts";

/** How a relative confirmed: a reply to the SMS, or 1 on the call's keypad. */
/** `operator_call`: an operator reached the relative on a call from the console (hub/voice/console-calls.ts). */
export type ConfirmedVia = "sms" | "keypad" | "operator_call";

interface Facts {
  alarm: AlarmRow;
  residentId: number;
  residentName: string;
  address: string;
}

const RUNNING = ["texting", "calling"];

export class RelativeCascade {
  private readonly alarms: AlarmRepository;
  private readonly registry: RegistryRepository;
  private readonly outbox: OutboxRepository;
  private readonly repo: CascadeRepository;
  private readonly calls: CallCanceller;
  private readonly links: FamilyLinkMinter;
  private readonly settings: RelativeSettings;
  private readonly clock: Clock;

  constructor(deps: {
    alarms: AlarmRepository;
    registry: RegistryRepository;
    outbox: OutboxRepository;
    repo: CascadeRepository;
    calls: CallCanceller;
    links: FamilyLinkMinter;
    settings: RelativeSettings;
    clock: Clock;
  }) {
    this.alarms = deps.alarms;
    this.registry = deps.registry;
    this.outbox = deps.outbox;
    this.repo = deps.repo;
    this.calls = deps.calls;
    this.links = deps.links;
    this.settings = deps.settings;
    this.clock = deps.clock;
  }

  /** The first wave (the `notify_relatives` stage). Only emergencies reach relatives. */
  async start(alarm: AlarmRow, effects: AfterCommit): Promise<void> {
    if (alarm.kind !== "sos" || (await this.repo.cascade(alarm.id))) return;
    const facts = await this.facts(alarm);
    if (!facts) {
      await this.alarms.appendEvent(alarm.id, "relatives_not_notified", "system", {
        reason: { code: "household_unknown", params: {} },
      });
      effects.change(alarm.id, "relatives_not_notified");
      return;
    }
    const relatives = await this.registry.relatives(facts.residentId);
    if (relatives.length === 0) {
      await this.alarms.appendEvent(alarm.id, "relatives_not_notified", "system", {
        reason: { code: "no_relatives", params: {} },
      });
      effects.change(alarm.id, "relatives_not_notified");
      return;
    }
    await this.repo.insertCascade(alarm.id, this.now().toISOString());
    await this.textWave(facts, relatives.slice(0, this.settings.firstWave), effects, null);
  }

  /** The current step is over without a confirmation: the next wave, the next call, or nobody left. */
  async advance(alarmId: number, effects: AfterCommit, after: CascadeStepReason): Promise<void> {
    const cascade = await this.repo.cascade(alarmId);
    const alarm = await this.alarms.get(alarmId);
    if (!cascade || !alarm || !RUNNING.includes(cascade.status)) return;
    const facts = await this.facts(alarm);
    if (!facts || CLOSED_STATUSES.includes(alarm.status)) {
      const why: CascadeStopReason = facts
        ? { code: "alarm_closed", params: { status: alarm.status } }
        : { code: "household_unknown", params: {} };
      await this.stop(alarmId, "system", why, effects);
      return;
    }
    const relatives = await this.registry.relatives(facts.residentId);
    if (cascade.status === "texting") {
      const texted = await this.repo.contactedRelatives(alarmId, "sms");
      const next = relatives.filter((r) => !texted.has(r.id));
      if (next.length > 0) {
        await this.textWave(facts, next.slice(0, this.settings.firstWave), effects, after);
        return;
      }
    }
    const called = await this.repo.contactedRelatives(alarmId, "voice");
    const next = relatives.find((r) => !called.has(r.id));
    if (next) {
      await this.placeCall(facts, next, effects, after);
      return;
    }
    await this.repo.finish(alarmId, "unreachable", this.now().toISOString());
    const texted = await this.repo.contactedRelatives(alarmId, "sms");
    await this.alarms.appendEvent(alarmId, "relatives_unreachable", "system", {
      texted: texted.size,
      called: called.size,
      after,
    });
    effects.change(alarmId, "relatives_unreachable");
  }

  /**
   * A contact's SMS or call has ended without a confirmation. When it belongs
   * to the current step the cascade moves on at once: a failed SMS brings in
   * the next relative (the rest of the wave keeps its time), and a call that
   * ended, or a wave that failed entirely, goes to the next step.
   */
  async contactEnded(
    contact: ContactRow,
    outcome: "failed" | "answered",
    detail: { error: string | null } | { status: string | null },
    fx: AfterCommit,
  ): Promise<void> {
    if (!(await this.repo.settle(contact.id, outcome, this.now().toISOString(), ["waiting"]))) return;
    const type = outcome === "answered" ? "relative_call_completed" : "relative_contact_failed";
    await this.alarms.appendEvent(contact.alarm_id, type, "system", {
      relative: who(contact),
      channel: contact.channel,
      ...detail,
    });
    fx.change(contact.alarm_id, type);
    const cascade = await this.repo.cascade(contact.alarm_id);
    if (!cascade || !RUNNING.includes(cascade.status) || cascade.step !== contact.step) return;
    const why: CascadeStepReason =
      outcome === "answered"
        ? { code: "relative_answered_unconfirmed", params: { relative: contact.name } }
        : { code: "relative_contact_failed", params: { relative: contact.name, channel: contact.channel } };
    if (contact.channel === "sms" && (await this.repo.waitingInStep(contact.alarm_id, cascade.step)) > 0) {
      const alarm = await this.alarms.get(contact.alarm_id);
      const facts = alarm && !CLOSED_STATUSES.includes(alarm.status) ? await this.facts(alarm) : undefined;
      if (!facts) return;
      const texted = await this.repo.contactedRelatives(contact.alarm_id, "sms");
      const next = (await this.registry.relatives(facts.residentId)).find((r) => !texted.has(r.id));
      if (next) await this.textWave(facts, [next], fx, why);
      return;
    }
    await this.advance(contact.alarm_id, fx, why);
  }

  /**
   * A relative confirmed by reply or key press: the cascade ends, and its other
   * calls stop ringing. Returns false for a repeated confirmation.
   */
  async confirm(
    contact: ContactRow,
    reply: string | null,
    effects: AfterCommit,
    via: ConfirmedVia = "sms",
  ): Promise<boolean> {
    if (contact.outcome === "confirmed") return false;
    const at = this.now().toISOString();
    await this.repo.settle(contact.id, "confirmed", at, ["waiting", "failed", "answered", "cancelled"]);
    const cascade = await this.repo.cascade(contact.alarm_id);
    const stops = cascade !== undefined && ["texting", "calling", "unreachable"].includes(cascade.status);
    if (stops) await this.repo.finish(contact.alarm_id, "confirmed", at, contact.id);
    const first = cascade?.confirmed_contact_id ? await this.repo.contact(cascade.confirmed_contact_id) : undefined;
    await this.alarms.appendEvent(contact.alarm_id, "relative_confirmed", `relative:${contact.relative_id}`, {
      relative: who(contact),
      reply: reply === null ? null : reply.slice(0, 160),
      via,
      cascadeStopped: stops,
      ...(first ? { alreadyConfirmedBy: who(first) } : {}),
    });
    effects.change(contact.alarm_id, "relative_confirmed");
    if (stops) {
      // The call a relative confirmed on is left to say thank you; every other one stops.
      const keep = via === "keypad" ? contact.outbox_id : null;
      const why: AlarmEventDetails["relative_calls_cancelled"]["reason"] =
        via === "operator_call"
          ? { code: "relative_reached_by_center", params: { relative: contact.name } }
          : { code: "relative_confirmed", params: { relative: contact.name, via } };
      await this.calls.cancelOpenCalls(contact.alarm_id, why, effects, keep);
    }
    return true;
  }

  /**
   * An operator reached this relative on a call from the console: the cascade stops exactly as for a
   * confirming reply (through the relative's own contact when the cascade reached them; otherwise the
   * cascade is finished directly and its calls stop).
   */
  async confirmByOperator(alarmId: number, relative: RelativeRow, effects: AfterCommit): Promise<void> {
    const contacts = (await this.repo.contacts(alarmId)).filter((c) => c.relative_id === relative.id);
    const contact = contacts.at(-1);
    if (contact) {
      // No reply of theirs: `via` says an operator reached them.
      await this.confirm(contact, null, effects, "operator_call");
      return;
    }
    const at = this.now().toISOString();
    const cascade = await this.repo.cascade(alarmId);
    const stops = cascade !== undefined && ["texting", "calling", "unreachable"].includes(cascade.status);
    if (stops) await this.repo.finish(alarmId, "confirmed", at);
    await this.alarms.appendEvent(alarmId, "relative_confirmed", `relative:${relative.id}`, {
      relative: who(relative),
      reply: null,
      via: "operator_call",
      cascadeStopped: stops,
    });
    effects.change(alarmId, "relative_confirmed");
    if (stops) {
      const why = { code: "relative_reached_by_center", params: { relative: relative.name } } as const;
      await this.calls.cancelOpenCalls(alarmId, why, effects, null);
    }
  }

  /** A reply or key that is not a confirmation (null: no key pressed): shown to operators, the cascade goes on. */
  async recordReply(
    contact: ContactRow,
    reply: string | null,
    effects: AfterCommit,
    via: ConfirmedVia = "sms",
  ): Promise<void> {
    await this.alarms.appendEvent(contact.alarm_id, "relative_replied", `relative:${contact.relative_id}`, {
      relative: who(contact),
      reply: reply === null ? null : reply.slice(0, 160),
      via,
    });
    effects.change(contact.alarm_id, "relative_replied");
  }

  async stop(alarmId: number, actor: string, reason: CascadeStopReason, effects: AfterCommit): Promise<void> {
    const cascade = await this.repo.cascade(alarmId);
    if (!cascade || !RUNNING.includes(cascade.status)) return;
    await this.repo.finish(alarmId, "stopped", this.now().toISOString());
    await this.alarms.appendEvent(alarmId, "relatives_cascade_stopped", actor, { reason, step: cascade.step });
    effects.change(alarmId, "relatives_cascade_stopped");
    await this.calls.cancelOpenCalls(alarmId, reason, effects);
  }

  private async textWave(
    facts: Facts,
    relatives: readonly RelativeRow[],
    effects: AfterCommit,
    after: CascadeStepReason | null,
  ): Promise<void> {
    const alarmId = facts.alarm.id;
    const wave = ((await this.repo.cascade(alarmId))?.wave ?? 0) + 1;
    const deadlineAt = this.deadline();
    const step = await this.repo.beginStep(alarmId, "texting", wave, deadlineAt);
    await this.contact(facts, relatives, "sms", step, effects, async (relative) => {
      const language = this.language(relative);
      // The relative's own family status page; the console link is for operators only.
      const link = await this.links.mint(alarmId, { id: relative.id, language });
      return {
        body: relativeAlarmSms({ ...this.smsFacts(facts), kind: facts.alarm.kind, link }, language),
        purpose: `relative:${relative.priority}`,
        dedupeKey: `alarm:${alarmId}:relative:${relative.id}`,
        // In a mass event the outbox sends every alarm's first relative before anyone's second.
        priority: relativeSmsPriority(wave, relatives.indexOf(relative)),
      };
    });
    await this.alarms.appendEvent(alarmId, "relatives_wave_sent", "system", {
      wave,
      step,
      relatives: relatives.map(who),
      deadlineAt,
      ...(after ? { after } : {}),
    });
    effects.change(alarmId, "relatives_wave_sent");
  }

  private async placeCall(
    facts: Facts,
    relative: RelativeRow,
    effects: AfterCommit,
    after: CascadeStepReason,
  ): Promise<void> {
    const alarmId = facts.alarm.id;
    const deadlineAt = this.deadline();
    const wave = (await this.repo.cascade(alarmId))?.wave ?? 0;
    const step = await this.repo.beginStep(alarmId, "calling", wave, deadlineAt);
    await this.contact(facts, [relative], "voice", step, effects, async (r) => ({
      body: relativeCallTwiml(this.smsFacts(facts), this.language(r), this.settings.gatherUrl),
      purpose: `relative_call:${r.priority}`,
      dedupeKey: `alarm:${alarmId}:relative:${r.id}:call`,
    }));
    await this.alarms.appendEvent(alarmId, "relative_call_placed", "system", {
      relative: who(relative),
      step,
      deadlineAt,
      after,
    });
    effects.change(alarmId, "relative_call_placed");
  }

  /** Outbox rows and contact rows for one step. */
  private async contact(
    facts: Facts,
    relatives: readonly RelativeRow[],
    channel: OutboxChannel,
    step: number,
    effects: AfterCommit,
    message: (relative: RelativeRow) => Promise<Pick<NewOutboxMessage, "body" | "purpose" | "dedupeKey" | "priority">>,
  ): Promise<void> {
    const createdAt = this.now().toISOString();
    for (const relative of relatives) {
      const phone = normalisePhone(relative.phone);
      const content = await message(relative);
      effects.outboxAdded += await this.outbox.enqueue([
        { ...content, channel, recipient: phone, alarmId: facts.alarm.id },
      ]);
      await this.repo.insertContact({
        alarm_id: facts.alarm.id,
        relative_id: relative.id,
        priority: relative.priority,
        name: relative.name,
        phone,
        language: relative.language,
        channel,
        step,
        outbox_id: (await this.outbox.byDedupeKey(content.dedupeKey))?.id ?? null,
        created_at: createdAt,
      });
    }
  }

  private async facts(alarm: AlarmRow): Promise<Facts | undefined> {
    const resident = alarm.resident_id ? await this.registry.resident(alarm.resident_id) : undefined;
    const household = alarm.household_id ? await this.registry.household(alarm.household_id) : undefined;
    if (!resident || !household) return undefined;
    return { alarm, residentId: resident.id, residentName: resident.name, address: household.address };
  }

  private smsFacts(facts: Facts) {
    return {
      alarmId: facts.alarm.id,
      residentName: facts.residentName,
      address: facts.address,
      receivedAt: new Date(facts.alarm.received_at),
      timeZone: this.settings.timeZone,
      source: facts.alarm.source,
    };
  }

  private language(relative: { language: string }): SmsLanguage {
    return smsLanguageOf(relative.language, this.settings.smsLanguage);
  }

  private deadline(): string {
    return new Date(this.now().getTime() + this.settings.confirmS * 1000).toISOString();
  }

  private now(): Date {
    return this.clock();
  }
}
