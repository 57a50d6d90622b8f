/**
 * Storage of device supervision: faults, the append-only device events, and
 * the device columns the supervisor reads. Times are ISO strings written by the
 * hub (`toISOString()`), so they compare correctly as text in SQL.
 */
import type { Db } from "../storage/database.ts";
import type { PresenceBuffer } from "../storage/presence-buffer.ts";

export const FAULT_KINDS = ["offline", "silent", "low_battery", "test_failed"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRow {
  id: number;
  device_id: string;
  kind: FaultKind;
  opened_at: string;
  cleared_at: string | null;
  detail: string | null;
  clear_reason: string | null;
  household_code: string | null;
  household_address: string | null;
}

export interface SupervisedDeviceRow {
  id: string;
  household_id: number | null;
  status: "active" | "revoked";
  online: number;
  last_seen_at: string | null;
  battery: number | null;
  firmware: string | null;
}

export interface DeviceEventRow {
  id: number;
  device_id: string;
  at: string;
  type: string;
  actor: string;
  detail: string | null;
}

const FAULT_SELECT = `
  SELECT f.*, h.code AS household_code, h.address AS household_address
  FROM device_faults f JOIN devices d ON d.id = f.device_id LEFT JOIN households h ON h.id = d.household_id`;

export class FaultRepository {
  private readonly db: Db;
  /** Device presence not yet in SQLite (written behind): laid over one device, flushed before a scan of many. */
  private readonly presence: PresenceBuffer | null;

  constructor(db: Db, presence: PresenceBuffer | null = null) {
    this.db = db;
    this.presence = presence;
  }

  /** Opens the fault unless one of this kind is already open for the device; returns the new row, or null. */
  open(deviceId: string, kind: FaultKind, at: string, detail: Record<string, unknown>): FaultRow | null {
    const inserted = this.db
      .prepare(
        "INSERT OR IGNORE INTO device_faults (device_id, kind, opened_at, detail) VALUES (?, ?, ?, ?) RETURNING id",
      )
      .get(deviceId, kind, at, JSON.stringify(detail)) as { id: number } | undefined;
    return inserted ? (this.fault(inserted.id) ?? null) : null;
  }

  /** Clears the device's open faults of these kinds; returns the rows that were open. */
  clear(deviceId: string, kinds: readonly FaultKind[], at: string, reason: string): FaultRow[] {
    const cleared = this.db
      .prepare(
        `UPDATE device_faults SET cleared_at = ?, clear_reason = ?
         WHERE device_id = ? AND cleared_at IS NULL AND kind IN (${kinds.map(() => "?").join(", ")}) RETURNING id`,
      )
      .all(at, reason, deviceId, ...kinds) as { id: number }[];
    return cleared.map((row) => this.fault(row.id)).filter((row): row is FaultRow => row !== undefined);
  }

  fault(id: number): FaultRow | undefined {
    return this.db.prepare(`${FAULT_SELECT} WHERE f.id = ?`).get(id) as FaultRow | undefined;
  }

  list(filter: { openOnly: boolean; deviceId?: string; limit: number }): FaultRow[] {
    const where = [filter.openOnly ? "f.cleared_at IS NULL" : null, filter.deviceId ? "f.device_id = ?" : null]
      .filter(Boolean)
      .join(" AND ");
    const params: (string | number)[] = filter.deviceId ? [filter.deviceId] : [];
    return this.db
      .prepare(`${FAULT_SELECT} ${where ? `WHERE ${where}` : ""} ORDER BY f.id DESC LIMIT ?`)
      .all(...params, filter.limit) as FaultRow[];
  }

  appendEvent(deviceId: string, type: string, actor: string, at: string, detail?: Record<string, unknown>): void {
    this.db
      .prepare("INSERT INTO device_events (device_id, at, type, actor, detail) VALUES (?, ?, ?, ?, ?)")
      .run(deviceId, at, type, actor, detail === undefined ? null : JSON.stringify(detail));
  }

  events(deviceId: string, limit: number): DeviceEventRow[] {
    return this.db
      .prepare("SELECT * FROM device_events WHERE device_id = ? ORDER BY id DESC LIMIT ?")
      .all(deviceId, limit) as DeviceEventRow[];
  }

  device(deviceId: string): SupervisedDeviceRow | undefined {
    const row = this.db
      .prepare("SELECT id, household_id, status, online, last_seen_at, battery, firmware FROM devices WHERE id = ?")
      .get(deviceId) as SupervisedDeviceRow | undefined;
    return row && this.presence ? this.presence.overlay(deviceId, row) : row;
  }

  /** The kinds of the device's open faults (a lookup in the one-open-per-kind index). */
  openKinds(deviceId: string): Set<FaultKind> {
    const rows = this.db
      .prepare("SELECT kind FROM device_faults WHERE device_id = ? AND cleared_at IS NULL")
      .all(deviceId) as { kind: FaultKind }[];
    return new Set(rows.map((row) => row.kind));
  }

  alarmDevice(alarmId: number): { device_id: string; kind: string } | undefined {
    return this.db.prepare("SELECT device_id, kind FROM alarms WHERE id = ?").get(alarmId) as
      | { device_id: string; kind: string }
      | undefined;
  }

  /** Active devices heard from before `cutoff` with no open silent or offline fault. */
  silentDevices(cutoff: string): SupervisedDeviceRow[] {
    this.presence?.flush();
    return this.db
      .prepare(
        `SELECT id, household_id, status, online, last_seen_at, battery, firmware FROM devices d
         WHERE d.status = 'active' AND d.last_seen_at IS NOT NULL AND d.last_seen_at < ?
           AND NOT EXISTS (SELECT 1 FROM device_faults f WHERE f.device_id = d.id AND f.cleared_at IS NULL
                           AND f.kind IN ('silent', 'offline'))`,
      )
      .all(cutoff) as SupervisedDeviceRow[];
  }

  /**
   * Open silent/offline faults of devices that are connected and have been
   * heard from since the fault opened (a press, which does not pass through
   * the presence handlers, brings a device back too).
   */
  returnedDevices(): { device_id: string; last_seen_at: string }[] {
    this.presence?.flush();
    return this.db
      .prepare(
        `SELECT DISTINCT f.device_id, d.last_seen_at FROM device_faults f JOIN devices d ON d.id = f.device_id
         WHERE f.cleared_at IS NULL AND f.kind IN ('silent', 'offline') AND d.online = 1
           AND d.last_seen_at > f.opened_at`,
      )
      .all() as { device_id: string; last_seen_at: string }[];
  }

  /** Active devices whose last reported battery is at or below `percent`, without an open low-battery fault. */
  lowBatteries(percent: number): SupervisedDeviceRow[] {
    this.presence?.flush();
    return this.db
      .prepare(
        `SELECT id, household_id, status, online, last_seen_at, battery, firmware FROM devices d
         WHERE d.status = 'active' AND d.battery IS NOT NULL AND d.battery <= ?
           AND NOT EXISTS (SELECT 1 FROM device_faults f WHERE f.device_id = d.id AND f.cleared_at IS NULL
                           AND f.kind = 'low_battery')`,
      )
      .all(percent) as SupervisedDeviceRow[];
  }

  /** Devices with an open low-battery fault whose battery now reads at least `percent`. */
  recoveredBatteries(percent: number): SupervisedDeviceRow[] {
    this.presence?.flush();
    return this.db
      .prepare(
        `SELECT d.id, d.household_id, d.status, d.online, d.last_seen_at, d.battery, d.firmware
         FROM device_faults f JOIN devices d ON d.id = f.device_id
         WHERE f.cleared_at IS NULL AND f.kind = 'low_battery' AND d.battery IS NOT NULL AND d.battery >= ?`,
      )
      .all(percent) as SupervisedDeviceRow[];
  }

  /** Open faults of devices that have been revoked since: nobody can fix a device that is no longer in service. */
  faultsOfRevokedDevices(): { device_id: string }[] {
    return this.db
      .prepare(
        `SELECT DISTINCT f.device_id FROM device_faults f JOIN devices d ON d.id = f.device_id
         WHERE f.cleared_at IS NULL AND d.status <> 'active'`,
      )
      .all() as { device_id: string }[];
  }
}
