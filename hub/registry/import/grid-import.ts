/**
 * The grids kind: a GeoJSON FeatureCollection of Polygon or MultiPolygon
 * features with properties code, name, leader_name, leader_phone, upserted by
 * code. Other properties (GIS tools add their own) are ignored. A new outline
 * moves households: every placed household's grid is computed again in the same
 * transaction, and those no grid covers any more are reported as warnings.
 */
import type { MultiPolygon, Polygon, Position } from "geojson";
import { GridLocator, type GridOutline } from "../../geo/household-locator.ts";
import type { SqlSession } from "../../storage/sql/sql-port.ts";
import { ImportFileError } from "./import-errors.ts";
import { checkAll, type Planner, PROGRESS_EVERY, planFrom } from "./import-plan.ts";
import type { ProgressListener, RowIssue } from "./import-types.ts";
import type { GridFeature } from "./record-types.ts";
import { codeToId, loadGridOutlines } from "./registry-snapshot.ts";
import { isRecord, RowChecker } from "./row-checker.ts";
import { parseJson } from "./source-records.ts";
import { claimCode, jsonRows, type SourceRow } from "./source-rows.ts";

function ringProblem(ring: unknown): string | null {
  if (!Array.isArray(ring) || ring.length < 4) return "a ring needs at least 4 positions (the first repeated last)";
  for (const position of ring) {
    const [lng, lat] = Array.isArray(position) ? position : [];
    if (typeof lng !== "number" || typeof lat !== "number" || !Number.isFinite(lng) || !Number.isFinite(lat)) {
      return `${JSON.stringify(position)} is not a [longitude, latitude] position`;
    }
    if (Math.abs(lng) > 180 || Math.abs(lat) > 90) return `[${lng}, ${lat}] is not on Earth (GeoJSON is [lng, lat])`;
  }
  const first = ring[0] as Position;
  const last = ring[ring.length - 1] as Position;
  if (first[0] !== last[0] || first[1] !== last[1]) return "a ring must end where it starts (closed)";
  return null;
}

function checkGeometry(checker: RowChecker, raw: unknown): Polygon | MultiPolygon | null {
  if (!isRecord(raw))
    return checker.fail("geometry", "BAD_GEOMETRY", "each grid needs a Polygon or MultiPolygon geometry");
  const { type, coordinates } = raw;
  if (type !== "Polygon" && type !== "MultiPolygon") {
    return checker.fail("geometry.type", "BAD_GEOMETRY", `${JSON.stringify(type)} is not Polygon or MultiPolygon`);
  }
  const polygons = type === "Polygon" ? [coordinates] : coordinates;
  if (!Array.isArray(polygons) || polygons.length === 0) {
    return checker.fail("geometry.coordinates", "BAD_GEOMETRY", "has no coordinates");
  }
  for (const [p, polygon] of polygons.entries()) {
    if (!Array.isArray(polygon) || polygon.length === 0) {
      return checker.fail("geometry.coordinates", "BAD_GEOMETRY", `polygon ${p + 1} has no rings`);
    }
    for (const [r, ring] of polygon.entries()) {
      const problem = ringProblem(ring);
      const where = type === "Polygon" ? `coordinates[${r}]` : `coordinates[${p}][${r}]`;
      if (problem) return checker.fail(`geometry.${where}`, "BAD_GEOMETRY", problem);
    }
  }
  return { type, coordinates } as Polygon | MultiPolygon;
}

function checkGrid(
  row: SourceRow,
  codesInFile: Map<string, string>,
): { valid: GridFeature | null; issues: RowIssue[] } {
  const feature = isRecord(row.raw) ? row.raw : {};
  const properties = isRecord(feature.properties) ? feature.properties : {};
  const checker = new RowChecker(row.locate, typeof properties.code === "string" ? properties.code : null);
  if (feature.type !== "Feature")
    checker.fail("type", "NOT_AN_OBJECT", 'each item of "features" must be a GeoJSON Feature');
  const code = checker.code("properties.code", properties.code);
  claimCode(checker, code, row, codesInFile, "properties.code");
  const result: GridFeature = {
    type: "Feature",
    properties: {
      code: code ?? "",
      name: checker.text("properties.name", properties.name, { required: true, max: 100 }) ?? "",
      leader_name: checker.text("properties.leader_name", properties.leader_name, { max: 100 }),
      leader_phone: checker.phone("properties.leader_phone", properties.leader_phone, false),
    },
    geometry: checkGeometry(checker, feature.geometry) ?? { type: "Polygon", coordinates: [] },
  };
  return checker.ok ? { valid: result, issues: [] } : { valid: null, issues: checker.issues };
}

