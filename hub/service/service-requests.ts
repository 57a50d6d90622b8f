/**
 * Service requests (issue 4): the non-emergency `service` press.
 * - The pipeline's dispatch stage opens the request and routes it to the
 *   household's grid worker, in the stage's own transaction; with no worker in
 *   the grid it stays open for an operator, and the timeline says why.
 * - Operators assign or re-assign it; the worker (or an operator) marks it done,
 *   which resolves the alarm as `real` with the same close-out as any resolve.
 * - An alarm closed any other way closes its request (`closingWith`).
 * Every change is a request transition (service-lifecycle.ts) plus alarm events
 * and the worker's SMS in the outbox, committed together; console pushes and the
 * device's feedback follow the commit (AfterCommit, applied by dispatch).
 */
import {
  ACTIVE_SERVICE_STATUSES,
  type AlarmEventDetails,
  CLOSED_STATUSES,
  type Reason,
} from "../../protocol/console/index.ts";
import { AfterCommit } from "../after-commit.ts";
import type { DispatchCloseOut } from "../alarms/alarm-service.ts";
import type { Clock } from "../clock.ts";
import type { DispatchRepository, HouseholdAccessRow } from "../dispatch/dispatch-repo.ts";
import { AnxinError } from "../errors.ts";
import type { SmsLanguage } from "../notify/sms-text.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import type { UserRepository, UserRow } from "../storage/user-repo.ts";
import { serviceRequestNotFound } from "./service-lifecycle.ts";
import type { ServiceRequestRepository, ServiceRequestRow, ServiceWorkerRow } from "./service-repo.ts";
import { distanceTo, orderServiceCandidates, routingReason, type ServiceCandidate } from "./service-routing.ts";
import { serviceAssignedMessage, serviceStandDownMessage } from "./service-text.ts";

export interface ServiceRequestDeps {
  sql: SqlSession;
  alarms: AlarmRepository;
  repo: ServiceRequestRepository;
  /** Households, and the alarm's current worker and dispatch reason (shown by the console's dispatch card). */
  dispatchRepo: DispatchRepository;
  outbox: OutboxRepository;
  users: UserRepository;
  /** The close-out every resolve uses (offers withdrawn, relatives stopped) and its after-commit work. */
  closeOut: DispatchCloseOut;
  clock: Clock;
  settings: { smsLanguage: SmsLanguage; publicUrl: string; timeZone: string };
}

export class ServiceRequestService {
  readonly deps: ServiceRequestDeps;

  constructor(deps: ServiceRequestDeps) {
    this.deps = deps;
  }

  /** The pipeline's dispatch stage, for a service alarm, inside its transaction; returns the after-commit work. */
  async openInStage(stageRow: AlarmRow): Promise<() => void> {
    const { alarms, repo, dispatchRepo, clock } = this.deps;
    const effects = new AfterCommit();
    const alarm = await alarms.get(stageRow.id);
    // An alarm the resident already cancelled, or one given a request by migration 7, opens nothing.
    if (alarm?.kind !== "service" || CLOSED_STATUSES.includes(alarm.status) || (await repo.forAlarm(alarm.id))) {
      return () => {};
    }
    const household = alarm.household_id ? await dispatchRepo.household(alarm.household_id) : undefined;
    const gridId = household?.grid_id ?? null;
    const requestId = await repo.insert({
      alarmId: alarm.id,
      householdId: household?.id ?? null,
      gridId,
      createdAt: clock().toISOString(),
    });
    await alarms.appendEvent(alarm.id, "service_request_opened", "system", { requestId, gridId });
    effects.change(alarm.id, "service_request_opened");
    const why = await this.route(await this.request(requestId), household, effects);
    if (why) {
      await dispatchRepo.setDispatchReason(alarm.id, why);
      await alarms.appendEvent(alarm.id, "service_request_not_routed", "system", { requestId, reason: why });
    }
    return () => void this.deps.closeOut.afterCommit(effects);
  }

  /** An operator assigns the request, or re-assigns it to another worker (any grid, on duty or not). */
  async assign(requestId: number, workerId: number, user: UserRow): Promise<void> {
    const actor = `user:${user.username}`;
    await this.transact(async (effects) => {
      const request = await this.request(requestId);
      if (request.status === "assigned" && request.worker_id === workerId) return;
      const worker = await this.deps.repo.worker(workerId);
      if (!worker) throw new AnxinError("WORKER_NOT_FOUND", `worker ${workerId} does not exist`, { workerId });
      const household = await this.household(request);
      const candidate: ServiceCandidate = {
        worker,
        sameGrid: request.grid_id !== null && worker.grid_id === request.grid_id,
        distanceM: distanceTo(worker, pointOf(household)),
      };
      const reason: Reason<"service_assigned_by_operator"> = {
        code: "service_assigned_by_operator",
        params: {
          operator: user.username,
          worker: worker.name,
          workerCode: worker.code,
          sameGrid: candidate.sameGrid ? 1 : 0,
          onDuty: worker.on_duty === 1 ? 1 : 0,
        },
      };
      await this.assignInTransaction(request, candidate, actor, reason, effects);
      await this.deps.users.audit(actor, "service_request_assigned", `service_request:${request.id}`, {
        alarmId: request.alarm_id,
        workerId,
        previousWorkerId: request.worker_id,
      });
    });
  }

