/**
 * Service requests without the network: the state machine (every pair of
 * states) and the order in which workers are routed and offered to the
 * operator. The repository runs on both engines: tests/support/service-storage-suite.ts.
 */

import { describe, expect, it } from "vitest";
import { AnxinError } from "../hub/errors.ts";
import { assertServiceTransition, isLegalServiceTransition } from "../hub/service/service-lifecycle.ts";
import type { ServiceWorkerRow } from "../hub/service/service-repo.ts";
import { orderServiceCandidates } from "../hub/service/service-routing.ts";
import { SERVICE_REQUEST_STATUSES, type ServiceRequestStatus } from "../protocol/console/index.ts";
import { describeServiceStorage } from "./support/service-storage-suite.ts";
import { sqliteScratch } from "./support/sqlite-scratch.ts";

const LEGAL = new Set(["open→assigned", "open→cancelled", "assigned→assigned", "assigned→done", "assigned→cancelled"]);
const PAIRS = SERVICE_REQUEST_STATUSES.flatMap((from) =>
  SERVICE_REQUEST_STATUSES.map((to) => [from, to] as [ServiceRequestStatus, ServiceRequestStatus]),
);

describe("service request state machine", () => {
  it.each(PAIRS)("%s → %s is legal only if the table lists it", (from, to) => {
    const legal = LEGAL.has(`${from}→${to}`);
    expect(isLegalServiceTransition(from, to)).toBe(legal);
    if (legal) {
      expect(() => assertServiceTransition(from, to, 7)).not.toThrow();
      return;
    }
    let thrown: unknown;
    try {
      assertServiceTransition(from, to, 7);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AnxinError);
    expect(thrown).toMatchObject({ code: "SERVICE_REQUEST_TRANSITION_ILLEGAL", httpStatus: 409 });
    expect((thrown as AnxinError).details).toEqual({ from, to, requestId: 7 });
  });
});

describe("service routing order", () => {
  const at = { lat: 37.5, lng: 118.5 };
  const worker = (id: number, grid: number | null, onDuty: number, dLat: number | null): ServiceWorkerRow => ({
    id,
    code: `W${id}`,
    name: `w${id}`,
    phone: "+86",
    grid_id: grid,
    on_duty: onDuty,
    lat: dLat === null ? null : at.lat + dLat,
    lng: dLat === null ? null : at.lng,
  });

  it("puts the household's grid first, then on duty, then nearest, unknown positions last", () => {
    const workers = [
      worker(1, 2, 1, 0), // other grid, on duty, right there
      worker(2, 1, 0, 0), // own grid, off duty, right there
      worker(3, 1, 1, 0.02), // own grid, on duty, ~2.2 km
      worker(4, 1, 1, null), // own grid, on duty, position unknown
      worker(5, 1, 1, 0.01), // own grid, on duty, ~1.1 km
    ];
    const order = orderServiceCandidates(workers, 1, at);
    expect(order.map((c) => c.worker.id)).toEqual([5, 3, 4, 2, 1]);
    expect(order.map((c) => c.sameGrid)).toEqual([true, true, true, true, false]);
    expect(order[0]?.distanceM).toBeCloseTo(1112, -1);
    expect(order[2]?.distanceM).toBeNull();
    // A household in no grid: nobody is "same grid", duty and distance decide.
    expect(orderServiceCandidates(workers, null, at).map((c) => c.worker.id)).toEqual([1, 5, 3, 4, 2]);
  });
});

describeServiceStorage("SQLite", () => sqliteScratch("anxin-service-"));
