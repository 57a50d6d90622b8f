/**
 * Who is nearest: on-duty community workers and clinics, from the registry,
 * behind one spatial index each. Before answering it compares the registry
 * version (bumped by triggers on any change to workers or clinics, whoever made
 * it: API, import, another process) and rebuilds when it moved.
 */
import type { ClinicRow, RegistryRepository, WorkerRow } from "../storage/registry-repo.ts";
import { type GeoPoint, NearestIndex, type NearestResult } from "./nearest.ts";

export class ResponderLocator {
  private readonly registry: RegistryRepository;
  private workers = new NearestIndex<WorkerRow>([]);
  private clinics = new NearestIndex<ClinicRow>([]);
  private builtFor = -1;

  constructor(registry: RegistryRepository) {
    this.registry = registry;
  }

  refresh(): void {
    this.builtFor = this.registry.registryVersion();
    const placedWorkers = this.registry
      .allWorkers()
      .flatMap((w) => (w.lat === null || w.lng === null ? [] : [{ lat: w.lat, lng: w.lng, item: w }]));
    this.workers = new NearestIndex(placedWorkers);
    this.clinics = new NearestIndex(this.registry.allClinics().map((c) => ({ lat: c.lat, lng: c.lng, item: c })));
  }

  private ensureFresh(): void {
    if (this.registry.registryVersion() !== this.builtFor) this.refresh();
  }

  nearestOnDutyWorker(point: GeoPoint): NearestResult<WorkerRow> | null {
    this.ensureFresh();
    return this.workers.nearest(point, 1, (w) => w.on_duty === 1)[0] ?? null;
  }

  nearestClinic(point: GeoPoint): NearestResult<ClinicRow> | null {
    this.ensureFresh();
    return this.clinics.nearest(point, 1)[0] ?? null;
  }
}
