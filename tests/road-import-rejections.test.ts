/**
 * A roads file is treated as hostile: every bad feature is reported at its
 * index and field path with a code, every size is bounded (positions per road,
 * parts per road, name length, roads in a file, roads and positions in the
 * district), and a file past a district bound is refused as a whole
 * (LIMIT_EXCEEDED), dry run or not, writing nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { ImportFileError } from "../hub/registry/import/import-errors.ts";
import { importRegistryFile } from "../hub/registry/import/run-import.ts";
import { ROAD_LIMITS } from "../hub/registry/road-lines.ts";
import type { SqlDatabase } from "../hub/storage/sql/sql-port.ts";
import { districtPerTest, importText, tableCounts } from "./support/registry-fixtures.ts";

const district = districtPerTest();

/** A road inside the fixture grids (118.5–118.6 E, 37.55–37.6 N). */
function road(code: unknown, name: unknown, geometry: unknown, type: unknown = "Feature") {
  return { type, properties: { code, name }, geometry };
}

function straight(points: number, lat = 37.57): [number, number][] {
  return Array.from({ length: points }, (_, i) => [118.51 + (i * 0.08) / points, lat]);
}

const lineOf = (coordinates: unknown) => ({ type: "LineString", coordinates });
const collection = (features: unknown[]) => JSON.stringify({ type: "FeatureCollection", features });

async function refusal(sql: SqlDatabase, dir: string, text: string, dryRun = false): Promise<string> {
  const file = path.join(dir, `roads-${Math.random().toString(36).slice(2)}.geojson`);
  fs.writeFileSync(file, text);
  try {
    await importRegistryFile(sql, createLogger("silent"), {
      kind: "roads",
      format: "json",
      file,
      actor: "test",
      dryRun,
    });
  } catch (error) {
    return error instanceof ImportFileError ? `${error.code}: ${error.message}` : `unexpected: ${String(error)}`;
  }
  return "accepted";
}

