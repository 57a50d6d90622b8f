import { PresenceBuffer } from "./presence-buffer.ts";
import type { SqlDatabase } from "./sql/sql-port.ts";

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
  /** The household's fixed line (E.164), by which a call to the center is placed (migration 21). */
  landline: string | null;
  /** The key holder's phone (E.164), for an operator to call from the console (migration 23). */
  key_holder_phone: string | null;
}

export interface ResidentRow {
  id: number;
  household_id: number;
  name: string;
  birth_date: string;
  sex: "F" | "M" | "X";
  language: string;
  /** The resident's own phone (E.164), by which a call to the center is placed; null: none on record. */
  phone: string | null;
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
  private readonly sql: SqlDatabase;
  readonly presence: PresenceBuffer;

  constructor(sql: SqlDatabase, presence: PresenceBuffer = new PresenceBuffer(sql)) {
    this.sql = sql;
    this.presence = presence;
  }

  async findDevice(deviceId: string): Promise<DeviceRow | undefined> {
    const row = (await this.sql.get("SELECT * FROM devices WHERE id = ?", [deviceId])) as DeviceRow | undefined;
    return row && this.presence.overlay(deviceId, row);
  }

  /**
   * Only what the broker checks at a device's login and again on every publish (still active, same
   * secret): two columns and no presence overlay, where `findDevice` builds the whole row (issue 12:
   * 8–14 % of the hub when retries flood it).
   */
  async deviceCredentials(deviceId: string): Promise<Pick<DeviceRow, "status" | "secret_hash"> | undefined> {
    return (await this.sql.get("SELECT status, secret_hash FROM devices WHERE id = ?", [deviceId])) as
      | Pick<DeviceRow, "status" | "secret_hash">
      | undefined;
  }

  /** Heard from (a heartbeat or a press): reaches SQLite with the next presence flush. */
  markDeviceSeen(deviceId: string, at: string, battery: number | null, firmware: string | null): void {
    this.presence.seen(deviceId, at, battery, firmware);
  }

  /**
   * Online or offline (a status, a Will), said through the connection of epoch `connection` (null: not
   * known, as for the CLI): reaches the database with the next presence flush, unless a later connection's
   * word is there by then (broker/device-connections.ts).
   */
  setDeviceOnline(deviceId: string, online: boolean, at: string, connection: number | null = null): void {
    this.presence.setOnline(deviceId, online, at, connection);
  }

  async household(id: number): Promise<HouseholdRow | undefined> {
    return (await this.sql.get("SELECT * FROM households WHERE id = ?", [id])) as HouseholdRow | undefined;
  }

  /**
   * The households a phone number belongs to: a resident's own phone, or the household's landline
   * (E.164, as the registry stores them). More than one means the number cannot say which home calls.
   */
  async householdsByPhone(phone: string): Promise<number[]> {
    const rows = await this.sql.all<{ id: number }>(
      `SELECT household_id AS id FROM residents WHERE phone = ?
       UNION SELECT id FROM households WHERE landline = ?`,
      [phone, phone],
    );
    return rows.map((row) => row.id).sort((a, b) => a - b);
  }

  /** An operator placing a call's alarm keeps its number as the household's landline (hub/alarms/alarm-placement.ts). */
  async setLandline(householdId: number, phone: string): Promise<void> {
    await this.sql.run("UPDATE households SET landline = ? WHERE id = ?", [phone, householdId]);
  }

  /** …or as the resident's own phone. */
  async setResidentPhone(residentId: number, phone: string): Promise<void> {
    await this.sql.run("UPDATE residents SET phone = ? WHERE id = ?", [phone, residentId]);
  }

  /** The household's first resident: one button serves one household, whose primary resident is listed first. */
  async primaryResident(householdId: number): Promise<ResidentRow | undefined> {
    return (await this.sql.get("SELECT * FROM residents WHERE household_id = ? ORDER BY id LIMIT 1", [householdId])) as
      | ResidentRow
      | undefined;
  }

  async resident(id: number): Promise<ResidentRow | undefined> {
    return (await this.sql.get("SELECT * FROM residents WHERE id = ?", [id])) as ResidentRow | undefined;
  }

  async relatives(residentId: number): Promise<RelativeRow[]> {
    return (await this.sql.all("SELECT * FROM relatives WHERE resident_id = ? ORDER BY priority", [
      residentId,
    ])) as RelativeRow[];
  }

  async grid(id: number): Promise<GridRow | undefined> {
    return (await this.sql.get("SELECT id, code, name FROM grids WHERE id = ?", [id])) as GridRow | undefined;
  }

  async worker(id: number): Promise<WorkerRow | undefined> {
    return (await this.sql.get("SELECT * FROM workers WHERE id = ?", [id])) as WorkerRow | undefined;
  }

  async clinic(id: number): Promise<ClinicRow | undefined> {
    return (await this.sql.get("SELECT * FROM clinics WHERE id = ?", [id])) as ClinicRow | undefined;
  }

  async allWorkers(): Promise<WorkerRow[]> {
    return (await this.sql.all("SELECT * FROM workers")) as WorkerRow[];
  }

  async allClinics(): Promise<ClinicRow[]> {
    return (await this.sql.all("SELECT * FROM clinics")) as ClinicRow[];
  }

  /** Bumped by triggers on every change to workers or clinics, by any writer. */
  async registryVersion(): Promise<number> {
    return ((await this.sql.get("SELECT value FROM meta WHERE key = 'registry_version'")) as { value: number }).value;
  }

  /** True when nothing has been registered yet: the only state in which the demo district may be seeded. */
  async isEmpty(): Promise<boolean> {
    const row =
      (await this.sql.get(`SELECT (SELECT COUNT(*) FROM households) + (SELECT COUNT(*) FROM grids) + (SELECT COUNT(*) FROM workers)
              + (SELECT COUNT(*) FROM clinics) + (SELECT COUNT(*) FROM gazetteer) + (SELECT COUNT(*) FROM devices)
              + (SELECT COUNT(*) FROM roads) AS n`)) as {
        n: number;
      };
    return row.n === 0;
  }
}
