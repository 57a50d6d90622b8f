/**
 * Households from a file, before any checking: each becomes the nested shape of
 * the JSON format, with a locator that turns a field path back into a CSV line
 * and column (or a JSON path). CSV lines that share a household_code are one
 * household with several residents; their household columns must agree.
 */
import {
  CONSENT_FIELDS,
  HOUSEHOLD_LEVEL_COLUMNS,
  MAX_RELATIVE_GROUPS,
  RELATIVE_FIELDS,
  RESIDENT_VALUE_FIELDS,
  type RelativeField,
  relativeColumn,
} from "./csv-columns.ts";
import type { RowIssue, RowLocation } from "./import-types.ts";
import { type FieldLocator, isBlank } from "./row-checker.ts";
import type { CsvRecord, CsvTable } from "./source-records.ts";
import { jsonRows, type SourceRow } from "./source-rows.ts";

export interface HouseholdSource extends SourceRow {
  /** Problems found while putting CSV lines together (lines of one household that disagree). */
  groupingIssues: RowIssue[];
}

/** JSON field → CSV column, where they differ. */
const HOUSEHOLD_FIELD_COLUMN: Record<string, string> = { code: "household_code", device_ids: "device_id" };

export function householdsFromJson(items: readonly unknown[]): HouseholdSource[] {
  return jsonRows(items).map((row) => ({ ...row, groupingIssues: [] }));
}

interface CsvGroup {
  code: string;
  records: CsvRecord[];
}

export function householdsFromCsv(table: CsvTable): HouseholdSource[] {
  const column = new Map(table.header.map((name, index) => [name, index]));
  const cell = (record: CsvRecord, name: string) => {
    const index = column.get(name);
    return index === undefined ? "" : (record.cells[index] ?? "");
  };
  const relativeGroups = relativeLayout(table.header, column);
  const groups = new Map<string, CsvGroup>();
  const ordered: CsvGroup[] = [];
  for (const record of table.records) {
    const code = cell(record, "household_code");
    // A line without a code cannot belong to another one; it stands alone and is rejected for the missing code.
    const existing = code === "" ? undefined : groups.get(code);
    if (existing) {
      existing.records.push(record);
      continue;
    }
    const group = { code, records: [record] };
    if (code !== "") groups.set(code, group);
    ordered.push(group);
  }
  return ordered.map((group) => buildHousehold(group, cell, column, relativeGroups));
}

/** A relative group's number and the column index of each of its fields (-1: not in the file). */
interface RelativeGroup {
  group: number;
  columns: Record<RelativeField, number>;
}

/** Worked out once per file: building column names per cell made 100,000 households a second slower. */
function relativeLayout(header: readonly string[], column: ReadonlyMap<string, number>): RelativeGroup[] {
  const groups: RelativeGroup[] = [];
  for (let group = 1; group <= MAX_RELATIVE_GROUPS; group += 1) {
    if (!RELATIVE_FIELDS.some((field) => header.includes(relativeColumn(group, field)))) continue;
    const index = (field: RelativeField) => column.get(relativeColumn(group, field)) ?? -1;
    groups.push({
      group,
      columns: { name: index("name"), relation: index("relation"), phone: index("phone"), language: index("language") },
    });
  }
  return groups;
}

function buildHousehold(
  group: CsvGroup,
  cell: (record: CsvRecord, name: string) => string,
  column: ReadonlyMap<string, number>,
  relativeGroups: readonly RelativeGroup[],
): HouseholdSource {
  const [first, ...more] = group.records as [CsvRecord, ...CsvRecord[]];
  const at = (line: number, name: string): RowLocation => {
    const index = column.get(name);
    return { line, index: null, column: name, columnNumber: index === undefined ? null : index + 1 };
  };
  const groupingIssues: RowIssue[] = [];
  for (const record of more) {
    for (const name of HOUSEHOLD_LEVEL_COLUMNS) {
      const value = cell(record, name);
      const firstValue = cell(first, name);
      if (value === "" || value === firstValue) continue;
      groupingIssues.push({
        ...at(record.line, name),
        key: group.code,
        code: "HOUSEHOLD_ROWS_DISAGREE",
        reason: `differs from line ${first.line} ("${firstValue}") for the same household_code; leave it empty on a second resident's line, or give the household its own code`,
      });
    }
  }
  // Blank relative groups are skipped, so relative1 empty and relative2 filled is simply the first relative.
  const usedGroups: number[][] = [];
  const residents = group.records.map((record, residentIndex) => {
    const cellAt = (index: number) => (index < 0 ? "" : (record.cells[index] ?? ""));
    const used = relativeGroups.filter(({ columns: c }) =>
      [c.name, c.relation, c.phone, c.language].some((index) => cellAt(index) !== ""),
    );
    usedGroups[residentIndex] = used.map(({ group }) => group);
    const consent: Record<string, string> = {};
    for (const field of CONSENT_FIELDS) consent[field] = cell(record, `consent_${field}`);
    const resident: Record<string, unknown> = { name: cell(record, "resident_name") };
    for (const name of RESIDENT_VALUE_FIELDS) resident[name] = cell(record, name);
    resident.consent = Object.values(consent).every(isBlank) ? null : consent;
    resident.relatives = used.map(({ columns: c }) => ({
      name: cellAt(c.name),
      relation: cellAt(c.relation),
      phone: cellAt(c.phone),
      language: cellAt(c.language),
    }));
    return resident;
  });
  const raw = {
    code: group.code,
    address: cell(first, "address"),
    lat: cell(first, "lat"),
    lng: cell(first, "lng"),
    key_holder: cell(first, "key_holder"),
    key_holder_phone: cell(first, "key_holder_phone"),
    access_notes: cell(first, "access_notes"),
    landline: cell(first, "landline"),
    device_ids: cell(first, "device_id"),
    residents,
  };
  const locate: FieldLocator = (field) => locateCsvField(field, group.records, usedGroups, at);
  return { raw, locate, where: at(first.line, ""), groupingIssues };
}

const RESIDENT_PATH = /^residents\[(\d+)\](?:\.(.+))?$/;
const RELATIVE_PATH = /^relatives\[(\d+)\](?:\.(\w+))?$/;

function locateCsvField(
  field: string,
  records: readonly CsvRecord[],
  usedGroups: readonly number[][],
  at: (line: number, name: string) => RowLocation,
): RowLocation {
  const firstLine = records[0]?.line ?? 0;
  const resident = RESIDENT_PATH.exec(field);
  if (!resident)
    return at(firstLine, HOUSEHOLD_FIELD_COLUMN[field] ?? (field === "residents" ? "resident_name" : field));
  const residentIndex = Number(resident[1]);
  const line = records[residentIndex]?.line ?? firstLine;
  const rest = resident[2] ?? "name";
  const relative = RELATIVE_PATH.exec(rest);
  if (relative) {
    const group = usedGroups[residentIndex]?.[Number(relative[1])] ?? 1;
    return at(line, `relative${group}_${relative[2] ?? "name"}`);
  }
  if (rest.startsWith("consent")) return at(line, `consent_${rest.split(".")[1] ?? "given_by"}`);
  return at(line, rest === "name" ? "resident_name" : rest);
}
