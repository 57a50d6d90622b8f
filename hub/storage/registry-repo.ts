import type { Db } from "./database.ts";
import { PresenceBuffer } from "./presence-buffer.ts";

export interface DeviceRow {
  id: string;
  household_id: number | null;
  secret_hash: string;
  status: "active" | "revoked";
  online: number;
  last_seen_at: string | null;
  battery: number | null;
}

export interface HouseholdRow {
  id: number;
  code: string;
  address: string;
  lat: number | null;
  lng: number | null;
  grid_id: number | null;
  key_holder: string | null;
}

export interface ResidentRow {
  id: number;
  household_id: number;
  name: string;
  birth_date: string;
  sex: "F" | "M" | "X";
  language: string;
}

export interface RelativeRow {
  id: number;
  resident_id: number;
  priority: number;
  name: string;
  relation: string;
  phone: string;
  language: string;
  /** 1: once texted about an alarm, also gets its update SMS (migration 12); 0: switched off. */
  updates: number;
}

export interface WorkerRow {
  id: number;
  name: string;
  phone: string;
  grid_id: number | null;
  on_duty: number;
  lat: number | null;
  lng: number | null;
}

export interface ClinicRow {
  id: number;
  name: string;
  phone: string;
  address: string;
  lat: number;
  lng: number;
  capabilities: string;
}

export interface GridRow {
  id: number;
  code: string;
  name: string;
}

/**
 * Read access to the registry (households, residents, devices, responders) for
 * the hub's own use, and the devices' presence, which is written behind
 * (presence-buffer.ts): `findDevice` already shows what is not flushed yet.
 */
export class RegistryRepository {
  private readonly db: Db;
  readonly presence: PresenceBuffer;

  constructor(db: Db, presence: PresenceBuffer = new PresenceBuffer(db)) {
    this.db = db;
    this.presence = presence;
  }

  findDevice(deviceId: string): DeviceRow | undefined {
    const row = this.db.prepare("SELECT * FROM devices WHERE id = ?").get(deviceId) as DeviceRow | undefined;
    return row && this.presence.overlay(deviceId, row);
  }

  /**
   * Only what the broker checks at a device's login and again on every publish (still active, same
   * secret): two columns and no presence overlay, where `findDevice` builds the whole row (issue 12:
   * 8–14 % of the hub when retries flood it).
   */
  deviceCredentials(deviceId: string): Pick<DeviceRow, "status" | "secret_hash"> | undefined {
    return this.db.prepare("SELECT status, secret_hash FROM devices WHERE id = ?").get(deviceId) as
      | Pick<DeviceRow, "status" | "secret_hash">
      | undefined;
  }

  /** Heard from (a heartbeat or a press): reaches SQLite with the next presence flush. */
  markDeviceSeen(deviceId: string, at: string, battery: number | null, firmware: string | null): void {
    this.presence.seen(deviceId, at, battery, firmware);
  }

  /** Online or offline (a status, a Will): reaches SQLite with the next presence flush. */
  setDeviceOnline(deviceId: string, online: boolean, at: string): void {
    this.presence.setOnline(deviceId, online, at);
  }

  household(id: number): HouseholdRow | undefined {
    return this.db.prepare("SELECT * FROM households WHERE id = ?").get(id) as HouseholdRow | undefined;
  }

  /** The household's first resident: one button serves one household, whose primary resident is listed first. */
  primaryResident(householdId: number): ResidentRow | undefined {
    return this.db.prepare("SELECT * FROM residents WHERE household_id = ? ORDER BY id LIMIT 1").get(householdId) as
      | ResidentRow
      | undefined;
  }

  resident(id: number): ResidentRow | undefined {
    return this.db.prepare("SELECT * FROM residents WHERE id = ?").get(id) as ResidentRow | undefined;
  }

  relatives(residentId: number): RelativeRow[] {
    return this.db
      .prepare("SELECT * FROM relatives WHERE resident_id = ? ORDER BY priority")
      .all(residentId) as RelativeRow[];
  }

  grid(id: number): GridRow | undefined {
    return this.db.prepare("SELECT id, code, name FROM grids WHERE id = ?").get(id) as GridRow | undefined;
  }

  worker(id: number): WorkerRow | undefined {
    return this.db.prepare("SELECT * FROM workers WHERE id = ?").get(id) as WorkerRow | undefined;
  }

  clinic(id: number): ClinicRow | undefined {
    return this.db.prepare("SELECT * FROM clinics WHERE id = ?").get(id) as ClinicRow | undefined;
  }

  allWorkers(): WorkerRow[] {
    return this.db.prepare("SELECT * FROM workers").all() as WorkerRow[];
  }

  allClinics(): ClinicRow[] {
    return this.db.prepare("SELECT * FROM clinics").all() as ClinicRow[];
  }

  /** Bumped by triggers on every change to workers or clinics, by any writer. */
  registryVersion(): number {
    return (this.db.prepare("SELECT value FROM meta WHERE key = 'registry_version'").get() as { value: number }).value;
  }

  /** True when nothing has been registered yet: the only state in which the demo district may be seeded. */
  isEmpty(): boolean {
    const row = this.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM households) + (SELECT COUNT(*) FROM grids) + (SELECT COUNT(*) FROM workers)
              + (SELECT COUNT(*) FROM clinics) + (SELECT COUNT(*) FROM gazetteer) + (SELECT COUNT(*) FROM devices) AS n`,
      )
      .get() as { n: number };
    return row.n === 0;
  }
}
