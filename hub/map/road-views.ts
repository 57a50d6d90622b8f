/**
 * The district's road centre lines for the console map (`GET /api/map/roads`):
 * drawn as thin grey lines with their names when the map has no tiles. They
 * change only when someone imports roads, so the console fetches them once per
 * map and again only when the version in the 10-second `GET /api/map` poll
 * moves; the poll itself never carries the lines.
 *
 * What is served is bounded whatever the table holds (a row written by hand, a
 * bound lowered later): every line is checked again as the import checked it,
 * and the answer stops at the district bounds of hub/registry/road-lines.ts,
 * saying so (`truncated`).
 */
import type { MapRoads } from "../../protocol/console/index.ts";
import { checkRoadLine, ROAD_LIMITS, roadNameProblem } from "../registry/road-lines.ts";
import { nowIso } from "../storage/database.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";

/** Changes whenever a road is added, changed or removed: the count and the latest change (indexed). */
export async function roadsVersion(sql: SqlSession): Promise<string> {
  const row = await sql.get<{ n: number; at: string | null }>("SELECT COUNT(*) AS n, MAX(updated_at) AS at FROM roads");
  return `${Number(row?.n ?? 0)}:${row?.at ?? ""}`;
}

function parsed(stored: string): unknown {
  try {
    return JSON.parse(stored);
  } catch {
    return null;
  }
}

export async function readMapRoads(sql: SqlSession): Promise<MapRoads> {
  // The version before the rows: an import between the two reads gives rows newer than the version,
  // and the console only fetches once more; the other way round it would keep old lines.
  const version = await roadsVersion(sql);
  const rows = await sql.all<{ id: number; code: string; name: string; geometry: string }>(
    `SELECT id, code, name, geometry FROM roads ORDER BY id LIMIT ${ROAD_LIMITS.roads + 1}`,
  );
  const roads: MapRoads["roads"] = [];
  let points = 0;
  let truncated = rows.length > ROAD_LIMITS.roads;
  for (const row of rows.slice(0, ROAD_LIMITS.roads)) {
    const line = checkRoadLine(parsed(row.geometry));
    if (!line.ok || row.name.trim() === "" || roadNameProblem(row.name) !== null) {
      truncated = true;
      continue;
    }
    if (points + line.points > ROAD_LIMITS.points) {
      truncated = true;
      break;
    }
    points += line.points;
    roads.push({ id: row.id, code: row.code, name: row.name, geometry: line.geometry });
  }
  return { version, generatedAt: nowIso(), truncated, roads };
}
