/**
 * Who should handle a service request. A service call belongs to the
 * household's grid worker, who knows the residents, so it is never offered
 * around by distance as an SOS is: the grid decides, then duty, then distance.
 * The same order lists the candidates an operator picks from when
 * re-assigning (other grids after the household's own).
 */
import type { Reason } from "../../protocol/console/index.ts";
import { type GeoPoint, greatCircleMetres } from "../geo/nearest.ts";
import type { ServiceWorkerRow } from "./service-repo.ts";

export interface ServiceCandidate {
  worker: ServiceWorkerRow;
  sameGrid: boolean;
  /** Great circle from the worker's last position; null when either position is unknown. */
  distanceM: number | null;
}

export function distanceTo(worker: ServiceWorkerRow, point: GeoPoint | null): number | null {
  if (!point || worker.lat === null || worker.lng === null) return null;
  return greatCircleMetres({ lat: worker.lat, lng: worker.lng }, point);
}

/** Own grid first, then on duty, then nearest (unknown positions last), then by id for a stable order. */
export function orderServiceCandidates(
  workers: readonly ServiceWorkerRow[],
  gridId: number | null,
  point: GeoPoint | null,
): ServiceCandidate[] {
  const candidates = workers.map((worker) => ({
    worker,
    sameGrid: gridId !== null && worker.grid_id === gridId,
    distanceM: distanceTo(worker, point),
  }));
  return candidates.sort(
    (a, b) =>
      Number(b.sameGrid) - Number(a.sameGrid) ||
      b.worker.on_duty - a.worker.on_duty ||
      (a.distanceM ?? Number.POSITIVE_INFINITY) - (b.distanceM ?? Number.POSITIVE_INFINITY) ||
      a.worker.id - b.worker.id,
  );
}

/** Why the router chose this worker, for the timeline and the dispatch card (off duty: nobody of the grid is on). */
export function routingReason(candidate: ServiceCandidate): Reason<"service_grid_worker"> {
  const { worker, distanceM } = candidate;
  return {
    code: "service_grid_worker",
    params: {
      worker: worker.name,
      workerCode: worker.code,
      onDuty: worker.on_duty === 1 ? 1 : 0,
      ...(distanceM === null ? {} : { distanceM: Math.round(distanceM) }),
    },
  };
}
