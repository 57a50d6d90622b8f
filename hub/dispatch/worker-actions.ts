/**
 * What a community worker does from the worker page: accept or decline an
 * offer, report arrival, close the alarm with a note, go on or off duty, and
 * share a position. Only the worker an offer was made to, or the alarm was
 * assigned to, may act on it (AUTH_FORBIDDEN otherwise). Each action is an
 * alarm event with the worker's login as its actor.
 */
import { type AlarmEventDetails, type AlarmStatus, storedReason } from "../../protocol/console/index.ts";
import type { AfterCommit } from "../after-commit.ts";
import { AnxinError } from "../errors.ts";
import type { AlarmOutcome } from "../storage/alarm-repo.ts";
import type { UserRow } from "../storage/user-repo.ts";
import type { DispatchAlarmRow, DispatchWorkerRow, OfferRow } from "./dispatch-repo.ts";
import type { DispatchService } from "./dispatch-service.ts";

export class WorkerActions {
  private readonly service: DispatchService;

  constructor(service: DispatchService) {
    this.service = service;
  }

  /** The worker behind a login; a worker login always names one (schema CHECK). */
  async workerOf(user: UserRow): Promise<DispatchWorkerRow> {
    const worker = user.worker_id === null ? undefined : await this.service.deps.repo.worker(user.worker_id);
    if (!worker) throw new AnxinError("AUTH_FORBIDDEN", "this login is not a community worker's");
    return worker;
  }

