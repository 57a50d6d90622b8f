/**
 * The roads kind: a GeoJSON FeatureCollection of LineString or MultiLineString
 * features with properties `code` and `name`, upserted by code: the district's
 * road centre lines, which the console map draws when it has no tiles. Other
 * properties (GIS tools add their own) are ignored. Every size is bounded
 * (hub/registry/road-lines.ts): the file's features, each road's positions, and
 * the district's roads and positions once the file is in; a file that would
 * take the district past a bound is refused whole (LIMIT_EXCEEDED), checked
 * again inside the write's transaction so two imports at once cannot both slip
 * under it.
 */
import type { SqlSession } from "../../storage/sql/sql-port.ts";
import { checkRoadLine, ROAD_LIMITS, type RoadGeometry, roadNameProblem } from "../road-lines.ts";
import { ImportFileError } from "./import-errors.ts";
import { checkAll, type Planner, PROGRESS_EVERY, planFrom } from "./import-plan.ts";
import type { ProgressListener, RowIssue } from "./import-types.ts";
import type { RoadFeature } from "./record-types.ts";
import { loadGridOutlines } from "./registry-snapshot.ts";
import { isRecord, RowChecker } from "./row-checker.ts";
import { parseJson } from "./source-records.ts";
import { claimCode, jsonRows, type SourceRow } from "./source-rows.ts";

interface ValidRoad {
  feature: RoadFeature;
  points: number;
}

/**
 * How far (in degrees, about 10 km) a road may lie outside the box around every
 * grid: a road farther than that is from another place's file, or in another
 * coordinate system, and would only be drawn where nobody looks.
 */
const DISTRICT_MARGIN_DEG = 0.1;

