/**
 * The ranking against brute force: generated districts (seeded, several
 * hundred households each), random duty, busy and grid assignments, checked
 * household by household; then each rule on its own, small enough to read.
 */
import { describe, expect, it } from "vitest";
import { gatherCandidates, orderCandidates, type RankingRequest } from "../hub/dispatch/ranking.ts";
import type { RankedWorker } from "../hub/dispatch/types.ts";
import type { WorkerCandidate } from "../hub/geo/responders.ts";
import { ResponderSnapshot } from "../hub/geo/responders.ts";
import { seededRandom } from "../hub/seed/prng.ts";
import { bruteForceRanking, type OracleWorker } from "./support/dispatch-oracle.ts";
import { haversineMetres } from "./support/geo.ts";

const CENTER = { lat: 37.59, lng: 118.55 };
/** Four grids as quadrants around the centre, like the demo district. */
const gridOf = (lat: number, lng: number) => (lat < CENTER.lat ? 0 : 2) + (lng < CENTER.lng ? 1 : 2);

function rank(
  workers: readonly WorkerCandidate[],
  request: RankingRequest,
  options: { size: number; gridPreferenceM: number },
): RankedWorker[] {
  const snapshot = new ResponderSnapshot(workers, []);
  return orderCandidates(
    gatherCandidates(snapshot.workers, request, options.size, options),
    request,
    options,
    "great_circle",
  );
}

function worker(id: number, lat: number, lng: number, extra: Partial<WorkerCandidate> = {}): WorkerCandidate {
  return { id, code: `W${id}`, name: `worker ${id}`, gridId: 1, onDuty: true, lat, lng, ...extra };
}

/** A point `metres` north of the centre. */
const north = (metres: number) => ({ lat: CENTER.lat + metres / 111_195, lng: CENTER.lng });

