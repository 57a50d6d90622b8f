/**
 * Where a household is, for the registry API and bulk import alike:
 * - coordinates given → used as they are;
 * - none → the address is looked up in the gazetteer of standard addresses;
 * - then its grid is found by point-in-polygon over the grid outlines.
 * A household that matches no gazetteer entry, or lies outside every grid, is
 * refused with a coded reason rather than stored where no one would find it.
 */
import booleanPointInPolygon from "@turf/boolean-point-in-polygon";
import type { MultiPolygon, Polygon } from "geojson";

export interface GridOutline {
  id: number;
  code: string;
  name: string;
  polygon: Polygon | MultiPolygon;
}

export type LocateFailure = {
  ok: false;
  code: "ADDRESS_NOT_IN_GAZETTEER" | "OUTSIDE_ALL_GRIDS" | "COORDINATES_INVALID";
  message: string;
};

export type LocateResult =
  | { ok: true; lat: number; lng: number; source: "given" | "gazetteer"; grid: GridOutline }
  | LocateFailure;

/**
 * One spelling per address: NFKC folds full-width digits and letters (１２号 →
 * 12号), whitespace runs collapse, and spaces between Chinese characters go.
 */
export function normaliseAddress(address: string): string {
  return address
    .normalize("NFKC")
    .replace(/\s+/g, " ")
    .replace(/(?<=[\u3000-\u9fff]) (?=[\u3000-\u9fff0-9])|(?<=[0-9]) (?=[\u3000-\u9fff])/g, "")
    .trim();
}

interface Box {
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
}

function boundingBox(polygon: Polygon | MultiPolygon): Box {
  const box = { minLng: Infinity, minLat: Infinity, maxLng: -Infinity, maxLat: -Infinity };
  const rings = polygon.type === "Polygon" ? polygon.coordinates : polygon.coordinates.flat();
  for (const ring of rings) {
    for (const [lng = 0, lat = 0] of ring) {
      box.minLng = Math.min(box.minLng, lng);
      box.maxLng = Math.max(box.maxLng, lng);
      box.minLat = Math.min(box.minLat, lat);
      box.maxLat = Math.max(box.maxLat, lat);
    }
  }
  return box;
}

export class GridLocator {
  private readonly grids: readonly { grid: GridOutline; box: Box }[];

  constructor(grids: readonly GridOutline[]) {
    this.grids = grids.map((grid) => ({ grid, box: boundingBox(grid.polygon) }));
  }

  /** The first grid whose outline contains the point (boundary included); a bounding box check first keeps bulk imports fast. */
  gridAt(lat: number, lng: number): GridOutline | null {
    for (const { grid, box } of this.grids) {
      if (lng < box.minLng || lng > box.maxLng || lat < box.minLat || lat > box.maxLat) continue;
      if (booleanPointInPolygon([lng, lat], grid.polygon)) return grid;
    }
    return null;
  }
}

export class HouseholdLocator {
  private readonly gridLocator: GridLocator;
  private readonly gazetteer: (normalisedAddress: string) => { lat: number; lng: number } | undefined;

  constructor(
    grids: readonly GridOutline[],
    gazetteer: (normalisedAddress: string) => { lat: number; lng: number } | undefined,
  ) {
    this.gridLocator = new GridLocator(grids);
    this.gazetteer = gazetteer;
  }

  locate(input: { address: string; lat?: number | null; lng?: number | null }): LocateResult {
    let point: { lat: number; lng: number };
    let source: "given" | "gazetteer";
    const hasLat = input.lat !== undefined && input.lat !== null;
    const hasLng = input.lng !== undefined && input.lng !== null;
    if (hasLat !== hasLng) {
      return { ok: false, code: "COORDINATES_INVALID", message: "give both lat and lng, or neither" };
    }
    if (hasLat && hasLng) {
      const lat = Number(input.lat);
      const lng = Number(input.lng);
      if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180)) {
        return {
          ok: false,
          code: "COORDINATES_INVALID",
          message: `(${input.lat}, ${input.lng}) is not a point on Earth`,
        };
      }
      point = { lat, lng };
      source = "given";
    } else {
      const found = this.gazetteer(normaliseAddress(input.address));
      if (!found) {
        return {
          ok: false,
          code: "ADDRESS_NOT_IN_GAZETTEER",
          message: `no coordinates given and "${input.address}" is not a standard address in the gazetteer`,
        };
      }
      point = found;
      source = "gazetteer";
    }
    const grid = this.gridLocator.gridAt(point.lat, point.lng);
    if (!grid) {
      return {
        ok: false,
        code: "OUTSIDE_ALL_GRIDS",
        message: `(${point.lat.toFixed(5)}, ${point.lng.toFixed(5)}) lies outside every grid`,
      };
    }
    return { ok: true, lat: point.lat, lng: point.lng, source, grid };
  }
}
