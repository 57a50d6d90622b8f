/**
 * Who could respond: on-duty community workers and clinics, from the registry,
 * behind one spatial index each. Before answering it compares the registry
 * version (bumped by triggers on any change to workers or clinics, whoever made
 * it: API, import, the worker page, another process) and rebuilds when it moved.
 * Opening hours and capabilities are parsed here, once per rebuild, so a query
 * at alarm time does no JSON work.
 */
import { GeoIndex, type GeoPoint } from "./nearest.ts";
import { type DaySegment, parseOpeningHours } from "./opening-hours.ts";

/** A worker with a known position, as the ranking sees them. */
export interface WorkerCandidate extends GeoPoint {
  id: number;
  code: string;
  name: string;
  gridId: number | null;
  onDuty: boolean;
}

export interface ClinicCandidate extends GeoPoint {
  id: number;
  code: string;
  name: string;
  /** Offers 24h or emergency care. */
  emergencyCapable: boolean;
  /** `24h` capability: open whatever its hours say. */
  alwaysOpen: boolean;
  /** Opening hours flattened to per-weekday minute ranges (see opening-hours.ts). */
  hours: readonly DaySegment[];
}

export interface WorkerSourceRow {
  id: number;
  code: string;
  name: string;
  grid_id: number | null;
  on_duty: number;
  lat: number | null;
  lng: number | null;
}

export interface ClinicSourceRow {
  id: number;
  code: string;
  name: string;
  lat: number;
  lng: number;
  capabilities: string;
  hours: string | null;
}

export interface ResponderSource {
  registryVersion(): Promise<number>;
  workers(): Promise<WorkerSourceRow[]>;
  clinics(): Promise<ClinicSourceRow[]>;
}

/** The indexes at one registry version. */
export class ResponderSnapshot {
  readonly workers: GeoIndex<WorkerCandidate>;
  readonly clinics: GeoIndex<ClinicCandidate>;

  constructor(workers: readonly WorkerCandidate[], clinics: readonly ClinicCandidate[]) {
    this.workers = new GeoIndex(workers.map((w) => ({ lat: w.lat, lng: w.lng, item: w })));
    this.clinics = new GeoIndex(clinics.map((c) => ({ lat: c.lat, lng: c.lng, item: c })));
  }
}

/** A worker without a position cannot be ranked by distance; they can still be dispatched by hand. */
export function toWorkerCandidate(row: WorkerSourceRow): WorkerCandidate | null {
  if (row.lat === null || row.lng === null) return null;
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    gridId: row.grid_id,
    onDuty: row.on_duty === 1,
    lat: row.lat,
    lng: row.lng,
  };
}

export function toClinicCandidate(row: ClinicSourceRow): ClinicCandidate {
  const capabilities = parseCapabilities(row.capabilities);
  const alwaysOpen = capabilities.includes("24h");
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    lat: row.lat,
    lng: row.lng,
    alwaysOpen,
    emergencyCapable: alwaysOpen || capabilities.includes("emergency"),
    hours: parseOpeningHours(row.hours),
  };
}

function parseCapabilities(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

export class ResponderLocator {
  private readonly source: ResponderSource;
  private current = new ResponderSnapshot([], []);
  private builtFor = -1;

  constructor(source: ResponderSource) {
    this.source = source;
  }

  async refresh(): Promise<void> {
    const version = await this.source.registryVersion();
    const workers = (await this.source.workers()).flatMap((row) => toWorkerCandidate(row) ?? []);
    const clinics = (await this.source.clinics()).map(toClinicCandidate);
    this.builtFor = version;
    this.current = new ResponderSnapshot(workers, clinics);
  }

  /** The indexes as the registry is now (one read of its version when nothing changed). */
  async snapshot(): Promise<ResponderSnapshot> {
    if ((await this.source.registryVersion()) !== this.builtFor) await this.refresh();
    return this.current;
  }
}
