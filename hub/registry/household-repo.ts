/**
 * Households, their residents, and each resident's ordered relatives. A
 * relative's priority is unique per resident (a UNIQUE index), so reordering
 * goes through negative priorities inside one transaction.
 */
import { type Db, nowIso } from "../storage/database.ts";
import type { PresenceBuffer } from "../storage/presence-buffer.ts";
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
  private readonly db: Db;
  /** The running hub's device presence, written behind: flushed before a household's devices are read. */
  private readonly presence: PresenceBuffer | null;

  constructor(db: Db, presence: PresenceBuffer | null = null) {
    this.db = db;
    this.presence = presence;
  }

  listHouseholds(query: ListQuery & { gridId?: number | undefined }): { rows: HouseholdRecord[]; total: number } {
    return selectPage<HouseholdRecord>(
      this.db,
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

  household(id: number): HouseholdRecord | undefined {
    return this.db.prepare("SELECT * FROM households WHERE id = ?").get(id) as HouseholdRecord | undefined;
  }

  insertHousehold(household: Omit<HouseholdRecord, "id" | "created_at">): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO households (code, address, lat, lng, grid_id, key_holder, access_notes, location_source, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          household.code,
          household.address,
          household.lat,
          household.lng,
          household.grid_id,
          household.key_holder,
          household.access_notes,
          household.location_source,
          nowIso(),
        ).lastInsertRowid,
    );
  }

  updateHousehold(id: number, changes: HouseholdColumns): void {
    updateColumns(this.db, "households", { column: "id", value: id }, changes);
  }

  householdReferences(id: number): { label: string; count: number }[] {
    return referencesTo(this.db, HOUSEHOLD_REFERENCES, id);
  }

  /** The household with its residents and their relatives; the caller checks references first. */
  deleteHousehold(id: number): void {
    this.db
      .prepare("DELETE FROM relatives WHERE resident_id IN (SELECT id FROM residents WHERE household_id = ?)")
      .run(id);
    this.db.prepare("DELETE FROM residents WHERE household_id = ?").run(id);
    this.db.prepare("DELETE FROM households WHERE id = ?").run(id);
  }

  devicesOf(householdId: number): { id: string; status: string; online: number; last_seen_at: string | null }[] {
    this.presence?.flush();
    return this.db
      .prepare("SELECT id, status, online, last_seen_at FROM devices WHERE household_id = ? ORDER BY id")
      .all(householdId) as { id: string; status: string; online: number; last_seen_at: string | null }[];
  }

  listResidents(query: ListQuery & { householdId?: number | undefined }): {
    rows: (ResidentRecord & { household_code: string })[];
    total: number;
  } {
    return selectPage<ResidentRecord & { household_code: string }>(
      this.db,
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

  residentsOf(householdId: number): ResidentRecord[] {
    return this.db
      .prepare("SELECT * FROM residents WHERE household_id = ? ORDER BY id")
      .all(householdId) as ResidentRecord[];
  }

  resident(id: number): ResidentRecord | undefined {
    return this.db.prepare("SELECT * FROM residents WHERE id = ?").get(id) as ResidentRecord | undefined;
  }

  insertResident(resident: Omit<ResidentRecord, "id">): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO residents (household_id, name, birth_date, sex, phone, language, conditions, medications,
             allergies, mobility, consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
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
        ).lastInsertRowid,
    );
  }

  updateResident(id: number, changes: ResidentColumns): void {
    updateColumns(this.db, "residents", { column: "id", value: id }, changes);
  }

  residentReferences(id: number): { label: string; count: number }[] {
    return referencesTo(this.db, RESIDENT_REFERENCES, id);
  }

  deleteResident(id: number): void {
    this.db.prepare("DELETE FROM relatives WHERE resident_id = ?").run(id);
    this.db.prepare("DELETE FROM residents WHERE id = ?").run(id);
  }

  relativesOf(residentId: number): RelativeRecord[] {
    return this.db
      .prepare("SELECT * FROM relatives WHERE resident_id = ? ORDER BY priority")
      .all(residentId) as RelativeRecord[];
  }

  relative(id: number): RelativeRecord | undefined {
    return this.db.prepare("SELECT * FROM relatives WHERE id = ?").get(id) as RelativeRecord | undefined;
  }

  insertRelative(relative: Omit<RelativeRecord, "id">): number {
    return Number(
      this.db
        .prepare(
          "INSERT INTO relatives (resident_id, priority, name, relation, phone, language, updates) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .run(
          relative.resident_id,
          relative.priority,
          relative.name,
          relative.relation,
          relative.phone,
          relative.language,
          relative.updates,
        ).lastInsertRowid,
    );
  }

  updateRelative(id: number, changes: RelativeColumns): void {
    updateColumns(this.db, "relatives", { column: "id", value: id }, changes);
  }

  deleteRelative(id: number): void {
    this.db.prepare("DELETE FROM relatives WHERE id = ?").run(id);
  }

  /**
   * Gives the resident's relatives priorities 1..n in the order of `orderedIds`
   * (which must be exactly that resident's relatives). Two passes because the
   * UNIQUE (resident_id, priority) index is checked row by row.
   */
  renumberRelatives(residentId: number, orderedIds: readonly number[]): void {
    this.db.prepare("UPDATE relatives SET priority = -priority WHERE resident_id = ?").run(residentId);
    const set = this.db.prepare("UPDATE relatives SET priority = ? WHERE id = ? AND resident_id = ?");
    orderedIds.forEach((id, index) => {
      set.run(index + 1, id, residentId);
    });
  }
}