interface Box {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** The box around every grid outline, widened by the margin; null when there are no grids yet. */
async function districtBox(sql: SqlSession): Promise<Box | null> {
  let box: Box | null = null;
  for (const grid of await loadGridOutlines(sql)) {
    const rings = grid.polygon.type === "Polygon" ? grid.polygon.coordinates : grid.polygon.coordinates.flat();
    for (const [lng = 0, lat = 0] of rings.flat()) {
      box = box
        ? {
            west: Math.min(box.west, lng),
            south: Math.min(box.south, lat),
            east: Math.max(box.east, lng),
            north: Math.max(box.north, lat),
          }
        : { west: lng, south: lat, east: lng, north: lat };
    }
  }
  if (!box) return null;
  const m = DISTRICT_MARGIN_DEG;
  return { west: box.west - m, south: box.south - m, east: box.east + m, north: box.north + m };
}

function touches(box: Box, geometry: RoadGeometry): boolean {
  const lines = geometry.type === "LineString" ? [geometry.coordinates] : geometry.coordinates;
  return lines.some((line) =>
    line.some(([lng = 0, lat = 0]) => lng >= box.west && lng <= box.east && lat >= box.south && lat <= box.north),
  );
}

function checkRoad(
  row: SourceRow,
  codesInFile: Map<string, string>,
  box: Box | null,
): { valid: ValidRoad | null; issues: RowIssue[] } {
  const feature = isRecord(row.raw) ? row.raw : {};
  const properties = isRecord(feature.properties) ? feature.properties : {};
  const checker = new RowChecker(row.locate, typeof properties.code === "string" ? properties.code : null);
  if (feature.type !== "Feature") {
    checker.fail("type", "NOT_AN_OBJECT", 'each item of "features" must be a GeoJSON Feature');
  }
  const code = checker.code("properties.code", properties.code);
  claimCode(checker, code, row, codesInFile, "properties.code");
  const name = checker.text("properties.name", properties.name, { required: true, max: ROAD_LIMITS.nameLength });
  const nameProblem = name === null ? null : roadNameProblem(name);
  if (nameProblem) checker.fail("properties.name", "BAD_NAME", nameProblem);
  const line = checkRoadLine(feature.geometry);
  if (!line.ok) checker.fail(line.field, line.tooMany ? "TOO_MANY_POINTS" : "BAD_GEOMETRY", line.reason);
  else if (box && !touches(box, line.geometry)) {
    checker.fail(
      "geometry",
      "FAR_FROM_DISTRICT",
      "no position lies within about 10 km of the district's grids: is this another place's file, or [lat, lng] in another order?",
    );
  }
  if (!checker.ok || code === null || name === null || !line.ok) return { valid: null, issues: checker.issues };
  return {
    valid: { feature: { type: "Feature", properties: { code, name }, geometry: line.geometry }, points: line.points },
    issues: [],
  };
}

/** Refuses the file when the district would hold more roads or positions than the console draws. */
function checkDistrictTotals(roads: number, points: number): void {
  if (roads > ROAD_LIMITS.roads) {
    throw new ImportFileError(
      "LIMIT_EXCEEDED",
      `the district would hold ${roads} roads; at most ${ROAD_LIMITS.roads} (merge short segments of one street)`,
    );
  }
  if (points > ROAD_LIMITS.points) {
    throw new ImportFileError(
      "LIMIT_EXCEEDED",
      `the district's roads would hold ${points} positions; at most ${ROAD_LIMITS.points} (simplify the lines)`,
    );
  }
}

async function writeRoads(
  sql: SqlSession,
  now: string,
  roads: readonly ValidRoad[],
  onProgress: ProgressListener,
): Promise<void> {
  // An unchanged road keeps its row as it was, so the map's roads version moves only on a real change.
  const upsert = `INSERT INTO roads (code, name, geometry, points, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, geometry = excluded.geometry,
       points = excluded.points, updated_at = excluded.updated_at
     WHERE roads.name <> excluded.name OR roads.geometry <> excluded.geometry`;
  for (const [index, { feature, points }] of roads.entries()) {
    const { code, name } = feature.properties;
    await sql.run(upsert, [code, name, JSON.stringify(feature.geometry), points, now]);
    if ((index + 1) % PROGRESS_EVERY === 0) onProgress("writing", index + 1, roads.length);
  }
  const totals = await sql.get<{ roads: number; points: number | null }>(
    "SELECT COUNT(*) AS roads, SUM(points) AS points FROM roads",
  );
  checkDistrictTotals(Number(totals?.roads ?? 0), Number(totals?.points ?? 0));
  onProgress("writing", roads.length, roads.length);
}

export const planRoads: Planner = async (sql, text, _format, onProgress) => {
  const collection = parseJson(text, "the roads file");
  if (!isRecord(collection) || collection.type !== "FeatureCollection" || !Array.isArray(collection.features)) {
    throw new ImportFileError(
      "JSON_SHAPE_INVALID",
      'the roads file must be a GeoJSON {"type": "FeatureCollection", "features": [...]}',
    );
  }
  if (collection.features.length > ROAD_LIMITS.roads) {
    throw new ImportFileError(
      "LIMIT_EXCEEDED",
      `the roads file has ${collection.features.length} features; at most ${ROAD_LIMITS.roads}`,
    );
  }
  const box = await districtBox(sql);
  const existing = new Map(
    (await sql.all<{ code: string; points: number }>("SELECT code, points FROM roads")).map((r) => [r.code, r.points]),
  );
  const codesInFile = new Map<string, string>();
  const rows = jsonRows(collection.features, "features");
  const result = checkAll(rows, (row) => checkRoad(row, codesInFile, box), onProgress);
  // The district as it would be: the roads the file leaves alone, and the file's accepted ones.
  const kept = new Map(existing);
  for (const { feature, points } of result.accepted) kept.set(feature.properties.code, points);
  checkDistrictTotals(
    kept.size,
    [...kept.values()].reduce((sum, points) => sum + Number(points), 0),
  );
  return planFrom(result, [], {
    exists: (road) => existing.has(road.feature.properties.code),
    write: (session, stamp, progress, roads) => writeRoads(session, stamp.now, roads, progress),
  });
};
