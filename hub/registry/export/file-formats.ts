/**
 * Registry records to file text, in exactly the formats import reads (the
 * column lists are shared), so an export imports back unchanged. Also used by
 * the bench generator to write its district.
 */
import { stringify } from "csv-stringify/sync";
import {
  CLINIC_COLUMNS,
  CONSENT_FIELDS,
  GAZETTEER_COLUMNS,
  HOUSEHOLD_COLUMNS,
  joinList,
  MIN_RELATIVE_GROUPS,
  RELATIVE_FIELDS,
  relativeColumn,
  WORKER_COLUMNS,
} from "../import/csv-columns.ts";
import type {
  ClinicRecord,
  GazetteerRecord,
  GridCollection,
  GridFeature,
  HouseholdRecord,
  RoadCollection,
  RoadFeature,
  WorkerRecord,
} from "../import/record-types.ts";
import { formatWeeklyHours } from "../import/weekly-hours.ts";

type Cell = string | number | null;

function csv(header: readonly string[], rows: readonly Cell[][]): string {
  // Excel opens a UTF-8 CSV as UTF-8 only with a byte-order mark; import drops it again.
  return `\uFEFF${stringify([header as string[], ...rows], { record_delimiter: "\n", cast: { number: String } })}`;
}

const text = (value: string | null): Cell => value ?? "";
const number = (value: number | null): Cell => (value === null ? "" : String(value));

export function householdsCsv(households: readonly HouseholdRecord[]): string {
  const groups = Math.max(
    MIN_RELATIVE_GROUPS,
    ...households.flatMap((household) => household.residents.map((resident) => resident.relatives.length)),
  );
  const relativeHeader = Array.from({ length: groups }, (_, i) =>
    RELATIVE_FIELDS.map((f) => relativeColumn(i + 1, f)),
  ).flat();
  const rows: Cell[][] = [];
  for (const household of households) {
    for (const resident of household.residents) {
      const consent = resident.consent;
      const relatives = Array.from({ length: groups }, (_, i) => {
        const relative = resident.relatives[i];
        return relative ? [relative.name, relative.relation, relative.phone, relative.language] : ["", "", "", ""];
      }).flat();
      rows.push([
        household.code,
        household.address,
        number(household.lat),
        number(household.lng),
        text(household.key_holder),
        text(household.key_holder_phone),
        text(household.access_notes),
        text(household.landline),
        joinList(household.device_ids),
        resident.name,
        resident.birth_date,
        resident.sex,
        text(resident.phone),
        resident.language,
        text(resident.conditions),
        text(resident.medications),
        text(resident.allergies),
        text(resident.mobility),
        ...CONSENT_FIELDS.map((field) => text(consent?.[field] ?? null)),
        ...relatives,
      ]);
    }
  }
  return csv([...HOUSEHOLD_COLUMNS, ...relativeHeader], rows);
}

export function workersCsv(workers: readonly WorkerRecord[]): string {
  const rows = workers.map((w) => [
    w.code,
    w.name,
    w.phone,
    text(w.grid_code),
    w.on_duty === null ? "" : String(w.on_duty),
    number(w.lat),
    number(w.lng),
    joinList(w.skills),
    formatWeeklyHours(w.shifts),
  ]);
  return csv(WORKER_COLUMNS, rows);
}

export function clinicsCsv(clinics: readonly ClinicRecord[]): string {
  const rows = clinics.map((c) => [
    c.code,
    c.name,
    c.phone,
    c.address,
    number(c.lat),
    number(c.lng),
    joinList(c.capabilities),
    formatWeeklyHours(c.hours),
  ]);
  return csv(CLINIC_COLUMNS, rows);
}

export function gazetteerCsv(entries: readonly GazetteerRecord[]): string {
  return csv(
    GAZETTEER_COLUMNS,
    entries.map((e) => [e.address, String(e.lat), String(e.lng), text(e.source)]),
  );
}

export function gridsGeoJson(features: readonly GridFeature[]): string {
  const collection: GridCollection = { type: "FeatureCollection", features: [...features] };
  return jsonText(collection);
}

export function roadsGeoJson(features: readonly RoadFeature[]): string {
  const collection: RoadCollection = { type: "FeatureCollection", features: [...features] };
  return jsonText(collection);
}

/** Two-space indented, one trailing newline: readable, and diff-friendly between two exports. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
