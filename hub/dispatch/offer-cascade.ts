/**
 * The offer cascade. Every method runs inside the caller's transaction (it
 * awaits storage only), so an offer, its alarm event, the state change
 * and the worker's SMS in the outbox commit together or not at all. What must
 * happen after the commit (console pushes, device feedback, waking the outbox
 * sender) is collected in the caller's `AfterCommit` (hub/after-commit.ts) and
 * applied by the service.
 */

import {
  type AfterParams,
  type AlarmEventDetails,
  type AlarmStatus,
  RANKING_REASON_CODES,
  type Reason,
  reasonOf,
  type SkippedWorker,
  UNACCEPTED_STATUSES,
} from "../../protocol/console/index.ts";
import type { AfterCommit } from "../after-commit.ts";
import type { Clock } from "../clock.ts";
import { workerDispatchSms, workerStandDownSms } from "../notify/sms-text.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { DispatchAlarmRow, DispatchRepository, DispatchWorkerRow, OfferRow } from "./dispatch-repo.ts";
import { rankedParams } from "./ranking.ts";
import type { DispatchSettings, StoredRanking } from "./types.ts";

/** Alarm states in which a worker may still be asked: nobody has accepted yet. */
export const OFFERABLE_STATUSES: readonly AlarmStatus[] = UNACCEPTED_STATUSES;

export interface OfferPlan {
  rank: number;
  distanceM: number | null;
  /** `system`, or `user:<name>` for an operator's pick. */
  offeredBy: string;
  /** Stored as the alarm's dispatch_reason. */
  reason: AlarmEventDetails["offer_sent"]["reason"];
  skipped?: AlarmEventDetails["dispatch_exhausted"]["skipped"];
}

export interface CascadeDeps {
  alarms: AlarmRepository;
  repo: DispatchRepository;
  outbox: OutboxRepository;
  settings: DispatchSettings;
  clock: Clock;
}

/** The stored ranking; one stored before reasons were coded has its sentences read as `text` reasons. */
export function parseRanking(json: string | null): StoredRanking | null {
  if (!json) return null;
  const stored = JSON.parse(json) as StoredRanking;
  return {
    ...stored,
    note: reasonOf(stored.note, ["ranking_provisional", "routing_failed"]),
    entries: stored.entries.map((e) => ({ ...e, reason: reasonOf(e.reason, RANKING_REASON_CODES) ?? textReason("") })),
  };
}

function textReason(text: string): Reason<"text"> {
  return { code: "text", params: { text } };
}

export class OfferCascade {
  private readonly deps: CascadeDeps;

  constructor(deps: CascadeDeps) {
    this.deps = deps;
  }

  /**
   * Offers the alarm to the next ranked worker not asked yet (idempotent: an
   * open offer is returned as it is). Workers who went off duty, or became busy
   * since the ranking, are passed over and named in the event. When nobody is
   * left it records `dispatch_exhausted`: from then on an operator must act.
   */
  async offerNext(alarmId: number, effects: AfterCommit, after: AfterParams | null): Promise<OfferRow | null> {
    const { repo, alarms } = this.deps;
    const alarm = await repo.alarm(alarmId);
    if (!alarm || !OFFERABLE_STATUSES.includes(alarm.status)) return null;
    const open = await repo.openOffer(alarmId);
    if (open) return open;
    const ranking = parseRanking(alarm.dispatch_ranking);
    if (!ranking || ranking.refinement === "pending") return null;
    const asked = new Set((await repo.offers(alarmId)).map((o) => o.worker_id));
    const busy = await repo.busyLookup(alarmId);
    const skipped: NonNullable<OfferPlan["skipped"]> = [];
    for (const entry of ranking.entries) {
      if (asked.has(entry.workerId)) continue;
      const worker = await repo.worker(entry.workerId);
      const busyWith = busy.get(entry.workerId);
      const why: SkippedWorker["why"] | null = !worker
        ? { code: "worker_removed", params: {} }
        : worker.on_duty !== 1
          ? { code: "went_off_duty", params: {} }
          : !entry.busy && busyWith !== undefined
            ? { code: "worker_became_busy", params: { busyAlarmId: busyWith } }
            : null;
      if (why || !worker) {
        skipped.push({
          workerId: entry.workerId,
          code: entry.code,
          why: why ?? { code: "worker_removed", params: {} },
        });
        continue;
      }
      return this.makeOffer(alarm, worker, effects, {
        rank: entry.rank,
        distanceM: entry.distanceM,
        offeredBy: "system",
        reason: {
          code: "offer_ranked",
          params: { ...after, ...rankedParams({ ...entry, name: worker.name, code: worker.code }), rank: entry.rank },
        },
        skipped,
      });
    }
    await repo.setCurrentWorker(alarmId, null, null);
    const reason: AlarmEventDetails["dispatch_exhausted"]["reason"] =
      ranking.entries.length === 0
        ? { code: "no_worker_to_ask", params: { ...after } }
        : { code: "all_workers_asked", params: { ...after, ranked: ranking.entries.length } };
    await repo.setDispatchReason(alarmId, reason);
    await alarms.appendEvent(alarmId, "dispatch_exhausted", "system", {
      ranked: ranking.entries.length,
      asked: asked.size,
      skipped,
      reason,
    });
    effects.change(alarmId, "dispatch_exhausted");
    return null;
  }