/** The outlines as they will be once the file is written; new grids get placeholder ids. */
function futureOutlines(current: readonly GridOutline[], features: readonly GridFeature[]): GridOutline[] {
  const byCode = new Map(current.map((grid) => [grid.code, grid]));
  features.forEach((feature, index) => {
    const id = byCode.get(feature.properties.code)?.id ?? -(index + 1);
    byCode.set(feature.properties.code, { id, ...feature.properties, polygon: feature.geometry });
  });
  return [...byCode.values()].sort((a, b) => Math.abs(a.id) - Math.abs(b.id));
}

function placedHouseholds(sql: SqlSession) {
  return sql.all<{ id: number; code: string; lat: number; lng: number; grid_id: number | null }>(
    "SELECT id, code, lat, lng, grid_id FROM households WHERE lat IS NOT NULL AND lng IS NOT NULL",
  );
}

function outsideWarning(code: string): RowIssue {
  return {
    line: null,
    index: null,
    column: "",
    columnNumber: null,
    key: code,
    code: "HOUSEHOLD_NOW_OUTSIDE_GRIDS",
    reason: `household ${code} lies outside every grid with these outlines; it will have no grid until the outlines cover it`,
  };
}

async function writeGrids(sql: SqlSession, grids: readonly GridFeature[], onProgress: ProgressListener): Promise<void> {
  const upsert = `INSERT INTO grids (code, name, leader_name, leader_phone, polygon) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, leader_name = excluded.leader_name,
       leader_phone = excluded.leader_phone, polygon = excluded.polygon`;
  for (const [index, { properties: p, geometry }] of grids.entries()) {
    await sql.run(upsert, [p.code, p.name, p.leader_name, p.leader_phone, JSON.stringify(geometry)]);
    if ((index + 1) % PROGRESS_EVERY === 0) onProgress("writing", index + 1, grids.length);
  }
  // Every placed household again, by point in polygon against the outlines as they now are.
  const gridLocator = new GridLocator(await loadGridOutlines(sql));
  for (const household of await placedHouseholds(sql)) {
    const gridId = gridLocator.gridAt(household.lat, household.lng)?.id ?? null;
    if (gridId !== household.grid_id) {
      await sql.run("UPDATE households SET grid_id = ? WHERE id = ?", [gridId, household.id]);
    }
  }
  onProgress("writing", grids.length, grids.length);
}

export const planGrids: Planner = async (sql, text, _format, onProgress) => {
  const collection = parseJson(text, "the grids file");
  if (!isRecord(collection) || collection.type !== "FeatureCollection" || !Array.isArray(collection.features)) {
    throw new ImportFileError(
      "JSON_SHAPE_INVALID",
      'the grids file must be a GeoJSON {"type": "FeatureCollection", "features": [...]}',
    );
  }
  const rows = jsonRows(collection.features, "features");
  const existing = await codeToId(sql, "grids");
  const codesInFile = new Map<string, string>();
  const result = checkAll(rows, (row) => checkGrid(row, codesInFile), onProgress);
  const locator = new GridLocator(futureOutlines(await loadGridOutlines(sql), result.accepted));
  const warnings = (await placedHouseholds(sql))
    .filter((household) => locator.gridAt(household.lat, household.lng) === null)
    .map((household) => outsideWarning(household.code));
  return planFrom(result, [], {
    exists: (grid) => existing.has(grid.properties.code),
    warnings,
    write: (session, _stamp, progress, grids) => writeGrids(session, grids, progress),
  });
};
