/**
 * Road centre lines on each engine (SQLite in tests/road-import.test.ts,
 * PostgreSQL in tests/postgres/road-import.test.ts): a roads file goes in and
 * comes back out unchanged; positions are stored rounded, without altitudes;
 * an unchanged re-import leaves the roads version alone and a change moves it;
 * and the map's read serves what is stored, bounded, leaving out what would not
 * pass the import's checks again.
 */
import { describe, expect, it } from "vitest";
import { readMapRoads, roadsVersion } from "../../hub/map/road-views.ts";
import { exportRegistry } from "../../hub/registry/export/run-export.ts";
import { ROAD_LIMITS } from "../../hub/registry/road-lines.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import { districtPerTest, importText, type OpenRegistryDatabase, ROADS_GEOJSON } from "./registry-fixtures.ts";

const exportedRoads = async (sql: SqlDatabase) =>
  (await exportRegistry(sql, { kind: "roads", format: "json", actor: "test" })).text;

/** A stored road written straight into the table, as a hand-made row (or a hostile writer) would. */
async function storeRoad(sql: SqlDatabase, code: string, name: string, geometry: string, points: number) {
  await sql.run("INSERT INTO roads (code, name, geometry, points, updated_at) VALUES (?, ?, ?, ?, ?)", [
    code,
    name,
    geometry,
    points,
    "2025-01-01T00:00:00.000Z",
  ]);
}

/** A straight east–west line of `points` positions inside the fixture grids. */
function line(points: number, lat = 37.57): string {
  const coordinates = Array.from({ length: points }, (_, i) => [118.51 + (i * 0.08) / points, lat]);
  return JSON.stringify({ type: "LineString", coordinates });
}

export function describeRoadImport(name: string, open: OpenRegistryDatabase): void {
  describe(`road centre lines on ${name}`, () => {
    const district = districtPerTest(open);

    it("imports a roads file and exports exactly the same file back, with an audit row each way", async () => {
      const { sql, dir } = await district();
      const report = await importText(sql, dir, { kind: "roads", text: ROADS_GEOJSON });
      expect(report).toMatchObject({ rows: 2, created: 2, updated: 0, rejected: 0, written: true });
      expect(await sql.all("SELECT code, name, points FROM roads ORDER BY code")).toEqual([
        { code: "R1", name: "胜兴路", points: 3 },
        { code: "R2", name: "黄河路", points: 4 },
      ]);
      expect(await exportedRoads(sql)).toBe(ROADS_GEOJSON);
      const audit = await sql.all<{ action: string }>(
        "SELECT action FROM audit_log WHERE target = 'roads' ORDER BY id",
      );
      expect(audit.map((row) => row.action)).toEqual(["registry_imported", "registry_exported"]);
    });

    it("an unchanged re-import leaves the roads version alone; a changed road moves it", async () => {
      const { sql, dir } = await district();
      await importText(sql, dir, { kind: "roads", text: ROADS_GEOJSON });
      const first = await roadsVersion(sql);
      expect(first).toMatch(/^2:\d{4}-/);
      const again = await importText(sql, dir, { kind: "roads", text: await exportedRoads(sql) });
      expect(again).toMatchObject({ created: 0, updated: 2, written: true });
      expect(await roadsVersion(sql)).toBe(first);
      const renamed = ROADS_GEOJSON.replace('"name": "胜兴路"', '"name": "胜兴西路"');
      expect(await importText(sql, dir, { kind: "roads", text: renamed })).toMatchObject({ updated: 2 });
      expect(await roadsVersion(sql)).not.toBe(first);
      expect(await sql.get("SELECT name FROM roads WHERE code = 'R1'")).toEqual({ name: "胜兴西路" });
      expect(await sql.get("SELECT COUNT(*) AS n FROM roads")).toEqual({ n: 2 });
    });

    it("stores positions to six decimals and drops an altitude a GIS tool added", async () => {
      const { sql, dir } = await district();
      const text = JSON.stringify({
        type: "FeatureCollection",
        features: [
          {
            type: "Feature",
            properties: { code: "R9", name: "利河路", osm_id: 42 },
            geometry: {
              type: "LineString",
              coordinates: [
                [118.5123456789, 37.5712345678, 12.5],
                [118.52, 37.58, 3],
              ],
            },
          },
        ],
      });
      expect(await importText(sql, dir, { kind: "roads", text })).toMatchObject({ rejected: 0, written: true });
      const stored = await sql.get<{ geometry: string }>("SELECT geometry FROM roads WHERE code = 'R9'");
      expect(JSON.parse(stored?.geometry ?? "null")).toEqual({
        type: "LineString",
        coordinates: [
          [118.512346, 37.571235],
          [118.52, 37.58],
        ],
      });
    });

    it("the map serves the stored roads and leaves out, saying so, what would not pass the checks again", async () => {
      const { sql, dir } = await district();
      await importText(sql, dir, { kind: "roads", text: ROADS_GEOJSON });
      const served = await readMapRoads(sql);
      expect(served).toMatchObject({ version: await roadsVersion(sql), truncated: false });
      expect(served.roads.map(({ code, name, geometry }) => ({ code, name, geometry }))).toEqual(
        JSON.parse(ROADS_GEOJSON).features.map(
          (f: { properties: { code: string; name: string }; geometry: unknown }) => ({
            ...f.properties,
            geometry: f.geometry,
          }),
        ),
      );

      await storeRoad(sql, "BAD1", "坏路", "{not json", 2);
      await storeRoad(sql, "BAD2", "\u202e路反", line(2), 2);
      await storeRoad(sql, "BAD3", "长路", line(ROAD_LIMITS.pointsPerRoad + 1), ROAD_LIMITS.pointsPerRoad + 1);
      await storeRoad(sql, "BAD4", "点路", JSON.stringify({ type: "Point", coordinates: [118.5, 37.57] }), 1);
      const filtered = await readMapRoads(sql);
      expect(filtered.truncated).toBe(true);
      expect(filtered.roads.map((r) => r.code)).toEqual(["R1", "R2"]);
    });

    it("the map never serves more positions than the district bound, whatever the table holds", async () => {
      const { sql } = await district();
      const perRoad = ROAD_LIMITS.pointsPerRoad;
      const fit = Math.floor(ROAD_LIMITS.points / perRoad);
      for (let i = 0; i <= fit; i += 1) await storeRoad(sql, `L${i}`, `路${i}`, line(perRoad), perRoad);
      const served = await readMapRoads(sql);
      expect(served.truncated).toBe(true);
      expect(served.roads).toHaveLength(fit);
      expect(served.roads.reduce((sum, r) => sum + (r.geometry.coordinates as unknown[]).length, 0)).toBe(
        fit * perRoad,
      );
    });
  });
}
