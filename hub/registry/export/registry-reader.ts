/**
 * The registry read back into file records, ordered by code (the gazetteer by
 * address) so two exports of the same registry are byte for byte the same. The
 * order is made here, not by ORDER BY: PostgreSQL sorts text by the database's
 * collation, SQLite by code point, and an export must not depend on the engine.
 * Each table is read in one query and joined in memory: a district of 100,000
 * households exports in seconds.
 */
import type { MultiPolygon, Polygon } from "geojson";
import type { SqlSession } from "../../storage/sql/sql-port.ts";
import type {
  ClinicRecord,
  ConsentMethod,
  ConsentRecord,
  GazetteerRecord,
  GridFeature,
  HouseholdRecord,
  RelativeRecord,
  ResidentRecord,
  RoadFeature,
  WorkerRecord,
} from "../import/record-types.ts";
import type { WeeklySpan } from "../import/weekly-hours.ts";

/** Stored JSON written by the hub; anything unreadable exports as empty rather than failing the export. */
function parseJsonColumn<T>(stored: string | null, fallback: T): T {
  if (!stored) return fallback;
  try {
    return JSON.parse(stored) as T;
  } catch {
    return fallback;
  }
}

/** The registry API's stored consent (camelCase) back to the file's shape. */
function consentRecord(stored: string | null): ConsentRecord | null {
  const consent = parseJsonColumn<Record<string, string | undefined> | null>(stored, null);
  if (!consent) return null;
  return {
    given_by: consent.givenBy ?? "",
    relation: consent.relation ?? "",
    at: consent.at ?? "",
    method: (consent.method ?? "written") as ConsentMethod,
    note: consent.note ?? null,
    recorded_by: consent.recordedBy ?? null,
    recorded_at: consent.recordedAt ?? null,
  };
}

/** Code point order, whatever the engine's collation. */
function sortedBy<T>(rows: T[], key: (row: T) => string): T[] {
  return rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function groupBy<T>(rows: readonly T[], key: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const list = groups.get(key(row));
    if (list) list.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

/** A residents row: the file's fields, with the consent still as the stored JSON. */
type ResidentRow = Omit<ResidentRecord, "consent" | "relatives"> & {
  id: number;
  household_id: number;
  consent: string | null;
};

export async function readHouseholds(sql: SqlSession): Promise<HouseholdRecord[]> {
  const households = sortedBy(
    await sql.all<Omit<HouseholdRecord, "device_ids" | "residents"> & { id: number; location_source: string | null }>(
      "SELECT id, code, address, lat, lng, key_holder, key_holder_phone, access_notes, landline, location_source FROM households",
    ),
    (h) => h.code,
  );
  const residents = groupBy(await sql.all<ResidentRow>("SELECT * FROM residents ORDER BY id"), (r) => r.household_id);
  const relatives = groupBy(
    await sql.all<RelativeRecord & { resident_id: number }>(
      "SELECT resident_id, name, relation, phone, language FROM relatives ORDER BY resident_id, priority",
    ),
    (r) => r.resident_id,
  );
  // Revoked buttons stay linked for history but are not the household's any more.
  const devices = groupBy(
    sortedBy(
      await sql.all<{ id: string; household_id: number }>(
        "SELECT id, household_id FROM devices WHERE status = 'active' AND household_id IS NOT NULL",
      ),
      (d) => d.id,
    ),
    (d) => d.household_id,
  );
  return households.map((h) => ({
    code: h.code,
    address: h.address,
    // Placed through the gazetteer: left empty so a re-import places it the same way.
    lat: h.location_source === "gazetteer" ? null : h.lat,
    lng: h.location_source === "gazetteer" ? null : h.lng,
    key_holder: h.key_holder,
    key_holder_phone: h.key_holder_phone,
    access_notes: h.access_notes,
    landline: h.landline,
    device_ids: (devices.get(h.id) ?? []).map((d) => d.id),
    residents: (residents.get(h.id) ?? []).map(
      (r): ResidentRecord => ({
        name: r.name,
        birth_date: r.birth_date,
        sex: r.sex,
        phone: r.phone,
        language: r.language,
        conditions: r.conditions,
        medications: r.medications,
        allergies: r.allergies,
        mobility: r.mobility,
        consent: consentRecord(r.consent),
        relatives: (relatives.get(r.id) ?? []).map(({ name, relation, phone, language }) => ({
          name,
          relation,
          phone,
          language,
        })),
      }),
    ),
  }));
}

export async function readWorkers(sql: SqlSession): Promise<WorkerRecord[]> {
  const rows = await sql.all<
    Omit<WorkerRecord, "on_duty" | "skills" | "shifts"> & { on_duty: number; skills: string; shifts: string }
  >(
    `SELECT w.code, w.name, w.phone, g.code AS grid_code, w.on_duty, w.lat, w.lng, w.skills, w.shifts
     FROM workers w LEFT JOIN grids g ON g.id = w.grid_id`,
  );
  return sortedBy(rows, (w) => w.code).map((w) => ({
    ...w,
    on_duty: w.on_duty === 1,
    skills: parseJsonColumn<string[]>(w.skills, []),
    shifts: parseJsonColumn<WeeklySpan[]>(w.shifts, []),
  }));
}

export async function readClinics(sql: SqlSession): Promise<ClinicRecord[]> {
  const rows = await sql.all<
    Omit<ClinicRecord, "capabilities" | "hours"> & { capabilities: string; hours: string | null }
  >("SELECT code, name, phone, address, lat, lng, capabilities, hours FROM clinics");
  return sortedBy(rows, (c) => c.code).map((c) => ({
    ...c,
    capabilities: parseJsonColumn<string[]>(c.capabilities, []),
    hours: parseJsonColumn<WeeklySpan[]>(c.hours, []),
  }));
}

export async function readGrids(sql: SqlSession): Promise<GridFeature[]> {
  const rows = await sql.all<{
    code: string;
    name: string;
    leader_name: string | null;
    leader_phone: string | null;
    polygon: string;
  }>("SELECT code, name, leader_name, leader_phone, polygon FROM grids");
  return sortedBy(rows, (g) => g.code).map(({ polygon, ...properties }) => ({
    type: "Feature",
    properties,
    geometry: JSON.parse(polygon) as Polygon | MultiPolygon,
  }));
}

export async function readGazetteer(sql: SqlSession): Promise<GazetteerRecord[]> {
  return sortedBy(await sql.all<GazetteerRecord>("SELECT address, lat, lng, source FROM gazetteer"), (g) => g.address);
}

export async function readRoads(sql: SqlSession): Promise<RoadFeature[]> {
  const rows = await sql.all<{ code: string; name: string; geometry: string }>(
    "SELECT code, name, geometry FROM roads",
  );
  return sortedBy(rows, (r) => r.code).map(({ code, name, geometry }) => ({
    type: "Feature",
    properties: { code, name },
    geometry: parseJsonColumn<RoadFeature["geometry"]>(geometry, { type: "LineString", coordinates: [] }),
  }));
}
