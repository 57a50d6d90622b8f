/**
 * Dispatch as the rest of the hub sees it: the pipeline's stage hands over,
 * the offer watcher drives timeouts and pending refinements, operators pick a
 * worker by hand, and an alarm being closed withdraws what is still open.
 * Each action is one SQLite transaction (through the synchronous cascade);
 * what follows a commit — console pushes, the device's retained feedback, the
 * outbox sender's wake-up — happens in `afterCommit`, never before.
 */
import type { Logger } from "pino";
import type { Reason } from "../../protocol/console/index.ts";
import { AfterCommit } from "../after-commit.ts";
import { buttonStateOf } from "../alarms/button-state.ts";
import { CHUNK_SIZE } from "../chunked.ts";
import type { Clock } from "../clock.ts";
import { AnxinError, describeError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import { greatCircleMetres } from "../geo/nearest.ts";
import type { ResponderLocator } from "../geo/responders.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import type { UserRepository, UserRow } from "../storage/user-repo.ts";
import { DispatchPlanner } from "./dispatch-planner.ts";
import type { DispatchRepository, OfferRow } from "./dispatch-repo.ts";
import { OFFERABLE_STATUSES, OfferCascade, parseRanking } from "./offer-cascade.ts";
import { gatherCandidates, orderCandidates } from "./ranking.ts";
import type { OsrmTableClient } from "./routing.ts";
import type { DeviceFeedback, DispatchSettings, RankingMetric, StoredRanking } from "./types.ts";

export interface DispatchServiceDeps {
  sql: SqlSession;
  alarms: AlarmRepository;
  repo: DispatchRepository;
  outbox: OutboxRepository;
  users: UserRepository;
  responders: ResponderLocator;
  devices: DeviceFeedback;
  bus: EventBus;
  logger: Logger;
  settings: DispatchSettings;
  /** Null when ANXIN_ROUTING_URL is not set. */
  router: OsrmTableClient | null;
  clock: Clock;
}

export class DispatchService {
  readonly deps: DispatchServiceDeps;
  readonly cascade: OfferCascade;
  private readonly planner: DispatchPlanner;
  /** Alarms whose OSRM refinement is under way, so the watcher does not start a second one. */
  private readonly refining = new Set<number>();

  constructor(deps: DispatchServiceDeps) {
    this.deps = deps;
    this.cascade = new OfferCascade(deps);
    this.planner = new DispatchPlanner({
      ...deps,
      cascade: this.cascade,
      refine: (alarmId) => void this.refineAndOffer(alarmId),
    });
  }

  /** Builds the busy-worker mirror from the tables (outside any transaction); before it, rankings ask the tables. */
  start(): void {
    this.deps.repo.busyMirror().start();
  }

  stop(): void {
    this.deps.repo.busyMirror().stop();
  }

  /** The pipeline stage: plans inside its transaction; the returned function runs after the commit. */
  async planInStage(alarm: AlarmRow): Promise<() => void> {
    const effects = await this.planner.plan(alarm);
    return () => void this.afterCommit(effects);
  }

  /** Runs `work` in one transaction, then applies its effects. */
  async transact<T>(work: (effects: AfterCommit) => T | Promise<T>): Promise<T> {
    const effects = new AfterCommit();
    const result = await this.deps.sql.transaction(async () => work(effects));
    await this.afterCommit(effects);
    return result;
  }

  /**
   * Once committed: the changes and the outbox announced, the queued work (an OSRM refinement started),
   * then each alarm's buttons told its state, each on its own.
   */
  async afterCommit(effects: AfterCommit): Promise<void> {
    const { bus, repo, devices, logger } = this.deps;
    repo.busyMirror().sync();
    bus.announce(effects);
    await effects.run((error) => logger.error({ err: error }, "after-commit work of dispatch failed"));
    for (const alarmId of effects.feedback) {
      try {
        const alarm = await repo.alarm(alarmId);
        if (alarm) await devices.feedback(alarm.device_id, buttonStateOf(alarm), alarm.id);
      } catch (error) {
        // Committed already; the device learns the state from the retained message at its next reconnect.
        logger.warn({ err: error, alarmId }, "could not publish feedback to the device");
      }
    }
  }

  /**
   * Watcher: every open offer past its deadline times out and the next worker is asked.
   * A restart or a burst can leave thousands expired at once; they are handled
   * `CHUNK_SIZE` (hub/chunked.ts) at a time with a turn of the event loop between chunks, so
   * presses are still stored and acked while the pass runs (issue 12).
   */
  async timeOutExpiredOffers(): Promise<number> {
    const now = this.deps.clock().toISOString();
    let handled = 0;
    for (;;) {
      const expired = await this.deps.repo.expiredOffers(now, CHUNK_SIZE);
      for (const offer of expired) await this.timeOut(offer, now);
      handled += expired.length;
      if (expired.length < CHUNK_SIZE) return handled;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private timeOut(offer: OfferRow, now: string): Promise<void> {
    return this.transact(async (effects) => {
      if (!(await this.deps.repo.settleOffer(offer.id, "timed_out", now, null))) return;
      const worker = await this.deps.repo.worker(offer.worker_id);
      await this.deps.alarms.appendEvent(offer.alarm_id, "offer_timed_out", "system", {
        offerId: offer.id,
        worker: { id: offer.worker_id, code: worker?.code ?? null, name: worker?.name ?? null },
        expiresAt: offer.expires_at,
      });
      effects.change(offer.alarm_id, "offer_timed_out");
      await this.cascade.offerNext(offer.alarm_id, effects, {
        after: "offer_timed_out",
        ...(worker ? { afterWorker: worker.name } : {}),
      });
    });
  }

  /** Watcher: refinements that a restart (or a lost promise) left pending are started again. */
  async resumePendingRefinements(): Promise<void> {
    for (const alarmId of await this.deps.repo.alarmsAwaitingRefinement()) void this.refineAndOffer(alarmId);
  }

  /**
   * Re-ranks the nearest free workers by OSRM travel time (falling back to
   * great circle, with a warning, when OSRM fails), stores the final ranking,
   * and makes the first offer. Ranks afresh rather than reusing the provisional
   * list: workers may have become busy while the router was asked.
   */
  async refineAndOffer(alarmId: number): Promise<void> {
    const { repo, settings, router, logger, responders } = this.deps;
    if (this.refining.has(alarmId)) return;
    this.refining.add(alarmId);
    try {
      const alarm = await repo.alarm(alarmId);
      const household = alarm?.household_id ? await repo.household(alarm.household_id) : undefined;
      if (!alarm || parseRanking(alarm.dispatch_ranking)?.refinement !== "pending") return;
      if (!household || household.lat === null || household.lng === null) return;
      const point = { lat: household.lat, lng: household.lng };
      const request = { point, gridId: household.grid_id, busy: await repo.busyLookup(alarmId) };
      const options = { size: settings.rankingSize, gridPreferenceM: settings.gridPreferenceM };
      const pool = gatherCandidates(
        (await responders.snapshot()).workers,
        request,
        settings.routing?.candidates ?? 1,
        options,
      );
      let metric: RankingMetric = "great_circle";
      let note: Reason<"routing_failed"> | null = null;
      try {
        if (!router) throw new AnxinError("ROUTING_FAILED", "no router configured");
        const travel = await router.toDestination(
          pool.free.map((c) => c.worker),
          point,
        );
        pool.free.forEach((c, i) => {
          c.travelTimeS = travel[i]?.durationS ?? null;
          c.roadDistanceM = travel[i]?.distanceM ?? null;
        });
        metric = "travel_time";
      } catch (error) {
        note = { code: "routing_failed", params: { error: describeError(error) } };
        logger.warn({ err: error, alarmId, code: "ROUTING_FAILED" }, "OSRM failed; ranking by great-circle distance");
      }
      const ranking: StoredRanking = {
        metric,
        refinement: metric === "travel_time" ? "done" : "failed",
        computedAt: this.deps.clock().toISOString(),
        entries: orderCandidates(pool, request, options, metric),
        note,
      };
      await this.transact(async (effects) => {
        // Another refinement (or a restart's) may have finished first: the stored state decides.
        if (parseRanking((await repo.alarm(alarmId))?.dispatch_ranking ?? null)?.refinement !== "pending") return;
        await repo.setRanking(alarmId, ranking);
        await this.deps.alarms.appendEvent(alarmId, "dispatch_refined", "system", {
          metric,
          note,
          ranking: ranking.entries.map((e) => ({ rank: e.rank, workerId: e.workerId, travelTimeS: e.travelTimeS })),
        });
        effects.change(alarmId, "dispatch_refined");
        await this.cascade.offerNext(alarmId, effects, null);
      });
    } catch (error) {
      logger.error({ err: error, alarmId }, "dispatch refinement failed; the offer watcher will retry");
    } finally {
      this.refining.delete(alarmId);
    }
  }

  /** An operator picks the worker: any open offer is withdrawn and this worker is asked. */
  async dispatchByHand(alarmId: number, workerId: number, operator: UserRow): Promise<OfferRow> {
    const { repo } = this.deps;
    const actor = `user:${operator.username}`;
    return this.transact(async (effects) => {
      const alarm = await repo.alarm(alarmId);
      if (!alarm) throw new AnxinError("ALARM_NOT_FOUND", `alarm ${alarmId} does not exist`, { alarmId });
      if (!OFFERABLE_STATUSES.includes(alarm.status)) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is ${alarm.status}; it cannot be dispatched`, {
          status: alarm.status,
        });
      }
      if (alarm.kind === "service") {
        // Offers are for emergencies; a service call is a service request with its own assignment.
        throw new AnxinError("DISPATCH_IMPOSSIBLE", `alarm ${alarmId} is a service request: assign it instead`, {
          alarmId,
        });
      }
      const worker = await repo.worker(workerId);
      if (!worker) throw new AnxinError("WORKER_NOT_FOUND", `worker ${workerId} does not exist`, { workerId });
      const household = alarm.household_id ? await repo.household(alarm.household_id) : undefined;
      if (!household) {
        throw new AnxinError(
          "DISPATCH_IMPOSSIBLE",
          `alarm ${alarmId} has no household: there is nowhere to send anyone`,
        );
      }
      const open = await repo.openOffer(alarmId);
      if (open?.worker_id === workerId) return open;
      await this.cascade.withdrawOpenOffer(alarmId, actor, "reassigned", effects);
      const distanceM =
        worker.lat !== null && worker.lng !== null && household.lat !== null && household.lng !== null
          ? greatCircleMetres({ lat: worker.lat, lng: worker.lng }, { lat: household.lat, lng: household.lng })
          : null;
      const entry = parseRanking(alarm.dispatch_ranking)?.entries.find((e) => e.workerId === workerId);
      const busyWith = (await repo.busyLookup(alarmId)).get(workerId);
      return this.cascade.makeOffer((await repo.alarm(alarmId)) ?? alarm, worker, effects, {
        rank: entry?.rank ?? 0,
        distanceM,
        offeredBy: actor,
        reason: {
          code: "offer_by_operator",
          params: {
            operator: operator.username,
            worker: worker.name,
            workerCode: worker.code,
            ...(entry ? { rank: entry.rank } : {}),
            onDuty: worker.on_duty === 1 ? 1 : 0,
            ...(busyWith === undefined ? {} : { busyAlarmId: busyWith }),
          },
        },
      });
    });
  }

  /**
   * For an alarm being closed by an operator, inside their transaction: the
   * open offer is withdrawn, and a worker who accepted is told to stand down.
   */
  async closeOut(alarmId: number, actor: string, effects: AfterCommit): Promise<void> {
    const { repo } = this.deps;
    const alarm = await repo.alarm(alarmId);
    if (!alarm) return;
    await this.cascade.withdrawOpenOffer(alarmId, actor, "resolved", effects);
    if (alarm.status === "accepted" && alarm.worker_id !== null) {
      const worker = await repo.worker(alarm.worker_id);
      if (worker)
        await this.cascade.textStandDown(alarmId, worker, `worker:${worker.id}:stand_down`, "resolved", effects);
    }
  }
}
