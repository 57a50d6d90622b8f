/**
 * Turns the steps queued in `family_updates_due` into SMS: the texted relatives
 * hear that a worker is on the way (with the worker's name), has arrived, and
 * how the alarm ended; a clinic that was alerted hears that it can stand down
 * when the alarm was cancelled or was not an emergency.
 *
 * Durability: the trigger of migration 12 queues a step in the same
 * transaction as the alarm event that records it, and each step is handled
 * here in one transaction that queues its outbox rows and marks it done. A
 * crash before that commit leaves it queued for the next pass (the watcher
 * scans at start); after it, the outbox owns the SMS. Dedupe keys (one per
 * relative and step event) make each SMS go out once even if a pass repeats.
 */

import type { Logger } from "pino";
import { CLOSED_STATUSES } from "../../protocol/console/index.ts";
import { AfterCommit } from "../after-commit.ts";
import type { Clock } from "../clock.ts";
import type { EventBus } from "../events.ts";
import { clinicStandDownSms, type FamilyStep, familyUpdateSms } from "../notify/family-texts.ts";
import { type SmsLanguage, smsLanguageOf } from "../notify/sms-text.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import { readDetail, workerName } from "./family-progress.ts";
import type { DueUpdate, FamilyRepository } from "./family-repo.ts";

export interface FamilySettings {
  /** ANXIN_FAMILY_UPDATES: off, no relative gets update SMS (their link still works; clinics still stand down). */
  updates: boolean;
  centerPhone: string | null;
  /** The hub's language: the clinic's, and a relative's when theirs is not one the hub speaks. */
  smsLanguage: SmsLanguage;
}

export interface FamilyUpdatesDeps {
  sql: SqlSession;
  repo: FamilyRepository;
  alarms: AlarmRepository;
  registry: RegistryRepository;
  outbox: OutboxRepository;
  bus: EventBus;
  logger: Logger;
  settings: FamilySettings;
  clock: Clock;
}

/** Steps handled per pass; the rest wait for the next (a second later), oldest first. */
const BATCH = 100;

export function familyStepOf(update: Pick<DueUpdate, "type" | "detail">): FamilyStep {
  switch (update.type) {
    case "offer_accepted":
      return "on_the_way";
    case "on_scene":
      return "arrived";
    case "resolved":
      return readDetail(update.detail).outcome === "real" ? "help_given" : "all_well";
    default:
      return "all_well";
  }
}

export class FamilyUpdates {
  private readonly deps: FamilyUpdatesDeps;

  constructor(deps: FamilyUpdatesDeps) {
    this.deps = deps;
  }

  /** One pass over the queue. A step whose clinic alert is still being sent waits, so the stand-down cannot overtake it. */
  async scan(): Promise<{ done: number; waiting: number; failed: number }> {
    let done = 0;
    let waiting = 0;
    let failed = 0;
    for (const update of await this.deps.repo.pending(BATCH)) {
      const effects = new AfterCommit();
      let outcome: "done" | "waiting";
      try {
        outcome = await this.deps.sql.transaction(() => this.handle(update, effects));
      } catch (error) {
        // One step that cannot be handled must not hold back every later family's update: it stays queued and is retried.
        this.deps.logger.error(
          { err: error, eventId: update.event_id, alarmId: update.alarm_id },
          "family update failed",
        );
        failed++;
        continue;
      }
      if (outcome === "done") done++;
      else waiting++;
      this.deps.bus.announce(effects);
      // Nothing here queues work today; run all the same, so none is ever dropped.
      await effects.run((error) =>
        this.deps.logger.error({ err: error }, "after-commit work of a family update failed"),
      );
    }
    return { done, waiting, failed };
  }

