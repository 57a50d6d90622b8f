/**
 * Road centre lines: GeoJSON LineString or MultiLineString geometries of
 * [lng, lat] positions (RFC 7946), named, drawn by the console map when it has
 * no tiles. The file they come from is written by people and GIS tools, so it is
 * treated as hostile: every size is bounded, here, once for the import (which
 * names the bad position) and the map's read (which serves nothing that would
 * not pass again).
 *
 * The bounds are what a console draws without stalling (every road is an SVG
 * path, fetched once per map, not on each poll) and what a district needs: a
 * county seat has a few hundred named road segments.
 */
import type { LineString, MultiLineString, Position } from "geojson";

export const ROAD_LIMITS = {
  /** Roads in the whole district (and so in one file). */
  roads: 2_000,
  /** Positions of one road, over all its parts. */
  pointsPerRoad: 500,
  /** Parts of one MultiLineString. */
  partsPerRoad: 50,
  /** Positions of every road together: about 2.5 MB of JSON for the console. */
  points: 100_000,
  /** Characters of a road's name, the label drawn on the map. */
  nameLength: 64,
} as const;

export type RoadGeometry = LineString | MultiLineString;

export type RoadLineCheck =
  | { ok: true; geometry: RoadGeometry; points: number }
  /** `field`: where in the feature, e.g. `geometry.coordinates[3]`. `tooMany`: a size bound, not a shape. */
  | { ok: false; field: string; reason: string; tooMany: boolean };

/** Six decimals are about 10 cm: finer only makes the console's download longer. */
function rounded(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function refused(field: string, reason: string, tooMany = false): RoadLineCheck {
  return { ok: false, field, reason, tooMany };
}

/** A [lng, lat] position (an altitude, which GIS tools may add, is dropped), or the reason it is not one. */
function position(value: unknown): Position | string {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) return "is not a [longitude, latitude] position";
  const [lng, lat] = value as unknown[];
  if (typeof lng !== "number" || typeof lat !== "number" || !Number.isFinite(lng) || !Number.isFinite(lat)) {
    return "is not a [longitude, latitude] position of numbers";
  }
  if (Math.abs(lng) > 180 || Math.abs(lat) > 90) return `[${lng}, ${lat}] is not on Earth (GeoJSON is [lng, lat])`;
  return [rounded(lng), rounded(lat)];
}

/** The sizes first, from the arrays' lengths alone: a hostile line of a million positions is never walked. */
function sizeProblem(parts: readonly unknown[], multi: boolean): RoadLineCheck | null {
  if (multi && parts.length > ROAD_LIMITS.partsPerRoad) {
    return refused("geometry.coordinates", `has ${parts.length} lines; at most ${ROAD_LIMITS.partsPerRoad}`, true);
  }
  let points = 0;
  for (const [p, part] of parts.entries()) {
    const where = multi ? `geometry.coordinates[${p}]` : "geometry.coordinates";
    if (!Array.isArray(part) || part.length < 2) return refused(where, "a line needs at least 2 positions");
    points += part.length;
  }
  if (points > ROAD_LIMITS.pointsPerRoad) {
    return refused("geometry.coordinates", `has ${points} positions; at most ${ROAD_LIMITS.pointsPerRoad}`, true);
  }
  return null;
}

/** The geometry, checked and rounded, with its count of positions; or the first thing wrong with it. */
export function checkRoadLine(raw: unknown): RoadLineCheck {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return refused("geometry", "each road needs a LineString or MultiLineString geometry");
  }
  const { type, coordinates } = raw as { type?: unknown; coordinates?: unknown };
  if (type !== "LineString" && type !== "MultiLineString") {
    return refused("geometry.type", `${JSON.stringify(type) ?? "nothing"} is not LineString or MultiLineString`);
  }
  if (!Array.isArray(coordinates) || coordinates.length === 0) {
    return refused("geometry.coordinates", "has no coordinates");
  }
  const multi = type === "MultiLineString";
  const parts: unknown[] = multi ? coordinates : [coordinates];
  const tooBig = sizeProblem(parts, multi);
  if (tooBig) return tooBig;
  const lines: Position[][] = [];
  let points = 0;
  for (const [p, part] of parts.entries()) {
    const line: Position[] = [];
    for (const [i, value] of (part as unknown[]).entries()) {
      const checked = position(value);
      const where = multi ? `geometry.coordinates[${p}][${i}]` : `geometry.coordinates[${i}]`;
      if (typeof checked === "string") return refused(where, `${JSON.stringify(value) ?? "nothing"} ${checked}`);
      line.push(checked);
    }
    const [first] = line;
    if (line.every((at) => at[0] === first?.[0] && at[1] === first?.[1])) {
      return refused(multi ? `geometry.coordinates[${p}]` : "geometry.coordinates", "the line has no length");
    }
    lines.push(line);
    points += line.length;
  }
  const geometry: RoadGeometry = multi
    ? { type: "MultiLineString", coordinates: lines }
    : { type: "LineString", coordinates: lines[0] ?? [] };
  return { ok: true, geometry, points };
}

/**
 * A road's name as a label: trimmed, bounded, and without control or format
 * characters (a bidirectional override would make a label read backwards).
 * Returns the reason it is not one.
 */
export function roadNameProblem(name: string): string | null {
  if (name.length > ROAD_LIMITS.nameLength) {
    return `is ${name.length} characters long; at most ${ROAD_LIMITS.nameLength}`;
  }
  if (/[\p{Cc}\p{Cf}]/u.test(name)) return "holds a control or formatting character";
  return null;
}
