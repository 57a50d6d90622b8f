/**
 * Grids and gazetteer entries: the registry's map. Grid outlines are stored as
 * GeoJSON text; gazetteer addresses are stored normalised (one spelling each).
 */
import type { GridOutline } from "../geo/household-locator.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
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
  private readonly sql: SqlDatabase;

  constructor(sql: SqlDatabase) {
    this.sql = sql;
  }

  async listGrids(query: ListQuery): Promise<{ rows: GridRecord[]; total: number }> {
    return await selectPage<GridRecord>(
      this.sql,
      { select: "*", from: "grids", searchColumns: ["code", "name", "leader_name"], orderBy: "code" },
      query,
    );
  }

  async grid(id: number): Promise<GridRecord | undefined> {
    return (await this.sql.get("SELECT * FROM grids WHERE id = ?", [id])) as GridRecord | undefined;
  }

  async gridSummary(id: number | null): Promise<{ id: number; code: string; name: string } | null> {
    if (id === null) return null;
    return (
      ((await this.sql.get("SELECT id, code, name FROM grids WHERE id = ?", [id])) as
        | { id: number; code: string; name: string }
        | undefined) ?? null
    );
  }

  async insertGrid(grid: Omit<GridRecord, "id">): Promise<number> {
    return Number(
      (
        await this.sql.get<{ id: number }>(
          "INSERT INTO grids (code, name, leader_name, leader_phone, polygon) VALUES (?, ?, ?, ?, ?) RETURNING id",
          [grid.code, grid.name, grid.leader_name, grid.leader_phone, grid.polygon],
        )
      )?.id,
    );
  }

  async updateGrid(id: number, changes: GridColumns): Promise<void> {
    await updateColumns(this.sql, "grids", { column: "id", value: id }, changes);
  }

  async deleteGrid(id: number): Promise<void> {
    await this.sql.run("DELETE FROM grids WHERE id = ?", [id]);
  }

  async gridReferences(id: number): Promise<{ label: string; count: number }[]> {
    return await referencesTo(this.sql, GRID_REFERENCES, id);
  }

  /** Every grid outline, for point-in-polygon; `replacing` substitutes one grid's outline before it is stored. */
  async gridOutlines(replacing?: { id: number; polygon: GridPolygon }): Promise<GridOutline[]> {
    const rows = (await this.sql.all("SELECT id, code, name, polygon FROM grids ORDER BY id")) as GridRecord[];
    return rows.map((row) => ({
      id: row.id,
      code: row.code,
      name: row.name,
      polygon: replacing?.id === row.id ? replacing.polygon : (JSON.parse(row.polygon) as GridPolygon),
    }));
  }

  /** Households of the grid that have coordinates: the ones a new outline might leave behind. */
  async placedHouseholdsOf(gridId: number): Promise<PlacedHousehold[]> {
    return (await this.sql.all(
      "SELECT id, code, lat, lng FROM households WHERE grid_id = ? AND lat IS NOT NULL AND lng IS NOT NULL",
      [gridId],
    )) as PlacedHousehold[];
  }

  async setHouseholdGrid(householdId: number, gridId: number): Promise<void> {
    await this.sql.run("UPDATE households SET grid_id = ? WHERE id = ?", [gridId, householdId]);
  }

  async listGazetteer(query: ListQuery): Promise<{ rows: GazetteerRecord[]; total: number }> {
    return await selectPage<GazetteerRecord>(
      this.sql,
      { select: "*", from: "gazetteer", searchColumns: ["address", "source"], orderBy: "address" },
      query,
    );
  }

  async gazetteerEntry(id: number): Promise<GazetteerRecord | undefined> {
    return (await this.sql.get("SELECT * FROM gazetteer WHERE id = ?", [id])) as GazetteerRecord | undefined;
  }

  /** Looks up an already normalised address. */
  async gazetteerPoint(normalisedAddress: string): Promise<{ lat: number; lng: number } | undefined> {
    return (await this.sql.get("SELECT lat, lng FROM gazetteer WHERE address = ?", [normalisedAddress])) as
      | { lat: number; lng: number }
      | undefined;
  }

  async insertGazetteer(entry: Omit<GazetteerRecord, "id">): Promise<number> {
    return Number(
      (
        await this.sql.get<{ id: number }>(
          "INSERT INTO gazetteer (address, lat, lng, source) VALUES (?, ?, ?, ?) RETURNING id",
          [entry.address, entry.lat, entry.lng, entry.source],
        )
      )?.id,
    );
  }

  async updateGazetteer(id: number, changes: GazetteerColumns): Promise<void> {
    await updateColumns(this.sql, "gazetteer", { column: "id", value: id }, changes);
  }

  async deleteGazetteer(id: number): Promise<void> {
    await this.sql.run("DELETE FROM gazetteer WHERE id = ?", [id]);
  }
}
