/**
 * Storage of device supervision: faults, the append-only device events, and
 * the device columns the supervisor reads. Times are ISO strings written by the
 * hub (`toISOString()`), so they compare correctly as text in SQL.
 */
import {
  type DeviceEventDetails,
  type DeviceEventType,
  type FaultDetails,
  type FaultKind,
  type Reason,
  storedReason,
} from "../../protocol/console/index.ts";
import type { PresenceBuffer } from "../storage/presence-buffer.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";

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
  private readonly sql: SqlSession;
  /** Device presence not yet in SQLite (written behind): laid over one device, flushed before a scan of many. */
  private readonly presence: PresenceBuffer | null;

  constructor(sql: SqlSession, presence: PresenceBuffer | null = null) {
    this.sql = sql;
    this.presence = presence;
  }

  /** Opens the fault unless one of this kind is already open for the device; returns the new row, or null. */
  async open<K extends FaultKind>(
    deviceId: string,
    kind: K,
    at: string,
    detail: FaultDetails[K],
  ): Promise<FaultRow | null> {
    // The partial unique index device_faults_one_open refuses a second open fault of a kind.
    const inserted = await this.sql.get<{ id: number }>(
      `INSERT INTO device_faults (device_id, kind, opened_at, detail) VALUES (?, ?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING id`,
      [deviceId, kind, at, JSON.stringify(detail)],
    );
    return inserted ? ((await this.fault(inserted.id)) ?? null) : null;
  }

  /** Clears the device's open faults of these kinds (the reason stored as JSON); returns the rows that were open. */
  async clear(deviceId: string, kinds: readonly FaultKind[], at: string, reason: Reason): Promise<FaultRow[]> {
    const cleared = await this.sql.all<{ id: number }>(
      `UPDATE device_faults SET cleared_at = ?, clear_reason = ?
         WHERE device_id = ? AND cleared_at IS NULL AND kind IN (${kinds.map(() => "?").join(", ")}) RETURNING id`,
      [at, storedReason(reason), deviceId, ...kinds],
    );
    const rows: FaultRow[] = [];
    for (const { id } of cleared) {
      const row = await this.fault(id);
      if (row) rows.push(row);
    }
    return rows;
  }

  fault(id: number): Promise<FaultRow | undefined> {
    return this.sql.get<FaultRow>(`${FAULT_SELECT} WHERE f.id = ?`, [id]);
  }

  list(filter: { openOnly: boolean; deviceId?: string; limit: number }): Promise<FaultRow[]> {
    const where = [filter.openOnly ? "f.cleared_at IS NULL" : null, filter.deviceId ? "f.device_id = ?" : null]
      .filter(Boolean)
      .join(" AND ");
    const params: (string | number)[] = filter.deviceId ? [filter.deviceId] : [];
    return this.sql.all<FaultRow>(`${FAULT_SELECT} ${where ? `WHERE ${where}` : ""} ORDER BY f.id DESC LIMIT ?`, [
      ...params,
      filter.limit,
    ]);
  }

  /** One entry of the device's history: only a type of the contract's map, with its detail (device-events.ts). */
  async appendEvent<T extends DeviceEventType>(
    deviceId: string,
    type: T,
    actor: string,
    at: string,
    detail: DeviceEventDetails[T],
  ): Promise<void> {
    await this.sql.run("INSERT INTO device_events (device_id, at, type, actor, detail) VALUES (?, ?, ?, ?, ?)", [
      deviceId,
      at,
      type,
      actor,
      JSON.stringify(detail),
    ]);
  }

  events(deviceId: string, limit: number): Promise<DeviceEventRow[]> {
    return this.sql.all<DeviceEventRow>("SELECT * FROM device_events WHERE device_id = ? ORDER BY id DESC LIMIT ?", [
      deviceId,
      limit,
    ]);
  }

  async device(deviceId: string): Promise<SupervisedDeviceRow | undefined> {
    const row = await this.sql.get<SupervisedDeviceRow>(
      "SELECT id, household_id, status, online, last_seen_at, battery, firmware FROM devices WHERE id = ?",
      [deviceId],
    );
    return row && this.presence ? this.presence.overlay(deviceId, row) : row;
  }

  /** The kinds of the device's open faults (a lookup in the one-open-per-kind index). */
  async openKinds(deviceId: string): Promise<Set<FaultKind>> {
    const rows = await this.sql.all<{ kind: FaultKind }>(
      "SELECT kind FROM device_faults WHERE device_id = ? AND cleared_at IS NULL",
      [deviceId],
    );
    return new Set(rows.map((row) => row.kind));
  }

  alarmDevice(alarmId: number): Promise<{ device_id: string; kind: string } | undefined> {
    return this.sql.get<{ device_id: string; kind: string }>("SELECT device_id, kind FROM alarms WHERE id = ?", [
      alarmId,
    ]);
  }

  /** Active devices heard from before `cutoff` with no open silent or offline fault. */
  async silentDevices(cutoff: string): Promise<SupervisedDeviceRow[]> {
    await this.presence?.flush();
    return this.sql.all<SupervisedDeviceRow>(
      `SELECT id, household_id, status, online, last_seen_at, battery, firmware FROM devices d
         WHERE d.status = 'active' AND d.last_seen_at IS NOT NULL AND d.last_seen_at < ?
           AND NOT EXISTS (SELECT 1 FROM device_faults f WHERE f.device_id = d.id AND f.cleared_at IS NULL
                           AND f.kind IN ('silent', 'offline'))`,
      [cutoff],
    );
  }

  /**
   * Open silent/offline faults of devices that are connected and have been
   * heard from since the fault opened (a press, which does not pass through
   * the presence handlers, brings a device back too).
   */
  async returnedDevices(): Promise<{ device_id: string; last_seen_at: string }[]> {
    await this.presence?.flush();
    return this.sql.all<{ device_id: string; last_seen_at: string }>(
      `SELECT DISTINCT f.device_id, d.last_seen_at FROM device_faults f JOIN devices d ON d.id = f.device_id
         WHERE f.cleared_at IS NULL AND f.kind IN ('silent', 'offline') AND d.online = 1
           AND d.last_seen_at > f.opened_at`,
    );
  }

  /** Active devices whose last reported battery is at or below `percent`, without an open low-battery fault. */
  async lowBatteries(percent: number): Promise<SupervisedDeviceRow[]> {
    await this.presence?.flush();
    return this.sql.all<SupervisedDeviceRow>(
      `SELECT id, household_id, status, online, last_seen_at, battery, firmware FROM devices d
         WHERE d.status = 'active' AND d.battery IS NOT NULL AND d.battery <= ?
           AND NOT EXISTS (SELECT 1 FROM device_faults f WHERE f.device_id = d.id AND f.cleared_at IS NULL
                           AND f.kind = 'low_battery')`,
      [percent],
    );
  }

  /** Devices with an open low-battery fault whose battery now reads at least `percent`. */
  async recoveredBatteries(percent: number): Promise<SupervisedDeviceRow[]> {
    await this.presence?.flush();
    return this.sql.all<SupervisedDeviceRow>(
      `SELECT d.id, d.household_id, d.status, d.online, d.last_seen_at, d.battery, d.firmware
         FROM device_faults f JOIN devices d ON d.id = f.device_id
         WHERE f.cleared_at IS NULL AND f.kind = 'low_battery' AND d.battery IS NOT NULL AND d.battery >= ?`,
      [percent],
    );
  }

  /** Open faults of devices that have been revoked since: nobody can fix a device that is no longer in service. */
  faultsOfRevokedDevices(): Promise<{ device_id: string }[]> {
    return this.sql.all<{ device_id: string }>(
      `SELECT DISTINCT f.device_id FROM device_faults f JOIN devices d ON d.id = f.device_id
         WHERE f.cleared_at IS NULL AND d.status <> 'active'`,
    );
  }
}