  async accept(offerId: number, user: UserRow): Promise<OfferRow> {
    const { repo, alarms, clock } = this.service.deps;
    return this.service.transact(async (effects) => {
      const { offer, worker } = await this.ownOpenOffer(offerId, user);
      const alarm = await this.alarm(offer.alarm_id);
      const at = clock().toISOString();
      if (!(await alarms.transition(alarm.id, "offered", "accepted", { accepted_at: at }))) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarm.id} is ${alarm.status}`, { status: alarm.status });
      }
      await repo.settleOffer(offer.id, "accepted", at, null);
      await repo.setCurrentWorker(alarm.id, worker.id, offer.distance_m);
      await alarms.appendEvent(
        alarm.id,
        "offer_accepted",
        `user:${user.username}`,
        { offerId: offer.id, ...who(worker) },
        at,
      );
      effects.change(alarm.id, "offer_accepted", { feedback: true });
      return { ...offer, status: "accepted" as const, responded_at: at };
    });
  }

  async decline(offerId: number, user: UserRow, reason: string | null): Promise<OfferRow> {
    return this.service.transact(async (effects) => {
      const { offer, worker } = await this.ownOpenOffer(offerId, user);
      const why = { code: "offer_declined", params: reason ? { note: reason } : {} } as const;
      return this.declineOffer(offer, worker, user, why, effects);
    });
  }

  async arrived(alarmId: number, user: UserRow): Promise<DispatchAlarmRow> {
    const { alarms, clock } = this.service.deps;
    return this.service.transact(async (effects) => {
      const { alarm, worker } = await this.ownAlarm(alarmId, user, ["accepted"]);
      const at = clock().toISOString();
      await alarms.transition(alarm.id, "accepted", "on_scene", { on_scene_at: at });
      await alarms.appendEvent(alarm.id, "on_scene", `user:${user.username}`, who(worker), at);
      effects.change(alarm.id, "on_scene", { feedback: true });
      return this.alarm(alarm.id);
    });
  }

  async resolve(alarmId: number, user: UserRow, outcome: AlarmOutcome, note: string): Promise<DispatchAlarmRow> {
    const { alarms, clock } = this.service.deps;
    return this.service.transact(async (effects) => {
      const { alarm, worker } = await this.ownAlarm(alarmId, user, ["accepted", "on_scene"]);
      const at = clock().toISOString();
      await alarms.transition(alarm.id, alarm.status, "resolved", { resolved_at: at, resolved_by: user.id, outcome });
      await alarms.appendEvent(alarm.id, "resolved", `user:${user.username}`, { outcome, note, ...who(worker) }, at);
      effects.change(alarm.id, "resolved", { feedback: true });
      return this.alarm(alarm.id);
    });
  }

  /**
   * Going off duty declines an open offer (the next worker is asked at once)
   * and is refused while an accepted alarm is still the worker's to finish.
   */
  async setDuty(user: UserRow, onDuty: boolean): Promise<DispatchWorkerRow> {
    const { repo, users } = this.service.deps;
    return this.service.transact(async (effects) => {
      const worker = await this.workerOf(user);
      if (!onDuty) {
        const assigned = await repo.assignedAlarm(worker.id);
        if (assigned) {
          throw new AnxinError(
            "WORKER_ASSIGNED",
            `alarm ${assigned.id} is still yours (${assigned.status}): close it first`,
            { alarmId: assigned.id },
          );
        }
        const open = await repo.openOfferForWorker(worker.id);
        if (open) await this.declineOffer(open, worker, user, { code: "went_off_duty", params: {} }, effects);
      }
      await repo.setDuty(worker.id, onDuty);
      await users.audit(`user:${user.username}`, "worker_duty_changed", `worker:${worker.id}`, { onDuty });
      return this.workerOf(user);
    });
  }

  async setPosition(
    user: UserRow,
    position: { lat: number; lng: number; accuracyM: number | null },
  ): Promise<DispatchWorkerRow> {
    const worker = await this.workerOf(user);
    await this.service.deps.repo.setPosition(worker.id, position, this.service.deps.clock().toISOString());
    return this.workerOf(user);
  }

  private async declineOffer(
    offer: OfferRow,
    worker: DispatchWorkerRow,
    user: UserRow,
    reason: AlarmEventDetails["offer_declined"]["reason"],
    effects: AfterCommit,
  ): Promise<OfferRow> {
    const { repo, alarms, clock } = this.service.deps;
    const at = clock().toISOString();
    await repo.settleOffer(offer.id, "declined", at, reason);
    await alarms.appendEvent(
      offer.alarm_id,
      "offer_declined",
      `user:${user.username}`,
      { offerId: offer.id, ...who(worker), reason },
      at,
    );
    effects.change(offer.alarm_id, "offer_declined");
    const note = reason.code === "offer_declined" ? reason.params.note : undefined;
    await this.service.cascade.offerNext(offer.alarm_id, effects, {
      after: reason.code,
      afterWorker: worker.name,
      ...(note ? { afterNote: note } : {}),
    });
    return { ...offer, status: "declined", responded_at: at, note: storedReason(reason) };
  }

  private async ownOpenOffer(offerId: number, user: UserRow): Promise<{ offer: OfferRow; worker: DispatchWorkerRow }> {
    const worker = await this.workerOf(user);
    const offer = await this.service.deps.repo.offer(offerId);
    if (!offer) throw new AnxinError("OFFER_NOT_FOUND", `offer ${offerId} does not exist`, { offerId });
    if (offer.worker_id !== worker.id) {
      throw new AnxinError("AUTH_FORBIDDEN", `offer ${offerId} was made to another worker`, { offerId });
    }
    if (offer.status !== "offered") {
      throw new AnxinError("OFFER_NOT_OPEN", `offer ${offerId} is ${offer.status}`, { status: offer.status });
    }
    return { offer, worker };
  }

  private async ownAlarm(
    alarmId: number,
    user: UserRow,
    allowed: readonly AlarmStatus[],
  ): Promise<{ alarm: DispatchAlarmRow; worker: DispatchWorkerRow }> {
    const worker = await this.workerOf(user);
    const alarm = await this.alarm(alarmId);
    if (alarm.worker_id !== worker.id) {
      throw new AnxinError("AUTH_FORBIDDEN", `alarm ${alarmId} is not assigned to you`, { alarmId });
    }
    if (!allowed.includes(alarm.status)) {
      throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is ${alarm.status}`, { status: alarm.status });
    }
    return { alarm, worker };
  }

  private async alarm(alarmId: number): Promise<DispatchAlarmRow> {
    const alarm = await this.service.deps.repo.alarm(alarmId);
    if (!alarm) throw new AnxinError("ALARM_NOT_FOUND", `alarm ${alarmId} does not exist`, { alarmId });
    return alarm;
  }
}

function who(worker: DispatchWorkerRow): { worker: { id: number; code: string; name: string } } {
  return { worker: { id: worker.id, code: worker.code, name: worker.name } };
}