  /** Creates the offer, moves the alarm to `offered`, and puts the worker's SMS in the outbox. */
  async makeOffer(
    alarm: DispatchAlarmRow,
    worker: DispatchWorkerRow,
    effects: AfterCommit,
    plan: OfferPlan,
  ): Promise<OfferRow> {
    const { repo, alarms, settings, clock } = this.deps;
    const now = clock();
    const offeredAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + settings.acceptTimeoutS * 1000).toISOString();
    const offerId = await repo.insertOffer({
      alarm_id: alarm.id,
      worker_id: worker.id,
      rank: plan.rank,
      distance_m: plan.distanceM,
      offered_at: offeredAt,
      expires_at: expiresAt,
      offered_by: plan.offeredBy,
    });
    if (alarm.status !== "offered") {
      // An offer does not wait for an operator's acknowledgement: minutes matter. The button's
      // state does not change with it (hub/alarms/button-state.ts); it is restated all the same,
      // since it is read from storage and so can never say more than the commit holds.
      const moved = await alarms.transition(alarm.id, alarm.status, "offered", {
        offered_at: alarm.offered_at ?? offeredAt,
      });
      if (!moved) throw new Error(`alarm ${alarm.id} changed state while being offered`);
      effects.feedback.add(alarm.id);
    }
    await repo.setCurrentWorker(alarm.id, worker.id, plan.distanceM);
    await repo.setDispatchReason(alarm.id, plan.reason);
    await alarms.appendEvent(
      alarm.id,
      "offer_sent",
      plan.offeredBy,
      {
        offerId,
        worker: { id: worker.id, code: worker.code, name: worker.name },
        rank: plan.rank,
        distanceM: plan.distanceM === null ? null : Math.round(plan.distanceM),
        expiresAt,
        reason: plan.reason,
        ...(plan.skipped && plan.skipped.length > 0 ? { skipped: plan.skipped } : {}),
      },
      offeredAt,
    );
    await this.textOffer(alarm, worker, offerId, plan.distanceM, effects);
    effects.change(alarm.id, "offer_sent");
    const offer = await repo.offer(offerId);
    if (!offer) throw new Error(`offer ${offerId} vanished`);
    return offer;
  }

  /** Withdraws the alarm's open offer (if any) and tells that worker by SMS; returns it. */
  async withdrawOpenOffer(
    alarmId: number,
    actor: string,
    why: "resolved" | "reassigned",
    effects: AfterCommit,
  ): Promise<OfferRow | null> {
    const { repo, alarms, clock } = this.deps;
    const open = await repo.openOffer(alarmId);
    if (!open) return null;
    const at = clock().toISOString();
    await repo.settleOffer(
      open.id,
      "withdrawn",
      at,
      why === "resolved"
        ? { code: "offer_withdrawn_alarm_closed", params: {} }
        : { code: "offer_withdrawn_reassigned", params: { actor } },
    );
    const worker = await repo.worker(open.worker_id);
    await alarms.appendEvent(alarmId, "offer_withdrawn", actor, {
      offerId: open.id,
      worker: worker ? { id: worker.id, code: worker.code, name: worker.name } : { id: open.worker_id },
      why,
    });
    if (worker) await this.textStandDown(alarmId, worker, `offer:${open.id}:withdrawn`, why, effects);
    effects.change(alarmId, "offer_withdrawn");
    return open;
  }

  /** Tells a worker they are no longer needed (the alarm closed, or went to someone else). */
  async textStandDown(
    alarmId: number,
    worker: DispatchWorkerRow,
    dedupe: string,
    why: "resolved" | "reassigned",
    effects: AfterCommit,
  ): Promise<void> {
    const alarm = await this.deps.repo.alarm(alarmId);
    const household = alarm?.household_id ? await this.deps.repo.household(alarm.household_id) : undefined;
    effects.outboxAdded += await this.deps.outbox.enqueue([
      {
        recipient: worker.phone,
        body: workerStandDownSms(
          { alarmId, address: household?.address ?? "", reason: why },
          this.deps.settings.smsLanguage,
        ),
        alarmId,
        purpose: "worker_stand_down",
        dedupeKey: `alarm:${alarmId}:${dedupe}`,
      },
    ]);
  }

  private async textOffer(
    alarm: DispatchAlarmRow,
    worker: DispatchWorkerRow,
    offerId: number,
    distanceM: number | null,
    effects: AfterCommit,
  ): Promise<void> {
    const { repo, settings, outbox } = this.deps;
    const household = alarm.household_id ? await repo.household(alarm.household_id) : undefined;
    const resident = alarm.resident_id ? await repo.resident(alarm.resident_id) : undefined;
    effects.outboxAdded += await outbox.enqueue([
      {
        recipient: worker.phone,
        body: workerDispatchSms(
          {
            alarmId: alarm.id,
            kind: alarm.kind,
            residentName: resident?.name ?? "",
            address: household?.address ?? "",
            receivedAt: new Date(alarm.received_at),
            link: `${settings.publicUrl}/worker/#/offers/${offerId}`,
            timeZone: settings.timeZone,
            distanceM,
            keyHolder: household?.key_holder ?? null,
            accessNotes: household?.access_notes ?? null,
            respondWithinMin: Math.max(1, Math.round(settings.acceptTimeoutS / 60)),
          },
          settings.smsLanguage,
        ),
        alarmId: alarm.id,
        purpose: "worker",
        dedupeKey: `alarm:${alarm.id}:offer:${offerId}`,
      },
    ]);
  }
}
