/**
 * Who is asked first. Pure functions over a spatial index, so the same code
 * serves the pipeline, the OSRM refinement, the tests and the benchmark.
 *
 * The rules, in order:
 * 1. only on-duty workers with a known position;
 * 2. free workers before busy ones (busy = on an active alarm, or holding an
 *    open offer); busy workers are ranked only to fill the list, so the cascade
 *    reaches them only when no free worker is left;
 * 3. free workers by great-circle distance, or by road travel time when OSRM answered;
 * 4. the household's own grid worker goes first when at most `gridPreferenceM`
 *    farther than the nearest free worker: they know the resident and the building.
 */
import type { DistanceParams, RankedParams, RankingParams, Reason } from "../../protocol/console/index.ts";
import type { GeoIndex, GeoPoint } from "../geo/nearest.ts";
import type { WorkerCandidate } from "../geo/responders.ts";
import type { BusyLookup } from "./busy-source.ts";
import type { RankedWorker, RankingMetric, RankingReasonCode } from "./types.ts";

export interface RankingRequest {
  point: GeoPoint;
  /** The household's grid, for the grid preference. */
  gridId: number | null;
  /** Busy workers → the alarm they are busy with (a `Map` will do). */
  busy: BusyLookup;
}

export interface RankingOptions {
  size: number;
  gridPreferenceM: number;
}

export interface Candidate {
  worker: WorkerCandidate;
  distanceM: number;
  travelTimeS: number | null;
  roadDistanceM: number | null;
  busyWithAlarmId: number | null;
}

export interface CandidatePool {
  /** Free on-duty workers, nearest first (plus the own-grid worker that the preference could promote). */
  free: Candidate[];
  /** Busy on-duty workers, nearest first; gathered only when too few are free. */
  busy: Candidate[];
}

/**
 * The nearest `poolSize` free workers, the own-grid worker the preference
 * might promote (even when just outside that pool), and, only when fewer than
 * `options.size` are free, the nearest busy ones to fill the ranking.
 */
export function gatherCandidates(
  index: GeoIndex<WorkerCandidate>,
  request: RankingRequest,
  poolSize: number,
  options: RankingOptions,
): CandidatePool {
  const { point, busy, gridId } = request;
  const toCandidate = (r: { item: WorkerCandidate; distanceM: number }): Candidate => ({
    worker: r.item,
    distanceM: r.distanceM,
    travelTimeS: null,
    roadDistanceM: null,
    busyWithAlarmId: busy.get(r.item.id) ?? null,
  });
  const isFree = (w: WorkerCandidate) => w.onDuty && !busy.has(w.id);
  const free = index.nearest(point, { count: poolSize, accept: isFree }).map(toCandidate);
  const nearest = free[0];
  if (nearest && gridId !== null && !free.some((c) => c.worker.gridId === gridId)) {
    const own = index.nearest(point, {
      count: 1,
      maxDistanceM: nearest.distanceM + options.gridPreferenceM,
      accept: (w) => isFree(w) && w.gridId === gridId,
    })[0];
    if (own) free.push(toCandidate(own));
  }
  const missing = options.size - free.length;
  const busyOnes =
    missing > 0
      ? index.nearest(point, { count: missing, accept: (w) => w.onDuty && busy.has(w.id) }).map(toCandidate)
      : [];
  return { free, busy: busyOnes };
}

