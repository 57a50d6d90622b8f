/** Devices (call buttons): only the secret's hash is ever stored. */
import { nowIso } from "../storage/database.ts";
import type { PresenceBuffer } from "../storage/presence-buffer.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import { type ListQuery, referencesTo, selectPage, updateColumns } from "./registry-sql.ts";

export interface DeviceRecord {
  id: string;
  household_id: number | null;
  secret_hash: string;
  status: "active" | "revoked";
  online: number;
  last_seen_at: string | null;
  battery: number | null;
  firmware: string | null;
  created_at: string;
  revoked_at: string | null;
  secret_rotated_at: string | null;
}

/** A device row joined with the household it is bound to, for lists and views. */
export interface DeviceListRow extends DeviceRecord {
  household_code: string | null;
  household_address: string | null;
}

export type DeviceColumns = Partial<
  Pick<DeviceRecord, "household_id" | "secret_hash" | "status" | "revoked_at" | "secret_rotated_at">
>;

const DEVICE_REFERENCES = [
  { label: "presses", sql: "SELECT COUNT(*) AS n FROM presses WHERE device_id = ?" },
  { label: "alarms", sql: "SELECT COUNT(*) AS n FROM alarms WHERE device_id = ?" },
] as const;

const DEVICE_SELECT = "devices.*, households.code AS household_code, households.address AS household_address";
const DEVICE_FROM = "devices LEFT JOIN households ON households.id = devices.household_id";

export class DeviceRepo {
  private readonly sql: SqlDatabase;
  /** The running hub's presence, written behind: flushed before a list, laid over one device. */
  private readonly presence: PresenceBuffer | null;

  constructor(sql: SqlDatabase, presence: PresenceBuffer | null = null) {
    this.sql = sql;
    this.presence = presence;
  }

  async listDevices(
    query: ListQuery & { status?: "active" | "revoked" | undefined; householdId?: number | undefined },
  ): Promise<{
    rows: DeviceListRow[];
    total: number;
  }> {
    await this.presence?.flush();
    const where = [];
    if (query.status !== undefined) where.push({ sql: "devices.status = ?", params: [query.status] });
    if (query.householdId !== undefined) where.push({ sql: "devices.household_id = ?", params: [query.householdId] });
    return await selectPage<DeviceListRow>(
      this.sql,
      {
        select: DEVICE_SELECT,
        from: DEVICE_FROM,
        searchColumns: ["devices.id", "households.code", "households.address"],
        orderBy: "devices.id",
        where,
      },
      query,
    );
  }

  async device(id: string): Promise<DeviceListRow | undefined> {
    const row = (await this.sql.get(`SELECT ${DEVICE_SELECT} FROM ${DEVICE_FROM} WHERE devices.id = ?`, [id])) as
      | DeviceListRow
      | undefined;
    return row && this.presence ? this.presence.overlay(id, row) : row;
  }

  async insertDevice(device: { id: string; householdId: number | null; secretHash: string }): Promise<void> {
    await this.sql.run(
      "INSERT INTO devices (id, household_id, secret_hash, status, created_at) VALUES (?, ?, ?, 'active', ?)",
      [device.id, device.householdId, device.secretHash, nowIso()],
    );
  }

  async updateDevice(id: string, changes: DeviceColumns): Promise<void> {
    await updateColumns(this.sql, "devices", { column: "id", value: id }, changes);
  }

  async deviceReferences(id: string): Promise<{ label: string; count: number }[]> {
    return await referencesTo(this.sql, DEVICE_REFERENCES, id);
  }

  async deleteDevice(id: string): Promise<void> {
    await this.sql.run("DELETE FROM devices WHERE id = ?", [id]);
  }

  /** The broker looks devices up before users, so a device named like a user would hide that user's MQTT login. */
  async isUsername(name: string): Promise<boolean> {
    return (await this.sql.get("SELECT 1 FROM users WHERE username = ?", [name])) !== undefined;
  }
}
