/**
 * The CSV columns of each kind, shared by the reader and the writer so an
 * export always imports back. Lists (devices, skills, capabilities) are
 * separated by ";"; hours use the compact text of weekly-hours.ts.
 */

/**
 * Households: one line per resident. A household with two residents has two
 * lines with the same household_code; the household columns of the second are
 * either empty or the same as the first's. Relatives come in groups of four
 * columns, relative1_… relative2_… and as many groups as needed.
 */
/** Resident fields named the same in CSV and JSON (the name is `resident_name` in CSV, `name` in JSON). */
export const RESIDENT_VALUE_FIELDS = [
  "birth_date",
  "sex",
  "phone",
  "language",
  "conditions",
  "medications",
  "allergies",
  "mobility",
] as const;

/** Consent columns are `consent_<field>` for each field of the JSON consent object. */
export const CONSENT_FIELDS = ["given_by", "relation", "at", "method", "note", "recorded_by", "recorded_at"] as const;

/** The columns that describe the household itself, which repeat on each of its residents' lines. */
export const HOUSEHOLD_LEVEL_COLUMNS = [
  "address",
  "lat",
  "lng",
  "key_holder",
  "key_holder_phone",
  "access_notes",
  "landline",
  "device_id",
] as const;

export const HOUSEHOLD_COLUMNS: readonly string[] = [
  "household_code",
  ...HOUSEHOLD_LEVEL_COLUMNS,
  "resident_name",
  ...RESIDENT_VALUE_FIELDS,
  ...CONSENT_FIELDS.map((field) => `consent_${field}`),
];

export const RELATIVE_FIELDS = ["name", "relation", "phone", "language"] as const;
export type RelativeField = (typeof RELATIVE_FIELDS)[number];

/** Exports always carry at least this many relative groups, so a template has room to fill in. */
export const MIN_RELATIVE_GROUPS = 3;
export const MAX_RELATIVE_GROUPS = 20;

const RELATIVE_COLUMN = /^relative([1-9]\d?)_(name|relation|phone|language)$/;

export function relativeColumn(group: number, field: RelativeField): string {
  return `relative${group}_${field}`;
}

/** Which relative group and field a column is, or null. */
export function parseRelativeColumn(name: string): { group: number; field: RelativeField } | null {
  const match = RELATIVE_COLUMN.exec(name);
  if (!match) return null;
  const group = Number(match[1]);
  return group <= MAX_RELATIVE_GROUPS ? { group, field: match[2] as RelativeField } : null;
}

export const HOUSEHOLD_REQUIRED = ["household_code", "address", "resident_name", "birth_date", "sex"] as const;

export function isHouseholdColumn(name: string): boolean {
  return HOUSEHOLD_COLUMNS.includes(name) || parseRelativeColumn(name) !== null;
}

export const WORKER_COLUMNS = [
  "code",
  "name",
  "phone",
  "grid_code",
  "on_duty",
  "lat",
  "lng",
  "skills",
  "shifts",
] as const;
export const WORKER_REQUIRED = ["code", "name", "phone"] as const;

export const CLINIC_COLUMNS = ["code", "name", "phone", "address", "lat", "lng", "capabilities", "hours"] as const;
export const CLINIC_REQUIRED = ["code", "name", "phone", "address"] as const;

export const GAZETTEER_COLUMNS = ["address", "lat", "lng", "source"] as const;
export const GAZETTEER_REQUIRED = ["address", "lat", "lng"] as const;

/** ";"-separated in a CSV cell. */
export function joinList(items: readonly string[]): string {
  return items.join(";");
}