/** Orders a candidate pool into the stored ranking, each position with its reason. */
export function orderCandidates(
  pool: CandidatePool,
  request: RankingRequest,
  options: RankingOptions,
  metric: RankingMetric,
): RankedWorker[] {
  const byMetric = (a: Candidate, b: Candidate) => {
    if (metric === "travel_time") {
      // Workers OSRM found no route for go after every routed one, by distance.
      if (a.travelTimeS === null || b.travelTimeS === null) {
        if (a.travelTimeS !== b.travelTimeS) return a.travelTimeS === null ? 1 : -1;
      } else if (a.travelTimeS !== b.travelTimeS) return a.travelTimeS - b.travelTimeS;
    }
    return a.distanceM - b.distanceM;
  };
  const free = [...pool.free].sort(byMetric);
  const first = free[0];
  const closeness = (c: Candidate) => c.roadDistanceM ?? c.distanceM;
  const sameGrid = (c: Candidate) => request.gridId !== null && c.worker.gridId === request.gridId;
  const promoted = first
    ? free.find((c) => sameGrid(c) && closeness(c) <= closeness(first) + options.gridPreferenceM)
    : undefined;
  if (promoted && promoted !== first) free.splice(0, 0, ...free.splice(free.indexOf(promoted), 1));
  const ordered = free.slice(0, options.size);
  const busy = [...pool.busy].sort((a, b) => a.distanceM - b.distanceM);
  ordered.push(...busy.slice(0, options.size - ordered.length));

  return ordered.map((c, i) => {
    const reason = reasonFor(c, i, { first, promoted, freeCount: free.length, metric, options });
    return {
      rank: i + 1,
      workerId: c.worker.id,
      code: c.worker.code,
      name: c.worker.name,
      distanceM: Math.round(c.distanceM),
      travelTimeS: c.travelTimeS === null ? null : Math.round(c.travelTimeS),
      roadDistanceM: c.roadDistanceM === null ? null : Math.round(c.roadDistanceM),
      sameGrid: sameGrid(c),
      busy: c.busyWithAlarmId !== null,
      busyWithAlarmId: c.busyWithAlarmId,
      reason,
      reasonCode: reason.code,
    };
  });
}

interface ReasonContext {
  first: Candidate | undefined;
  promoted: Candidate | undefined;
  freeCount: number;
  metric: RankingMetric;
  options: RankingOptions;
}

function reasonFor(c: Candidate, position: number, ctx: ReasonContext): Reason<RankingReasonCode> {
  const at = distanceParams(c);
  if (c.busyWithAlarmId !== null) {
    const params = { ...at, busyAlarmId: c.busyWithAlarmId };
    return ctx.freeCount === 0 ? { code: "all_busy", params } : { code: "busy_after_free", params };
  }
  if (ctx.metric === "travel_time" && c.travelTimeS === null) return { code: "no_route", params: at };
  if (position === 0 && ctx.promoted && ctx.promoted !== ctx.first && ctx.first) {
    const extra = Math.max(0, (c.roadDistanceM ?? c.distanceM) - (ctx.first.roadDistanceM ?? ctx.first.distanceM));
    return {
      code: "own_grid_preferred",
      params: {
        ...at,
        extraM: Math.round(extra),
        nearestWorker: ctx.first.worker.name,
        gridPreferenceM: ctx.options.gridPreferenceM,
      },
    };
  }
  const code = ctx.metric === "travel_time" ? "fastest_free" : "nearest_free";
  if (position === 0) return { code, params: at };
  // The nearest one, second after the own-grid worker the preference put first.
  if (c === ctx.first && ctx.promoted) return { code, params: { ...at, promotedWorker: ctx.promoted.worker.name } };
  return { code: "next_free", params: at };
}

/** Distance, and travel time and road distance when OSRM gave them (rounded: metres, seconds). */
function distanceParams(c: Candidate): DistanceParams {
  return {
    distanceM: Math.round(c.distanceM),
    ...(c.travelTimeS === null ? {} : { travelTimeS: Math.round(c.travelTimeS) }),
    ...(c.roadDistanceM === null ? {} : { roadDistanceM: Math.round(c.roadDistanceM) }),
  };
}

/** A ranked worker as the reasons that name one say it (offer_ranked, suggested): who, and why this position. */
export function rankedParams(entry: RankedWorker): RankedParams {
  const basis: RankingParams = entry.reason.code === "text" ? storedParams(entry) : entry.reason.params;
  return {
    ...basis,
    worker: entry.name,
    workerCode: entry.code,
    sameGrid: entry.sameGrid ? 1 : 0,
    basis: entry.reasonCode,
  };
}

/** A ranking stored before reasons were coded: the params its entry's own fields still tell. */
function storedParams(entry: RankedWorker): RankingParams {
  return {
    distanceM: entry.distanceM,
    ...(entry.travelTimeS === null ? {} : { travelTimeS: entry.travelTimeS }),
    ...(entry.roadDistanceM === null ? {} : { roadDistanceM: entry.roadDistanceM }),
    ...(entry.busyWithAlarmId === null ? {} : { busyAlarmId: entry.busyWithAlarmId }),
  };
}
