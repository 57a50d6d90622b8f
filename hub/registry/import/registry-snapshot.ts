/**
 * What an import needs to know of the registry before it checks a single row,
 * read once up front: checking 100,000 rows against in-memory maps is what
 * keeps a district-sized import well under a minute, and lets the checks stay
 * synchronous on either engine.
 */
import type { MultiPolygon, Polygon } from "geojson";
import { type GridOutline, HouseholdLocator, normaliseAddress } from "../../geo/household-locator.ts";
import type { SqlSession } from "../../storage/sql/sql-port.ts";
import type { ExistingHousehold, HouseholdContext } from "./household-checks.ts";
import { isBlank, isRecord } from "./row-checker.ts";

export async function loadGridOutlines(sql: SqlSession): Promise<GridOutline[]> {
  const rows = await sql.all<Omit<GridOutline, "polygon"> & { polygon: string }>(
    "SELECT id, code, name, polygon FROM grids ORDER BY id",
  );
  return rows.map((row) => ({ ...row, polygon: JSON.parse(row.polygon) as Polygon | MultiPolygon }));
}

/** Above this many addresses to look up, one pass over the gazetteer beats fetching them by name. */
const GAZETTEER_PRELOAD_THRESHOLD = 1000;
/** Addresses fetched per statement: well under SQLite's and PostgreSQL's parameter limits. */
const ADDRESSES_PER_QUERY = 500;

export type GazetteerLookup = (normalisedAddress: string) => { lat: number; lng: number } | undefined;

interface GazetteerPoint {
  address: string;
  lat: number;
  lng: number;
}

/** The raw addresses of records with no coordinates: the ones the gazetteer must place. */
export function addressesWithoutPoint(records: readonly unknown[]): unknown[] {
  return records
    .filter((raw) => isRecord(raw) && isBlank(raw.lat) && isBlank(raw.lng))
    .map((raw) => (raw as Record<string, unknown>).address);
}

/**
 * The gazetteer's points for the addresses the file's rows may need (their raw
 * values: the checks normalise them the same way): the whole gazetteer when
 * they are many, else just those entries.
 */
export async function gazetteerLookup(sql: SqlSession, rawAddresses: readonly unknown[]): Promise<GazetteerLookup> {
  const wanted = [
    ...new Set(rawAddresses.filter((raw): raw is string => typeof raw === "string").map(normaliseAddress)),
  ];
  let entries: GazetteerPoint[] = [];
  if (wanted.length > GAZETTEER_PRELOAD_THRESHOLD) {
    entries = await sql.all<GazetteerPoint>("SELECT address, lat, lng FROM gazetteer");
  } else {
    for (let start = 0; start < wanted.length; start += ADDRESSES_PER_QUERY) {
      const chunk = wanted.slice(start, start + ADDRESSES_PER_QUERY);
      const marks = chunk.map(() => "?").join(", ");
      entries.push(
        ...(await sql.all<GazetteerPoint>(
          `SELECT address, lat, lng FROM gazetteer WHERE address IN (${marks})`,
          chunk,
        )),
      );
    }
  }
  const byAddress = new Map(entries.map((entry) => [entry.address, { lat: entry.lat, lng: entry.lng }]));
  return (address) => byAddress.get(address);
}

export async function codeToId(
  sql: SqlSession,
  table: "grids" | "workers" | "clinics" | "households",
): Promise<Map<string, number>> {
  const rows = await sql.all<{ id: number; code: string }>(`SELECT id, code FROM ${table} WHERE code IS NOT NULL`);
  return new Map(rows.map((row) => [row.code, row.id]));
}

export async function loadHouseholdContext(
  sql: SqlSession,
  addressesToLookUp: readonly unknown[],
): Promise<HouseholdContext> {
  const grids = await loadGridOutlines(sql);
  const existing = new Map<string, ExistingHousehold>();
  const byId = new Map<number, ExistingHousehold>();
  for (const [code, id] of await codeToId(sql, "households")) {
    const household = { id, residentIds: [] };
    existing.set(code, household);
    byId.set(id, household);
  }
  const residents = await sql.all<{ id: number; household_id: number }>(
    "SELECT id, household_id FROM residents ORDER BY household_id, id",
  );
  for (const resident of residents) byId.get(resident.household_id)?.residentIds.push(resident.id);
  const withAlarms = await sql.all<{ id: number }>(
    "SELECT DISTINCT resident_id AS id FROM alarms WHERE resident_id IS NOT NULL",
  );
  const devices = await sql.all<{ id: string; household_id: number | null; status: string; code: string | null }>(
    "SELECT d.id, d.household_id, d.status, h.code FROM devices d LEFT JOIN households h ON h.id = d.household_id",
  );
  return {
    locator: new HouseholdLocator(grids, await gazetteerLookup(sql, addressesToLookUp)),
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
