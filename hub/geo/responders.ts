/**
 * Who is nearest: on-duty community workers and clinics, from the registry,
 * behind one spatial index each. `refresh()` rebuilds both after a registry
 * change (a worker going on duty or moving).
 */
import type { ClinicRow, RegistryRepository, WorkerRow } from "../storage/registry-repo.ts";
import { type GeoPoint, NearestIndex, type NearestResult } from "./nearest.ts";

export class ResponderLocator {
  private readonly registry: RegistryRepository;
  private workers = new NearestIndex<WorkerRow>([]);
  private clinics = new NearestIndex<ClinicRow>([]);

  constructor(registry: RegistryRepository) {
    this.registry = registry;
  }

  refresh(): void {
    const placedWorkers = this.registry
      .allWorkers()
      .flatMap((w) => (w.lat === null || w.lng === null ? [] : [{ lat: w.lat, lng: w.lng, item: w }]));
    this.workers = new NearestIndex(placedWorkers);
    this.clinics = new NearestIndex(this.registry.allClinics().map((c) => ({ lat: c.lat, lng: c.lng, item: c })));
  }

  nearestOnDutyWorker(point: GeoPoint): NearestResult<WorkerRow> | null {
    return this.workers.nearest(point, 1, (w) => w.on_duty === 1)[0] ?? null;
  }

  nearestClinic(point: GeoPoint): NearestResult<ClinicRow> | null {
    return this.clinics.nearest(point, 1)[0] ?? null;
  }
}
