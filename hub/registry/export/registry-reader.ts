/**
 * The registry read back into file records, ordered by code (the gazetteer by
 * address) so two exports of the same registry are byte for byte the same.
 * Each table is read in one query and joined in memory: a district of 100,000
 * households exports in seconds.
 */
import type { MultiPolygon, Polygon } from "geojson";
import type { Db } from "../../storage/database.ts";
import type {
  ClinicRecord,
  ConsentMethod,
  ConsentRecord,
  GazetteerRecord,
  GridFeature,
  HouseholdRecord,
  RelativeRecord,
  ResidentRecord,
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

export function readHouseholds(db: Db): HouseholdRecord[] {
  const households = db
    .prepare(
      "SELECT id, code, address, lat, lng, key_holder, access_notes, location_source FROM households ORDER BY code",
    )
    .all() as {
    id: number;
    code: string;
    address: string;
    lat: number | null;
    lng: number | null;
    key_holder: string | null;
    access_notes: string | null;
    location_source: string | null;
  }[];
  const residents = groupBy(
    db.prepare("SELECT * FROM residents ORDER BY id").all() as ResidentRow[],
    (r) => r.household_id,
  );
  const relatives = groupBy(
    db
      .prepare("SELECT resident_id, name, relation, phone, language FROM relatives ORDER BY resident_id, priority")
      .all() as (RelativeRecord & { resident_id: number })[],
    (r) => r.resident_id,
  );
  // Revoked buttons stay linked for history but are not the household's any more.
  const devices = groupBy(
    db
      .prepare("SELECT id, household_id FROM devices WHERE status = 'active' AND household_id IS NOT NULL ORDER BY id")
      .all() as { id: string; household_id: number }[],
    (d) => d.household_id,
  );
  return households.map((h) => ({
    code: h.code,
    address: h.address,
    // Placed through the gazetteer: left empty so a re-import places it the same way.
    lat: h.location_source === "gazetteer" ? null : h.lat,
    lng: h.location_source === "gazetteer" ? null : h.lng,
    key_holder: h.key_holder,
    access_notes: h.access_notes,
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

export function readWorkers(db: Db): WorkerRecord[] {
  const rows = db
    .prepare(
      `SELECT w.code, w.name, w.phone, g.code AS grid_code, w.on_duty, w.lat, w.lng, w.skills, w.shifts
       FROM workers w LEFT JOIN grids g ON g.id = w.grid_id ORDER BY w.code`,
    )
    .all() as (Omit<WorkerRecord, "on_duty" | "skills" | "shifts"> & {
    on_duty: number;
    skills: string;
    shifts: string;
  })[];
  return rows.map((w) => ({
    ...w,
    on_duty: w.on_duty === 1,
    skills: parseJsonColumn<string[]>(w.skills, []),
    shifts: parseJsonColumn<WeeklySpan[]>(w.shifts, []),
  }));
}

export function readClinics(db: Db): ClinicRecord[] {
  const rows = db
    .prepare("SELECT code, name, phone, address, lat, lng, capabilities, hours FROM clinics ORDER BY code")
    .all() as (Omit<ClinicRecord, "capabilities" | "hours"> & { capabilities: string; hours: string | null })[];
  return rows.map((c) => ({
    ...c,
    capabilities: parseJsonColumn<string[]>(c.capabilities, []),
    hours: parseJsonColumn<WeeklySpan[]>(c.hours, []),
  }));
}

export function readGrids(db: Db): GridFeature[] {
  const rows = db.prepare("SELECT code, name, leader_name, leader_phone, polygon FROM grids ORDER BY code").all() as {
    code: string;
    name: string;
    leader_name: string | null;
    leader_phone: string | null;
    polygon: string;
  }[];
  return rows.map(({ polygon, ...properties }) => ({
    type: "Feature",
    properties,
    geometry: JSON.parse(polygon) as Polygon | MultiPolygon,
  }));
}

export function readGazetteer(db: Db): GazetteerRecord[] {
  return db.prepare("SELECT address, lat, lng, source FROM gazetteer ORDER BY address").all() as GazetteerRecord[];
}
