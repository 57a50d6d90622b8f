/**
 * Grids and gazetteer entries: the registry's map. Grid outlines are stored as
 * GeoJSON text; gazetteer addresses are stored normalised (one spelling each).
 */
import type { GridOutline } from "../geo/household-locator.ts";
import type { Db } from "../storage/database.ts";
import type { GridPolygon } from "./geometry.ts";
import { type ListQuery, referencesTo, selectPage, updateColumns } from "./registry-sql.ts";

export interface GridRecord {
  id: number;
  code: string;
  name: string;
  leader_name: string | null;
  leader_phone: string | null;
  polygon: string;
}

export type GridColumns = Partial<Omit<GridRecord, "id">>;

export interface GazetteerRecord {
  id: number;
  address: string;
  lat: number;
  lng: number;
  source: string | null;
}

export type GazetteerColumns = Partial<Omit<GazetteerRecord, "id">>;

export interface PlacedHousehold {
  id: number;
  code: string;
  lat: number;
  lng: number;
}

const GRID_REFERENCES = [
  { label: "households", sql: "SELECT COUNT(*) AS n FROM households WHERE grid_id = ?" },
  { label: "workers", sql: "SELECT COUNT(*) AS n FROM workers WHERE grid_id = ?" },
] as const;

export class PlaceRepo {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  listGrids(query: ListQuery): { rows: GridRecord[]; total: number } {
    return selectPage<GridRecord>(
      this.db,
      { select: "*", from: "grids", searchColumns: ["code", "name", "leader_name"], orderBy: "code" },
      query,
    );
  }

  grid(id: number): GridRecord | undefined {
    return this.db.prepare("SELECT * FROM grids WHERE id = ?").get(id) as GridRecord | undefined;
  }

  gridSummary(id: number | null): { id: number; code: string; name: string } | null {
    if (id === null) return null;
    return (
      (this.db.prepare("SELECT id, code, name FROM grids WHERE id = ?").get(id) as
        | { id: number; code: string; name: string }
        | undefined) ?? null
    );
  }

  insertGrid(grid: Omit<GridRecord, "id">): number {
    return Number(
      this.db
        .prepare("INSERT INTO grids (code, name, leader_name, leader_phone, polygon) VALUES (?, ?, ?, ?, ?)")
        .run(grid.code, grid.name, grid.leader_name, grid.leader_phone, grid.polygon).lastInsertRowid,
    );
  }

  updateGrid(id: number, changes: GridColumns): void {
    updateColumns(this.db, "grids", { column: "id", value: id }, changes);
  }

  deleteGrid(id: number): void {
    this.db.prepare("DELETE FROM grids WHERE id = ?").run(id);
  }

  gridReferences(id: number): { label: string; count: number }[] {
    return referencesTo(this.db, GRID_REFERENCES, id);
  }

  /** Every grid outline, for point-in-polygon; `replacing` substitutes one grid's outline before it is stored. */
  gridOutlines(replacing?: { id: number; polygon: GridPolygon }): GridOutline[] {
    const rows = this.db.prepare("SELECT id, code, name, polygon FROM grids ORDER BY id").all() as GridRecord[];
    return rows.map((row) => ({
      id: row.id,
      code: row.code,
      name: row.name,
      polygon: replacing?.id === row.id ? replacing.polygon : (JSON.parse(row.polygon) as GridPolygon),
    }));
  }

  /** Households of the grid that have coordinates: the ones a new outline might leave behind. */
  placedHouseholdsOf(gridId: number): PlacedHousehold[] {
    return this.db
      .prepare("SELECT id, code, lat, lng FROM households WHERE grid_id = ? AND lat IS NOT NULL AND lng IS NOT NULL")
      .all(gridId) as PlacedHousehold[];
  }

  setHouseholdGrid(householdId: number, gridId: number): void {
    this.db.prepare("UPDATE households SET grid_id = ? WHERE id = ?").run(gridId, householdId);
  }

  listGazetteer(query: ListQuery): { rows: GazetteerRecord[]; total: number } {
    return selectPage<GazetteerRecord>(
      this.db,
      { select: "*", from: "gazetteer", searchColumns: ["address", "source"], orderBy: "address" },
      query,
    );
  }

  gazetteerEntry(id: number): GazetteerRecord | undefined {
    return this.db.prepare("SELECT * FROM gazetteer WHERE id = ?").get(id) as GazetteerRecord | undefined;
  }

  /** Looks up an already normalised address. */
  gazetteerPoint(normalisedAddress: string): { lat: number; lng: number } | undefined {
    return this.db.prepare("SELECT lat, lng FROM gazetteer WHERE address = ?").get(normalisedAddress) as
      | { lat: number; lng: number }
      | undefined;
  }

  insertGazetteer(entry: Omit<GazetteerRecord, "id">): number {
    return Number(
      this.db
        .prepare("INSERT INTO gazetteer (address, lat, lng, source) VALUES (?, ?, ?, ?)")
        .run(entry.address, entry.lat, entry.lng, entry.source).lastInsertRowid,
    );
  }

  updateGazetteer(id: number, changes: GazetteerColumns): void {
    updateColumns(this.db, "gazetteer", { column: "id", value: id }, changes);
  }

  deleteGazetteer(id: number): void {
    this.db.prepare("DELETE FROM gazetteer WHERE id = ?").run(id);
  }
}
