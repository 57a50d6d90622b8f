/**
 * Grid outlines are GeoJSON Polygon or MultiPolygon geometries (RFC 7946):
 * rings of [lng, lat] positions, each ring closed (last position = first) with
 * at least four positions. The schema only checks the outer shape; the rings are
 * checked here so each problem names the exact position that is wrong.
 */
import type { MultiPolygon, Polygon, Position } from "geojson";
import { type FieldProblem, RegistryFieldError } from "../errors.ts";

export type GridPolygon = Polygon | MultiPolygon;

export interface PolygonInput {
  type: "Polygon" | "MultiPolygon";
  coordinates: unknown[];
}

/** More would only bury the first problem; an outline that wrong needs redrawing anyway. */
const MAX_PROBLEMS = 10;

function checkPosition(value: unknown, path: string, problems: FieldProblem[]): value is Position {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((n) => typeof n === "number" && Number.isFinite(n))) {
    problems.push({ instancePath: path, message: "a position must be a [lng, lat] pair of numbers" });
    return false;
  }
  const [lng, lat] = value as [number, number];
  if (Math.abs(lng) > 180) problems.push({ instancePath: `${path}/0`, message: "longitude must be within ±180" });
  if (Math.abs(lat) > 90) problems.push({ instancePath: `${path}/1`, message: "latitude must be within ±90" });
  return Math.abs(lng) <= 180 && Math.abs(lat) <= 90;
}

/** Twice the signed area (shoelace); zero means every position lies on one line. */
function doubledArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i += 1) {
    const [x1 = 0, y1 = 0] = ring[i] ?? [];
    const [x2 = 0, y2 = 0] = ring[i + 1] ?? [];
    sum += x1 * y2 - x2 * y1;
  }
  return sum;
}

function checkRing(value: unknown, path: string, problems: FieldProblem[]): void {
  if (!Array.isArray(value) || value.length < 4) {
    problems.push({
      instancePath: path,
      message: "a ring must be an array of at least 4 [lng, lat] positions (a triangle plus its closing position)",
    });
    return;
  }
  const positionsValid = value.map((position, i) => checkPosition(position, `${path}/${i}`, problems));
  if (!positionsValid.every(Boolean)) return;
  const ring = value as Position[];
  const first = ring[0] ?? [];
  const last = ring[ring.length - 1] ?? [];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    problems.push({
      instancePath: path,
      message: `the ring is not closed: its last position [${last.join(", ")}] must repeat its first [${first.join(", ")}]`,
    });
    return;
  }
  if (doubledArea(ring) === 0) problems.push({ instancePath: path, message: "the ring encloses no area" });
}

function checkPolygonRings(value: unknown, path: string, problems: FieldProblem[]): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({ instancePath: path, message: "a polygon must be an array of rings, the outer ring first" });
    return;
  }
  value.forEach((ring, i) => {
    checkRing(ring, `${path}/${i}`, problems);
  });
}

/** The geometry, typed, when every ring is well formed; otherwise a 400 naming each bad ring or position. */
export function checkGridPolygon(input: PolygonInput, field = "polygon"): GridPolygon {
  const problems: FieldProblem[] = [];
  const path = `/${field}/coordinates`;
  if (input.type === "Polygon") {
    checkPolygonRings(input.coordinates, path, problems);
  } else if (input.coordinates.length === 0) {
    problems.push({ instancePath: path, message: "a MultiPolygon needs at least one polygon" });
  } else {
    input.coordinates.forEach((polygon, i) => {
      checkPolygonRings(polygon, `${path}/${i}`, problems);
    });
  }
  if (problems.length > 0) throw new RegistryFieldError(problems.slice(0, MAX_PROBLEMS));
  return input.type === "Polygon"
    ? { type: "Polygon", coordinates: input.coordinates as Position[][] }
    : { type: "MultiPolygon", coordinates: input.coordinates as Position[][][] };
}
