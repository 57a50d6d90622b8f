/**
 * Households, their residents, and each resident's ordered relatives. A
 * relative's priority is unique per resident (a UNIQUE index), so reordering
 * goes through negative priorities inside one transaction.
 */
import { nowIso } from "../storage/database.ts";
import type { PresenceBuffer } from "../storage/presence-buffer.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import { type ListQuery, referencesTo, selectPage, updateColumns } from "./registry-sql.ts";

export interface HouseholdRecord {
  id: number;
  code: string;
  address: string;
  lat: number | null;
  lng: number | null;
  grid_id: number | null;
  key_holder: string | null;
  access_notes: string | null;
  /** The household's fixed line (E.164): a call from it is placed here (hub/pipeline/call-intake.ts). */
  landline: string | null;
  /** The key holder's phone (E.164), for an operator to call from the console (hub/voice/console-calls.ts). */
  key_holder_phone: string | null;
  location_source: "given" | "gazetteer" | null;
  created_at: string;
}

export type HouseholdColumns = Partial<Omit<HouseholdRecord, "id" | "created_at">>;

export interface ResidentRecord {
  id: number;
  household_id: number;
  name: string;
  birth_date: string;
  sex: "F" | "M" | "X";
  phone: string | null;
  language: string;
  conditions: string | null;
  medications: string | null;
  allergies: string | null;
  mobility: string | null;
  consent: string | null;
}

export type ResidentColumns = Partial<Omit<ResidentRecord, "id" | "household_id">>;

export interface RelativeRecord {
  id: number;
  resident_id: number;
  priority: number;
  name: string;
  relation: string;
  phone: string;
  language: string;
  /** 1: gets the update SMS after the first one (migration 12); 0: switched off. */
  updates: number;
}

export type RelativeColumns = Partial<Pick<RelativeRecord, "name" | "relation" | "phone" | "language" | "updates">>;

const HOUSEHOLD_REFERENCES = [
  { label: "alarms", sql: "SELECT COUNT(*) AS n FROM alarms WHERE household_id = ?" },
  {
    label: "alarms of its residents",
    sql: "SELECT COUNT(*) AS n FROM alarms WHERE resident_id IN (SELECT id FROM residents WHERE household_id = ?)",
  },
  { label: "bound devices", sql: "SELECT COUNT(*) AS n FROM devices WHERE household_id = ?" },
] as const;

const RESIDENT_REFERENCES = [{ label: "alarms", sql: "SELECT COUNT(*) AS n FROM alarms WHERE resident_id = ?" }];

export class HouseholdRepo {
  private readonly sql: SqlDatabase;
  /** The running hub's device presence, written behind: flushed before a household's devices are read. */
  private readonly presence: PresenceBuffer | null;

  constructor(sql: SqlDatabase, presence: PresenceBuffer | null = null) {
    this.sql = sql;
    this.presence = presence;
  }

  async listHouseholds(
    query: ListQuery & { gridId?: number | undefined },
  ): Promise<{ rows: HouseholdRecord[]; total: number }> {
    return await selectPage<HouseholdRecord>(
      this.sql,
      {
        select: "*",
        from: "households",
        searchColumns: ["code", "address", "key_holder"],
        orderBy: "code",
        where: query.gridId === undefined ? [] : [{ sql: "grid_id = ?", params: [query.gridId] }],
      },
      query,
    );
  }

  async household(id: number): Promise<HouseholdRecord | undefined> {
    return (await this.sql.get("SELECT * FROM households WHERE id = ?", [id])) as HouseholdRecord | undefined;
  }

