/**
 * What an import needs to know of the registry before it checks a single row,
 * read once up front: checking 100,000 rows against in-memory maps is what
 * keeps a district-sized import well under a minute.
 */
import type { MultiPolygon, Polygon } from "geojson";
import { type GridOutline, HouseholdLocator } from "../../geo/household-locator.ts";
import type { Db } from "../../storage/database.ts";
import type { ExistingHousehold, HouseholdContext } from "./household-checks.ts";

export function loadGridOutlines(db: Db): GridOutline[] {
  const rows = db.prepare("SELECT id, code, name, polygon FROM grids ORDER BY id").all() as (Omit<
    GridOutline,
    "polygon"
  > & { polygon: string })[];
  return rows.map((row) => ({ ...row, polygon: JSON.parse(row.polygon) as Polygon | MultiPolygon }));
}

/** Above this many address-only rows, one pass over the gazetteer beats one indexed query per row. */
const GAZETTEER_PRELOAD_THRESHOLD = 1000;

export type GazetteerLookup = (normalisedAddress: string) => { lat: number; lng: number } | undefined;

export function gazetteerLookup(db: Db, expectedLookups: number): GazetteerLookup {
  if (expectedLookups > GAZETTEER_PRELOAD_THRESHOLD) {
    const entries = db.prepare("SELECT address, lat, lng FROM gazetteer").all() as {
      address: string;
      lat: number;
      lng: number;
    }[];
    const byAddress = new Map(entries.map((entry) => [entry.address, { lat: entry.lat, lng: entry.lng }]));
    return (address) => byAddress.get(address);
  }
  const query = db.prepare("SELECT lat, lng FROM gazetteer WHERE address = ?");
  return (address) => query.get(address) as { lat: number; lng: number } | undefined;
}

export function codeToId(db: Db, table: "grids" | "workers" | "clinics" | "households"): Map<string, number> {
  const rows = db.prepare(`SELECT id, code FROM ${table} WHERE code IS NOT NULL`).all() as {
    id: number;
    code: string;
  }[];
  return new Map(rows.map((row) => [row.code, row.id]));
}

export function loadHouseholdContext(db: Db, addressOnlyRows: number): HouseholdContext {
  const grids = loadGridOutlines(db);
  const existing = new Map<string, ExistingHousehold>();
  const byId = new Map<number, ExistingHousehold>();
  for (const [code, id] of codeToId(db, "households")) {
    const household = { id, residentIds: [] };
    existing.set(code, household);
    byId.set(id, household);
  }
  const residents = db.prepare("SELECT id, household_id FROM residents ORDER BY household_id, id").all() as {
    id: number;
    household_id: number;
  }[];
  for (const resident of residents) byId.get(resident.household_id)?.residentIds.push(resident.id);
  const withAlarms = db
    .prepare("SELECT DISTINCT resident_id AS id FROM alarms WHERE resident_id IS NOT NULL")
    .all() as {
    id: number;
  }[];
  const devices = db
    .prepare(
      "SELECT d.id, d.household_id, d.status, h.code FROM devices d LEFT JOIN households h ON h.id = d.household_id",
    )
    .all() as { id: string; household_id: number | null; status: string; code: string | null }[];
  return {
    locator: new HouseholdLocator(grids, gazetteerLookup(db, addressOnlyRows)),
    gridCount: grids.length,
    existing,
    residentsWithAlarms: new Set(withAlarms.map((row) => row.id)),
    devices: new Map(
      devices.map((d) => [d.id, { householdId: d.household_id, householdCode: d.code, status: d.status }]),
    ),
    codesInFile: new Map(),
    devicesInFile: new Map(),
  };
}
