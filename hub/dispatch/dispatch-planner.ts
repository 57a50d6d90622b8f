/**
 * What the pipeline's `dispatch` stage does, inside the transaction that marks
 * the stage done (it awaits storage only):
 * 1. rank the on-duty workers by great-circle distance (kdbush/geokdbush) and
 *    store the ranking with a reason for every position;
 * 2. choose the clinic (open now, with the care needed) and, for an SOS, put its
 *    alert in the outbox, auditing any health data it carries;
 * 3. for an SOS, offer the alarm to the first ranked worker — unless OSRM is
 *    configured: then the ranking is stored as `pending` and the service refines
 *    it with travel times after the commit and makes the first offer itself.
 *    OSRM is an HTTP call; it must never run inside a transaction, and a
 *    slow router must never hold up the stages after this one.
 * Everything it writes commits with the stage or not at all, so a stage that is
 * retried starts from a clean slate; outbox dedupe keys make re-runs harmless.
 */

import { AfterCommit } from "../after-commit.ts";
import type { Clock } from "../clock.ts";
import type { GeoPoint } from "../geo/nearest.ts";
import { localClock } from "../geo/opening-hours.ts";
import type { ResponderLocator } from "../geo/responders.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { UserRepository } from "../storage/user-repo.ts";
import { auditClinicDisclosure, clinicAlertMessage } from "./clinic-alert.ts";
import { chooseClinic, clinicNeed } from "./clinic-choice.ts";
import type { DispatchAlarmRow, DispatchRepository, HouseholdAccessRow } from "./dispatch-repo.ts";
import type { OfferCascade } from "./offer-cascade.ts";
import { gatherCandidates, orderCandidates, rankedParams } from "./ranking.ts";
import type { DispatchSettings, StoredRanking } from "./types.ts";

export interface PlannerDeps {
  alarms: AlarmRepository;
  repo: DispatchRepository;
  outbox: OutboxRepository;
  users: UserRepository;
  responders: ResponderLocator;
  cascade: OfferCascade;
  settings: DispatchSettings;
  clock: Clock;
  /** Starts the OSRM refinement and first offer of an alarm (once its ranking is committed). */
  refine(alarmId: number): void;
}

export class DispatchPlanner {
  private readonly deps: PlannerDeps;

  constructor(deps: PlannerDeps) {
    this.deps = deps;
  }

  /** Runs inside the stage's transaction; returns what to do after it commits. */
  async plan(row: AlarmRow): Promise<AfterCommit> {
    const { repo, alarms } = this.deps;
    const effects = new AfterCommit();
    const alarm = await repo.alarm(row.id);
    const household = alarm?.household_id ? await repo.household(alarm.household_id) : undefined;
    if (!alarm || !household || household.lat === null || household.lng === null) {
      await alarms.appendEvent(row.id, "dispatch_impossible", "system", {
        reason: household
          ? { code: "household_without_position", params: { household: household.code } }
          : { code: "alarm_unlocated", params: {} },
      });
      return effects;
    }
    const point = { lat: household.lat, lng: household.lng };
    const ranking = await this.rank(alarm, household, point);
    await repo.setRanking(alarm.id, ranking);
    await alarms.appendEvent(alarm.id, "dispatch_ranked", "system", {
      metric: ranking.metric,
      refinement: ranking.refinement,
      ranking: ranking.entries.map((e) => ({
        rank: e.rank,
        workerId: e.workerId,
        code: e.code,
        distanceM: e.distanceM,
        sameGrid: e.sameGrid,
        busy: e.busy,
      })),
    });
    if (alarm.kind !== "service") await this.chooseClinic(alarm, household, point, effects);
    if (alarm.kind !== "sos") {
      // Service and test calls get a suggestion, not an automatic cascade: an operator dispatches by hand.
      const first = ranking.entries[0];
      await repo.setDispatchReason(alarm.id, first ? { code: "suggested", params: rankedParams(first) } : null);
    } else if (ranking.refinement === "pending") {
      effects.add(() => this.deps.refine(alarm.id), `refine:${alarm.id}`);
    } else {
      await this.deps.cascade.offerNext(alarm.id, effects, null);
    }
    effects.change(alarm.id, "dispatch_ranked");
    return effects;
  }

  private async rank(alarm: DispatchAlarmRow, household: HouseholdAccessRow, point: GeoPoint): Promise<StoredRanking> {
    const { settings, responders, repo, clock } = this.deps;
    const request = {
      point,
      gridId: household.grid_id,
      busy: await repo.busyLookup(alarm.id),
    };
    const options = { size: settings.rankingSize, gridPreferenceM: settings.gridPreferenceM };
    const pool = gatherCandidates((await responders.snapshot()).workers, request, options.size, options);
    const pending = settings.routing !== null && alarm.kind === "sos";
    return {
      metric: "great_circle",
      refinement: pending ? "pending" : "none",
      computedAt: clock().toISOString(),
      entries: orderCandidates(pool, request, options, "great_circle"),
      note: pending ? { code: "ranking_provisional", params: {} } : null,
    };
  }

  private async chooseClinic(
    alarm: DispatchAlarmRow,
    household: HouseholdAccessRow,
    point: GeoPoint,
    effects: AfterCommit,
  ): Promise<void> {
    const { repo, alarms, settings, clock, responders, outbox, users } = this.deps;
    const now = clock();
    const local = localClock(now, settings.timeZone);
    const need = clinicNeed(alarm.kind, local, settings.day);
    const choice = chooseClinic((await responders.snapshot()).clinics, point, local, need);
    await repo.setClinic(alarm.id, choice.clinic?.id ?? null, choice.distanceM, choice.reason);
    const clinic = choice.clinic ? await repo.clinic(choice.clinic.id) : undefined;
    if (!clinic || choice.reason.code !== "clinic_nearest") {
      const none = { code: "clinic_none", params: { sos: need.sos, night: need.night } } as const;
      await alarms.appendEvent(alarm.id, "clinic_unavailable", "system", { reason: none });
      return;
    }
    let disclosed = false;
    if (alarm.kind === "sos") {
      const resident = alarm.resident_id ? await repo.resident(alarm.resident_id) : undefined;
      const alert = clinicAlertMessage({ alarm, household, resident, clinic, settings, now });
      effects.outboxAdded += await outbox.enqueue([alert.message]);
      disclosed = alert.disclosed;
      if (alert.disclosed && resident) await auditClinicDisclosure(users, alarm.id, resident.id, clinic.id);
    }
    await alarms.appendEvent(alarm.id, "clinic_selected", "system", {
      clinic: { id: clinic.id, code: clinic.code, name: clinic.name },
      distanceM: Math.round(choice.distanceM ?? 0),
      reason: choice.reason,
      notified: alarm.kind === "sos",
      healthDataDisclosed: disclosed,
    });
  }
}