  /**
   * The request is done: by its worker (`asWorker`, only their own) or by an
   * operator. The alarm is resolved as `real`, closing out like any resolve.
   */
  async done(requestId: number, user: UserRow, note: string | null, asWorker: boolean): Promise<void> {
    const { repo, alarms, users, clock, closeOut } = this.deps;
    const actor = `user:${user.username}`;
    await this.transact(async (effects) => {
      const request = await this.request(requestId);
      if (asWorker && (user.worker_id === null || request.worker_id !== user.worker_id)) {
        throw new AnxinError("AUTH_FORBIDDEN", `service request ${requestId} is not assigned to you`, { requestId });
      }
      const at = clock().toISOString();
      if (!(await repo.transition(request, "done", { done_at: at, done_by: actor, note }))) throw changed(requestId);
      const worker = request.worker_id === null ? undefined : await repo.worker(request.worker_id);
      await alarms.appendEvent(
        request.alarm_id,
        "service_request_done",
        actor,
        { requestId, ...who(worker), note },
        at,
      );
      const alarm = await alarms.get(request.alarm_id);
      if (alarm && !CLOSED_STATUSES.includes(alarm.status)) {
        await closeOut.closeOut(alarm.id, actor, effects, "resolved");
        const fields = { resolved_at: at, resolved_by: user.id, outcome: "real" };
        if (!(await alarms.transition(alarm.id, alarm.status, "resolved", fields))) {
          throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarm.id} changed while being resolved`, {});
        }
        await alarms.appendEvent(
          alarm.id,
          "resolved",
          actor,
          { outcome: "real", note, serviceRequestId: requestId },
          at,
        );
        effects.change(alarm.id, "resolved", { feedback: true });
      }
      await users.audit(actor, "service_request_done", `service_request:${requestId}`, {
        alarmId: request.alarm_id,
        note,
      });
    });
  }

  /**
   * Wraps the hub's close-out so that an alarm closed any other way (a
   * resident's or operator's cancel, an operator's plain resolve) closes its
   * request in the same transaction: cancelled, or done when it had a worker
   * and the alarm was resolved. The worker it was with is told by SMS.
   */
  closingWith(inner: DispatchCloseOut): DispatchCloseOut {
    return {
      closeOut: async (alarmId, actor, effects, closing) => {
        await inner.closeOut(alarmId, actor, effects, closing);
        await this.closeForAlarm(alarmId, actor, closing ?? "resolved", effects);
      },
      afterCommit: (effects) => inner.afterCommit(effects),
    };
  }

  /** Assigns to the best grid worker; returns why nobody was assigned, or null. */
  private async route(
    request: ServiceRequestRow,
    household: HouseholdAccessRow | undefined,
    effects: AfterCommit,
  ): Promise<AlarmEventDetails["service_request_not_routed"]["reason"] | null> {
    if (!household) return { code: "alarm_unlocated", params: {} };
    if (household.grid_id === null) return { code: "household_without_grid", params: { household: household.code } };
    const best = orderServiceCandidates(
      await this.deps.repo.workers(household.grid_id),
      household.grid_id,
      pointOf(household),
    )[0];
    if (!best) return { code: "grid_without_worker", params: { gridId: household.grid_id } };
    await this.assignInTransaction(request, best, "system", routingReason(best), effects);
    return null;
  }

  private async assignInTransaction(
    request: ServiceRequestRow,
    candidate: ServiceCandidate,
    actor: string,
    reason: AlarmEventDetails["service_request_assigned"]["reason"],
    effects: AfterCommit,
  ): Promise<void> {
    const { repo, alarms, dispatchRepo, clock } = this.deps;
    const { worker, distanceM } = candidate;
    const at = clock().toISOString();
    const alarm = await dispatchRepo.alarm(request.alarm_id);
    if (!alarm) throw new AnxinError("ALARM_NOT_FOUND", `alarm ${request.alarm_id} does not exist`, {});
    const fields = { worker_id: worker.id, assigned_at: at, assigned_by: actor };
    if (!(await repo.transition(request, "assigned", fields))) {
      throw changed(request.id);
    }
    // The alarm shows the worker it is with, as for an SOS, so the queue and the KPIs read it the same way.
    if (alarm.status === "unassigned") {
      if (!(await alarms.transition(alarm.id, alarm.status, "offered", { offered_at: alarm.offered_at ?? at }))) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarm.id} changed while being assigned`, {});
      }
      effects.feedback.add(alarm.id);
    } else if (alarm.status !== "offered") {
      throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarm.id} is ${alarm.status}`, { status: alarm.status });
    }
    await dispatchRepo.setCurrentWorker(alarm.id, worker.id, distanceM);
    await dispatchRepo.setDispatchReason(alarm.id, reason);
    const previous = request.worker_id === null ? undefined : await repo.worker(request.worker_id);
    await alarms.appendEvent(
      alarm.id,
      "service_request_assigned",
      actor,
      {
        requestId: request.id,
        worker: { id: worker.id, code: worker.code, name: worker.name },
        previousWorker: previous ? who(previous).worker : null,
        distanceM: distanceM === null ? null : Math.round(distanceM),
        reason,
      },
      at,
    );
    await this.textAssigned(request, alarm, worker, effects);
    if (previous) await this.textStandDown(request, previous, "reassigned", effects);
    effects.change(alarm.id, "service_request_assigned");
  }

  private async closeForAlarm(
    alarmId: number,
    actor: string,
    closing: "resolved" | "cancelled",
    effects: AfterCommit,
  ): Promise<void> {
    const { repo, alarms, clock } = this.deps;
    const request = await repo.forAlarm(alarmId);
    if (!request || !ACTIVE_SERVICE_STATUSES.includes(request.status)) return;
    const at = clock().toISOString();
    const done = closing === "resolved" && request.status === "assigned";
    // The request's note is for people's words; why it closed is the event's coded reason.
    const reason: Reason<"alarm_closed"> = { code: "alarm_closed", params: { status: closing } };
    const moved = done
      ? await repo.transition(request, "done", { done_at: at, done_by: actor, note: null })
      : await repo.transition(request, "cancelled", { cancelled_at: at, cancelled_by: actor, note: null });
    if (!moved) throw changed(request.id);
    const worker = request.worker_id === null ? undefined : await repo.worker(request.worker_id);
    const type = done ? "service_request_done" : "service_request_cancelled";
    await alarms.appendEvent(alarmId, type, actor, { requestId: request.id, ...who(worker), reason }, at);
    if (worker) await this.textStandDown(request, worker, "closed", effects);
    effects.change(alarmId, type);
  }

  private async textAssigned(
    request: ServiceRequestRow,
    alarm: AlarmRow,
    worker: ServiceWorkerRow,
    effects: AfterCommit,
  ): Promise<void> {
    const { settings, dispatchRepo, outbox } = this.deps;
    const resident = alarm.resident_id ? await dispatchRepo.resident(alarm.resident_id) : undefined;
    const facts = {
      request,
      worker,
      address: (await this.household(request))?.address ?? "",
      residentName: resident?.name ?? "",
      receivedAt: new Date(alarm.received_at),
    };
    effects.outboxAdded += await outbox.enqueue([serviceAssignedMessage(facts, settings)]);
  }

  private async textStandDown(
    request: ServiceRequestRow,
    worker: ServiceWorkerRow,
    reason: "reassigned" | "closed",
    effects: AfterCommit,
  ): Promise<void> {
    const facts = { request, worker, address: (await this.household(request))?.address ?? "", reason };
    effects.outboxAdded += await this.deps.outbox.enqueue([
      serviceStandDownMessage(facts, this.deps.settings.smsLanguage),
    ]);
  }

  private async request(requestId: number): Promise<ServiceRequestRow> {
    const request = await this.deps.repo.get(requestId);
    if (!request) throw serviceRequestNotFound(requestId);
    return request;
  }

  private household(request: ServiceRequestRow): Promise<HouseholdAccessRow | undefined> {
    return request.household_id === null
      ? Promise.resolve(undefined)
      : this.deps.dispatchRepo.household(request.household_id);
  }

  private async transact(work: (effects: AfterCommit) => void | Promise<void>): Promise<void> {
    const effects = new AfterCommit();
    await this.deps.sql.transaction(async () => work(effects));
    await this.deps.closeOut.afterCommit(effects);
  }
}

function pointOf(household: HouseholdAccessRow | undefined): { lat: number; lng: number } | null {
  return household && household.lat !== null && household.lng !== null
    ? { lat: household.lat, lng: household.lng }
    : null;
}

function who(worker: ServiceWorkerRow | undefined): { worker: { id: number; code: string; name: string } | null } {
  return { worker: worker ? { id: worker.id, code: worker.code, name: worker.name } : null };
}

function changed(requestId: number): AnxinError {
  return new AnxinError("SERVICE_REQUEST_TRANSITION_ILLEGAL", `service request ${requestId} changed meanwhile`, {
    requestId,
  });
}