describe("rejected roads", () => {
  it("reports each bad feature at its index and field, with a code, and writes none of the file", async () => {
    const { sql, dir } = await district();
    const before = await tableCounts(sql);
    const features = [
      road("G0", "胜兴路", lineOf(straight(3))),
      road("B1", "点", lineOf(straight(2)), "Point"),
      road(null, "无编号路", lineOf(straight(2))),
      road("B3", "路".repeat(ROAD_LIMITS.nameLength + 1), lineOf(straight(2))),
      road("B4", "\u202e路河黄", lineOf(straight(2))),
      road("B5", "多边形路", { type: "Polygon", coordinates: [straight(4)] }),
      road("B6", "短路", lineOf([[118.52, 37.57]])),
      road(
        "B7",
        "字路",
        lineOf([
          [118.52, 37.57],
          [118.53, "37.57"],
        ]),
      ),
      road(
        "B8",
        "反路",
        lineOf([
          [118.52, 37.57],
          [37.58, 118.53],
        ]),
      ),
      road("B9", "长路", lineOf(straight(ROAD_LIMITS.pointsPerRoad + 1))),
      road("B10", "碎路", {
        type: "MultiLineString",
        coordinates: Array.from({ length: ROAD_LIMITS.partsPerRoad + 1 }, (_, i) => straight(2, 37.56 + i * 0.0005)),
      }),
      road(
        "B11",
        "长安街",
        lineOf([
          [116.39, 39.9],
          [116.41, 39.9],
        ]),
      ),
      road("G0", "重复路", lineOf(straight(2))),
      road(
        "B13",
        "原地路",
        lineOf([
          [118.52, 37.57],
          [118.52, 37.57],
        ]),
      ),
      road("B14", "<b>路</b>", "LINESTRING(118.5 37.5, 118.6 37.6)"),
    ];
    const report = await importText(sql, dir, { kind: "roads", text: collection(features) });
    expect(report).toMatchObject({ rows: features.length, accepted: 1, rejected: features.length - 1, written: false });
    expect(report.issues.map(({ index, column, code, key }) => ({ index, column, code, key }))).toEqual([
      { index: 1, column: "features[1].type", code: "NOT_AN_OBJECT", key: "B1" },
      { index: 2, column: "features[2].properties.code", code: "REQUIRED", key: null },
      { index: 3, column: "features[3].properties.name", code: "TOO_LONG", key: "B3" },
      { index: 4, column: "features[4].properties.name", code: "BAD_NAME", key: "B4" },
      { index: 5, column: "features[5].geometry.type", code: "BAD_GEOMETRY", key: "B5" },
      { index: 6, column: "features[6].geometry.coordinates", code: "BAD_GEOMETRY", key: "B6" },
      { index: 7, column: "features[7].geometry.coordinates[1]", code: "BAD_GEOMETRY", key: "B7" },
      { index: 8, column: "features[8].geometry.coordinates[1]", code: "BAD_GEOMETRY", key: "B8" },
      { index: 9, column: "features[9].geometry.coordinates", code: "TOO_MANY_POINTS", key: "B9" },
      { index: 10, column: "features[10].geometry.coordinates", code: "TOO_MANY_POINTS", key: "B10" },
      { index: 11, column: "features[11].geometry", code: "FAR_FROM_DISTRICT", key: "B11" },
      { index: 12, column: "features[12].properties.code", code: "DUPLICATE_CODE", key: "G0" },
      { index: 13, column: "features[13].geometry.coordinates", code: "BAD_GEOMETRY", key: "B13" },
      { index: 14, column: "features[14].geometry", code: "BAD_GEOMETRY", key: "B14" },
    ]);
    const reasons = new Map(report.issues.map((issue) => [issue.key, issue.reason]));
    expect(reasons.get("B8")).toMatch(/not on Earth/);
    expect(reasons.get("B9")).toBe(
      `has ${ROAD_LIMITS.pointsPerRoad + 1} positions; at most ${ROAD_LIMITS.pointsPerRoad}`,
    );
    expect(reasons.get("B10")).toBe(`has ${ROAD_LIMITS.partsPerRoad + 1} lines; at most ${ROAD_LIMITS.partsPerRoad}`);
    expect(await tableCounts(sql)).toEqual(before);

    // With allowPartial only the good road goes in, as it was given.
    const partial = await importText(sql, dir, { kind: "roads", text: collection(features), allowPartial: true });
    expect(partial).toMatchObject({ accepted: 1, written: true });
    expect(await sql.all("SELECT code, name FROM roads")).toEqual([{ code: "G0", name: "胜兴路" }]);
  });

  it("refuses a file past the district's bounds as a whole, dry run or not, and writes nothing", async () => {
    const { sql, dir } = await district();
    const empty = (i: number) => ({ type: "Feature", properties: { code: `F${i}` }, geometry: null });
    const tooMany = collection(Array.from({ length: ROAD_LIMITS.roads + 1 }, (_, i) => empty(i)));
    expect(await refusal(sql, dir, tooMany)).toBe(
      `LIMIT_EXCEEDED: the roads file has ${ROAD_LIMITS.roads + 1} features; at most ${ROAD_LIMITS.roads}`,
    );

    // Positions: the district's roads may hold at most ROAD_LIMITS.points, counting those already in.
    const full = (from: number, count: number) =>
      collection(
        Array.from({ length: count }, (_, i) =>
          road(`P${from + i}`, `路${from + i}`, lineOf(straight(ROAD_LIMITS.pointsPerRoad))),
        ),
      );
    const fit = ROAD_LIMITS.points / ROAD_LIMITS.pointsPerRoad;
    expect(await importText(sql, dir, { kind: "roads", text: full(0, fit - 1) })).toMatchObject({ written: true });
    const before = await tableCounts(sql);
    const past = `LIMIT_EXCEEDED: the district's roads would hold ${ROAD_LIMITS.points + ROAD_LIMITS.pointsPerRoad} positions; at most ${ROAD_LIMITS.points} (simplify the lines)`;
    expect(await refusal(sql, dir, full(fit - 1, 2), true)).toBe(past);
    expect(await refusal(sql, dir, full(fit - 1, 2))).toBe(past);
    expect(await tableCounts(sql)).toEqual(before);
    // Replacing roads already in counts them once: the same file again fits.
    expect(await importText(sql, dir, { kind: "roads", text: full(0, fit - 1) })).toMatchObject({ written: true });
    expect(await importText(sql, dir, { kind: "roads", text: full(fit - 1, 1) })).toMatchObject({ written: true });
  });

  it("refuses a file that would take the district past its count of roads", async () => {
    const { sql, dir } = await district();
    const short = (from: number, count: number) =>
      collection(Array.from({ length: count }, (_, i) => road(`S${from + i}`, `短${from + i}`, lineOf(straight(2)))));
    const room = ROAD_LIMITS.roads - 1;
    expect(await importText(sql, dir, { kind: "roads", text: short(0, room) })).toMatchObject({ written: true });
    expect(await refusal(sql, dir, short(room, 2), true)).toMatch(/^LIMIT_EXCEEDED: the district would hold/);
    expect(await refusal(sql, dir, short(room, 2))).toBe(
      `LIMIT_EXCEEDED: the district would hold ${ROAD_LIMITS.roads + 1} roads; at most ${ROAD_LIMITS.roads} (merge short segments of one street)`,
    );
    expect(await sql.get("SELECT COUNT(*) AS n FROM roads")).toEqual({ n: room });
    expect(await importText(sql, dir, { kind: "roads", text: short(room, 1) })).toMatchObject({ written: true });
  });

  it("refuses what is not a roads GeoJSON file", async () => {
    const { sql, dir } = await district();
    expect(await refusal(sql, dir, "[]")).toMatch(/^JSON_SHAPE_INVALID: the roads file must be a GeoJSON/);
    expect(await refusal(sql, dir, "{")).toMatch(/^JSON_INVALID: /);
    const file = path.join(dir, "roads.csv");
    fs.writeFileSync(file, "code,name\n");
    await expect(
      importRegistryFile(sql, createLogger("silent"), { kind: "roads", format: "csv", file, actor: "test" }),
    ).rejects.toThrow(/roads are imported as json, not csv/);
  });
});