  private async handle(update: DueUpdate, effects: AfterCommit): Promise<"done" | "waiting"> {
    const { repo, alarms } = this.deps;
    // Re-read inside the transaction: another pass may have just done it.
    if (await repo.isDone(update.event_id)) return "done";
    const now = this.deps.clock().toISOString();
    const alarm = await alarms.get(update.alarm_id);
    if (!alarm) {
      await repo.markDone(update.event_id, now, { skipped: "alarm missing" });
      return "done";
    }
    const step = familyStepOf(update);
    const clinic = step === "all_well" ? await this.standDownClinics(alarm, effects) : { clinics: [] };
    if (clinic === "waiting") return "waiting";
    const family = await this.textFamily(update, alarm, step, effects);
    await repo.markDone(update.event_id, now, { step, ...family, standDown: clinic.clinics });
    return "done";
  }

  private async textFamily(
    update: DueUpdate,
    alarm: AlarmRow,
    step: FamilyStep,
    effects: AfterCommit,
  ): Promise<Record<string, unknown>> {
    const { repo, settings, outbox } = this.deps;
    if (!settings.updates) return { skipped: "family updates are switched off (ANXIN_FAMILY_UPDATES)" };
    const closingStep = step === "help_given" || step === "all_well";
    if (
      !closingStep &&
      (CLOSED_STATUSES.includes(alarm.status) || (await repo.hasLaterStep(alarm.id, update.event_id)))
    ) {
      // Steps that piled up (the hub was down): only the latest is news worth a text.
      return { skipped: "a later step came first" };
    }
    const recipients = await repo.recipients(alarm.id);
    if (recipients.length === 0) return { skipped: "no texted relative wants updates" };
    const facts = {
      residentName: await this.residentName(alarm),
      workerName: workerName(update.detail),
      centerPhone: settings.centerPhone,
    };
    effects.outboxAdded += await outbox.enqueue(
      recipients.map((r) => ({
        recipient: r.phone,
        body: familyUpdateSms(step, facts, smsLanguageOf(r.language, settings.smsLanguage)),
        alarmId: alarm.id,
        purpose: `family:${step}`,
        dedupeKey: `alarm:${alarm.id}:family:${r.relative_id}:${update.event_id}`,
      })),
    );
    const told = recipients.map((r) => ({ id: r.relative_id, name: r.name, phone: r.phone }));
    await this.deps.alarms.appendEvent(alarm.id, "family_updated", "system", { step, relatives: told });
    effects.change(alarm.id, "family_updated");
    return { texted: told.map((r) => r.id) };
  }

  /**
   * Every clinic alerted about this alarm gets one stand-down SMS. One whose
   * alert never left (refused for good) was never told, so it is not bothered;
   * one whose alert is still queued makes the step wait.
   */
  private async standDownClinics(alarm: AlarmRow, effects: AfterCommit): Promise<"waiting" | { clinics: string[] }> {
    const alerts = (await this.deps.outbox.forAlarm(alarm.id)).filter((row) => row.purpose === "clinic");
    if (alerts.some((row) => row.status === "pending")) return "waiting";
    const told = alerts.filter((row) => row.status === "sent");
    if (told.length === 0) return { clinics: [] };
    const household = alarm.household_id ? await this.deps.registry.household(alarm.household_id) : undefined;
    const body = clinicStandDownSms(
      { alarmId: alarm.id, residentName: await this.residentName(alarm), address: household?.address ?? "" },
      this.deps.settings.smsLanguage,
    );
    for (const alert of told) {
      effects.outboxAdded += await this.deps.outbox.enqueue([
        {
          recipient: alert.recipient,
          body,
          alarmId: alarm.id,
          purpose: "clinic_stand_down",
          dedupeKey: `alarm:${alarm.id}:clinic_stand_down:${alert.id}`,
        },
      ]);
      await this.deps.alarms.appendEvent(alarm.id, "clinic_stood_down", "system", { to: alert.recipient });
      effects.change(alarm.id, "clinic_stood_down");
    }
    return { clinics: told.map((row) => row.recipient) };
  }

  private async residentName(alarm: AlarmRow): Promise<string> {
    return (alarm.resident_id ? (await this.deps.registry.resident(alarm.resident_id))?.name : undefined) ?? "";
  }
}