  async insertHousehold(household: Omit<HouseholdRecord, "id" | "created_at">): Promise<number> {
    return Number(
      (
        await this.sql.get<{ id: number }>(
          `INSERT INTO households (code, address, lat, lng, grid_id, key_holder, access_notes, landline, location_source,
             created_at, key_holder_phone)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          [
            household.code,
            household.address,
            household.lat,
            household.lng,
            household.grid_id,
            household.key_holder,
            household.access_notes,
            household.landline,
            household.location_source,
            nowIso(),
            household.key_holder_phone,
          ],
        )
      )?.id,
    );
  }

  async updateHousehold(id: number, changes: HouseholdColumns): Promise<void> {
    await updateColumns(this.sql, "households", { column: "id", value: id }, changes);
  }

  async householdReferences(id: number): Promise<{ label: string; count: number }[]> {
    return await referencesTo(this.sql, HOUSEHOLD_REFERENCES, id);
  }

  /** The household with its residents and their relatives; the caller checks references first. */
  async deleteHousehold(id: number): Promise<void> {
    await this.sql.run("DELETE FROM relatives WHERE resident_id IN (SELECT id FROM residents WHERE household_id = ?)", [
      id,
    ]);
    await this.sql.run("DELETE FROM residents WHERE household_id = ?", [id]);
    await this.sql.run("DELETE FROM households WHERE id = ?", [id]);
  }

  async devicesOf(
    householdId: number,
  ): Promise<{ id: string; status: string; online: number; last_seen_at: string | null }[]> {
    await this.presence?.flush();
    return (await this.sql.all(
      "SELECT id, status, online, last_seen_at FROM devices WHERE household_id = ? ORDER BY id",
      [householdId],
    )) as { id: string; status: string; online: number; last_seen_at: string | null }[];
  }

  async listResidents(query: ListQuery & { householdId?: number | undefined }): Promise<{
    rows: (ResidentRecord & { household_code: string })[];
    total: number;
  }> {
    return await selectPage<ResidentRecord & { household_code: string }>(
      this.sql,
      {
        select: "residents.*, households.code AS household_code",
        from: "residents JOIN households ON households.id = residents.household_id",
        searchColumns: ["residents.name", "households.code", "households.address"],
        orderBy: "households.code, residents.id",
        where:
          query.householdId === undefined ? [] : [{ sql: "residents.household_id = ?", params: [query.householdId] }],
      },
      query,
    );
  }

  async residentsOf(householdId: number): Promise<ResidentRecord[]> {
    return (await this.sql.all("SELECT * FROM residents WHERE household_id = ? ORDER BY id", [
      householdId,
    ])) as ResidentRecord[];
  }

  async resident(id: number): Promise<ResidentRecord | undefined> {
    return (await this.sql.get("SELECT * FROM residents WHERE id = ?", [id])) as ResidentRecord | undefined;
  }

  async insertResident(resident: Omit<ResidentRecord, "id">): Promise<number> {
    return Number(
      (
        await this.sql.get<{ id: number }>(
          `INSERT INTO residents (household_id, name, birth_date, sex, phone, language, conditions, medications,
             allergies, mobility, consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          [
            resident.household_id,
            resident.name,
            resident.birth_date,
            resident.sex,
            resident.phone,
            resident.language,
            resident.conditions,
            resident.medications,
            resident.allergies,
            resident.mobility,
            resident.consent,
          ],
        )
      )?.id,
    );
  }

  async updateResident(id: number, changes: ResidentColumns): Promise<void> {
    await updateColumns(this.sql, "residents", { column: "id", value: id }, changes);
  }

  async residentReferences(id: number): Promise<{ label: string; count: number }[]> {
    return await referencesTo(this.sql, RESIDENT_REFERENCES, id);
  }

  async deleteResident(id: number): Promise<void> {
    await this.sql.run("DELETE FROM relatives WHERE resident_id = ?", [id]);
    await this.sql.run("DELETE FROM residents WHERE id = ?", [id]);
  }

  async relativesOf(residentId: number): Promise<RelativeRecord[]> {
    return (await this.sql.all("SELECT * FROM relatives WHERE resident_id = ? ORDER BY priority", [
      residentId,
    ])) as RelativeRecord[];
  }

  async relative(id: number): Promise<RelativeRecord | undefined> {
    return (await this.sql.get("SELECT * FROM relatives WHERE id = ?", [id])) as RelativeRecord | undefined;
  }

  async insertRelative(relative: Omit<RelativeRecord, "id">): Promise<number> {
    return Number(
      (
        await this.sql.get<{ id: number }>(
          "INSERT INTO relatives (resident_id, priority, name, relation, phone, language, updates) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
          [
            relative.resident_id,
            relative.priority,
            relative.name,
            relative.relation,
            relative.phone,
            relative.language,
            relative.updates,
          ],
        )
      )?.id,
    );
  }

  async updateRelative(id: number, changes: RelativeColumns): Promise<void> {
    await updateColumns(this.sql, "relatives", { column: "id", value: id }, changes);
  }

  async deleteRelative(id: number): Promise<void> {
    await this.sql.run("DELETE FROM relatives WHERE id = ?", [id]);
  }

  /**
   * Gives the resident's relatives priorities 1..n in the order of `orderedIds`
   * (which must be exactly that resident's relatives). Two passes because the
   * UNIQUE (resident_id, priority) index is checked row by row.
   */
  async renumberRelatives(residentId: number, orderedIds: readonly number[]): Promise<void> {
    await this.sql.run("UPDATE relatives SET priority = -priority WHERE resident_id = ?", [residentId]);
    for (const [index, id] of orderedIds.entries()) {
      await this.sql.run("UPDATE relatives SET priority = ? WHERE id = ? AND resident_id = ?", [
        index + 1,
        id,
        residentId,
      ]);
    }
  }
}