describe("worker ranking", () => {
  it.each([11, 2022, 99_991, 424_242, 7])("matches brute force on a generated district (seed %i)", (seed) => {
    const random = seededRandom(seed);
    const around = (spread: number) => ({
      lat: CENTER.lat + (random() - 0.5) * spread,
      lng: CENTER.lng + (random() - 0.5) * spread * 1.3,
    });
    const workerCount = 40 + Math.floor(random() * 120);
    const workers: WorkerCandidate[] = [];
    const oracleWorkers: OracleWorker[] = [];
    const busy = new Map<number, number>();
    for (let id = 1; id <= workerCount; id += 1) {
      const p = around(0.12);
      const onDuty = random() < 0.8;
      const gridId = random() < 0.85 ? gridOf(p.lat, p.lng) : 1 + Math.floor(random() * 4);
      workers.push(worker(id, p.lat, p.lng, { onDuty, gridId }));
      oracleWorkers.push({ id, lat: p.lat, lng: p.lng, on_duty: onDuty ? 1 : 0, grid_id: gridId });
      if (random() < 0.15) busy.set(id, 1000 + id);
    }
    const options = { size: 1 + Math.floor(random() * 7), gridPreferenceM: [0, 500, 1000, 3000][seed % 4] ?? 1000 };
    for (let h = 0; h < 300; h += 1) {
      const point = around(0.1);
      const gridId = gridOf(point.lat, point.lng);
      const ranked = rank(workers, { point, gridId, busy }, options);
      const expected = bruteForceRanking({ ...point, grid_id: gridId }, oracleWorkers, new Set(busy.keys()), options);
      expect(ranked.map((r) => r.workerId)).toEqual(expected.map((e) => e.id));
      ranked.forEach((r, i) => {
        expect(r.rank).toBe(i + 1);
        expect(r.distanceM).toBeCloseTo(expected[i]?.distanceM ?? -1, -1);
        expect(r.busy).toBe(expected[i]?.busy);
        expect(r.sameGrid).toBe(expected[i]?.sameGrid);
        // A coded reason, the entry's own code, with the distance it was ranked at.
        expect(r.reason).toMatchObject({ code: r.reasonCode, params: { distanceM: r.distanceM } });
      });
    }
  });

  it("never ranks an off-duty worker, however close", () => {
    const workers = [worker(1, CENTER.lat, CENTER.lng, { onDuty: false }), worker(2, north(900).lat, CENTER.lng)];
    const ranked = rank(workers, { point: CENTER, gridId: 1, busy: new Map() }, { size: 5, gridPreferenceM: 0 });
    expect(ranked.map((r) => r.workerId)).toEqual([2]);
    expect(ranked[0]?.reasonCode).toBe("nearest_free");
  });

  it("puts busy workers after every free one, and ranks them only when no one is free", () => {
    const near = worker(1, north(100).lat, CENTER.lng);
    const far = worker(2, north(4000).lat, CENTER.lng);
    const busy = new Map([[1, 77]]);
    const ranked = rank([near, far], { point: CENTER, gridId: 1, busy }, { size: 5, gridPreferenceM: 0 });
    expect(ranked.map((r) => [r.workerId, r.busy, r.reasonCode])).toEqual([
      [2, false, "nearest_free"],
      [1, true, "busy_after_free"],
    ]);
    expect(ranked[1]?.busyWithAlarmId).toBe(77);
    expect(ranked[1]?.reason).toMatchObject({ code: "busy_after_free", params: { busyAlarmId: 77 } });

    const allBusy = rank(
      [near, far],
      {
        point: CENTER,
        gridId: 1,
        busy: new Map([
          [1, 77],
          [2, 78],
        ]),
      },
      {
        size: 5,
        gridPreferenceM: 0,
      },
    );
    expect(allBusy.map((r) => [r.workerId, r.reasonCode])).toEqual([
      [1, "all_busy"],
      [2, "all_busy"],
    ]);
    // A full list of free workers leaves no room for busy ones.
    const full = rank([near, far], { point: CENTER, gridId: 1, busy }, { size: 1, gridPreferenceM: 0 });
    expect(full.map((r) => r.workerId)).toEqual([2]);
  });

  it("prefers the household's own grid worker only within the configured margin", () => {
    const stranger = worker(1, north(500).lat, CENTER.lng, { gridId: 9 });
    const ownAt = (metres: number) => worker(2, north(metres).lat, CENTER.lng, { gridId: 3 });
    const request = { point: CENTER, gridId: 3, busy: new Map<number, number>() };
    const options = { size: 5, gridPreferenceM: 1000 };
    // 800 m farther than the nearest free worker: within 1000 m, so the own-grid worker goes first.
    const within = rank([stranger, ownAt(1300)], request, options);
    expect(within.map((r) => [r.workerId, r.reasonCode, r.sameGrid])).toEqual([
      [2, "own_grid_preferred", true],
      [1, "nearest_free", false],
    ]);
    expect(within[0]?.reason).toEqual({
      code: "own_grid_preferred",
      params: { distanceM: within[0]?.distanceM, extraM: 800, nearestWorker: "worker 1", gridPreferenceM: 1000 },
    });
    // The nearest one comes second, after the own-grid worker, and says so.
    expect(within[1]?.reason).toEqual({
      code: "nearest_free",
      params: { distanceM: within[1]?.distanceM, promotedWorker: "worker 2" },
    });
    // 1200 m farther: outside the margin, distance decides.
    expect(rank([stranger, ownAt(1700)], request, options).map((r) => r.workerId)).toEqual([1, 2]);
    // A margin of 0 turns the preference off.
    expect(rank([stranger, ownAt(1300)], request, { size: 5, gridPreferenceM: 0 }).map((r) => r.workerId)).toEqual([
      1, 2,
    ]);
    // A busy own-grid worker is not preferred.
    const busy = { ...request, busy: new Map([[2, 5]]) };
    expect(rank([stranger, ownAt(1300)], busy, options).map((r) => r.workerId)).toEqual([1, 2]);
  });

  it("promotes an own-grid worker even from beyond the first `size` free workers", () => {
    const strangers = [1, 2, 3].map((id) => worker(id, north(200 + id * 100).lat, CENTER.lng, { gridId: 9 }));
    const own = worker(4, north(900).lat, CENTER.lng, { gridId: 3 });
    const ranked = rank(
      [...strangers, own],
      { point: CENTER, gridId: 3, busy: new Map() },
      {
        size: 2,
        gridPreferenceM: 1000,
      },
    );
    expect(ranked.map((r) => r.workerId)).toEqual([4, 1]);
  });

  it("orders by OSRM travel time when given, routed workers first, grid preference on road distance", () => {
    const a = worker(1, north(300).lat, CENTER.lng, { gridId: 9 });
    const b = worker(2, north(600).lat, CENTER.lng, { gridId: 9 });
    const c = worker(3, north(900).lat, CENTER.lng, { gridId: 9 });
    const request = { point: CENTER, gridId: 3, busy: new Map<number, number>() };
    const options = { size: 5, gridPreferenceM: 1000 };
    const pool = gatherCandidates(new ResponderSnapshot([a, b, c], []).workers, request, 10, options);
    const travel: Record<number, [number | null, number | null]> = { 1: [null, null], 2: [420, 2500], 3: [180, 1200] };
    for (const candidate of pool.free) {
      const [durationS, roadM] = travel[candidate.worker.id] ?? [null, null];
      candidate.travelTimeS = durationS;
      candidate.roadDistanceM = roadM;
    }
    const ranked = orderCandidates(pool, request, options, "travel_time");
    expect(ranked.map((r) => [r.workerId, r.reasonCode])).toEqual([
      [3, "fastest_free"],
      [2, "next_free"],
      [1, "no_route"],
    ]);
    expect(ranked[0]?.reason).toEqual({
      code: "fastest_free",
      params: { distanceM: ranked[0]?.distanceM, travelTimeS: 180, roadDistanceM: 1200 },
    });
    expect(ranked[2]?.reason).toEqual({ code: "no_route", params: { distanceM: ranked[2]?.distanceM } });
    expect(ranked[0]?.travelTimeS).toBe(180);
  });

  it("agrees with the independent haversine on distances", () => {
    const w = worker(1, 37.61, 118.58);
    const [ranked] = rank([w], { point: CENTER, gridId: null, busy: new Map() }, { size: 1, gridPreferenceM: 0 });
    expect(ranked?.distanceM).toBeCloseTo(haversineMetres(CENTER, w), -1);
  });
});
