/**
 * One record of a file, whatever its format: its raw value (the JSON object, or
 * the CSV cells keyed by column name) and how to say where any of its fields is.
 */
import type { RowIssue, RowLocation } from "./import-types.ts";
import { checkKnownFields, type FieldLocator, isRecord, RowChecker } from "./row-checker.ts";
import { type CsvTable, expectJsonArray, parseCsv, parseJson } from "./source-records.ts";

export interface SourceRow {
  raw: unknown;
  locate: FieldLocator;
  /** Where the record starts: used for problems of the record as a whole. */
  where: RowLocation;
}

/** In CSV a field is a column; the field path of the JSON form is the column name for flat kinds. */
export function csvLocator(header: readonly string[], line: number): FieldLocator {
  return (field) => {
    const index = header.indexOf(field);
    return { line, index: null, column: field, columnNumber: index < 0 ? null : index + 1 };
  };
}

export function jsonLocator(index: number, prefix = ""): FieldLocator {
  return (field) => ({
    line: null,
    index,
    column: `${prefix}[${index}]${field ? `.${field}` : ""}`,
    columnNumber: null,
  });
}

export function csvRows(table: CsvTable): SourceRow[] {
  return table.records.map((record) => {
    const raw: Record<string, string> = {};
    table.header.forEach((name, index) => {
      raw[name] = record.cells[index] ?? "";
    });
    const locate = csvLocator(table.header, record.line);
    return { raw, locate, where: locate("") };
  });
}

export function jsonRows(items: readonly unknown[], prefix = ""): SourceRow[] {
  return items.map((raw, index) => {
    const locate = jsonLocator(index, prefix);
    return { raw, locate, where: locate("") };
  });
}

/** The records of a flat kind (workers, clinics, gazetteer): JSON fields are named like the CSV columns. */
export function sourceRows(
  text: string,
  format: "csv" | "json",
  columns: readonly string[],
  required: readonly string[],
  what: string,
): { rows: SourceRow[]; unreadable: RowIssue[] } {
  if (format === "json")
    return { rows: jsonRows(expectJsonArray(parseJson(text, `the ${what} file`), what)), unreadable: [] };
  const table = parseCsv(text, required, (name) => columns.includes(name));
  return { rows: csvRows(table), unreadable: table.issues };
}

/** Remembers the first row of each code; a later row with the same code is refused. */
export function claimCode(
  checker: RowChecker,
  code: string | null,
  row: SourceRow,
  seen: Map<string, string>,
  field = "code",
): void {
  if (code === null) return;
  const first = seen.get(code);
  if (first) checker.fail(field, "DUPLICATE_CODE", `code ${code} is already used in this file (${first})`);
  else seen.set(code, row.where.line !== null ? `line ${row.where.line}` : `item ${row.where.index}`);
}

/**
 * The start of every flat record's checks: its fields (an empty object when the
 * JSON item is not an object, which is itself reported), a checker keyed by the
 * record's code, and unknown JSON fields flagged.
 */
export function startChecks(
  row: SourceRow,
  what: string,
  known: readonly string[],
  keyField = "code",
): { raw: Record<string, unknown>; checker: RowChecker } {
  const raw = isRecord(row.raw) ? row.raw : {};
  const key = raw[keyField];
  const checker = new RowChecker(row.locate, typeof key === "string" ? key : null);
  if (!isRecord(row.raw)) checker.fail("", "NOT_AN_OBJECT", `each ${what} must be a JSON object`);
  checkKnownFields(checker, raw, known, "");
  return { raw, checker };
}
