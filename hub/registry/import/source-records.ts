/**
 * From a file on disk to records with their place in the file: CSV records with
 * the physical line each starts on, JSON values with their array index. Syntax
 * errors in one CSV record become row issues, so one stray quote does not hide
 * the rest of the report.
 */
import fs from "node:fs";
import { parse } from "csv-parse/sync";
import { ImportFileError } from "./import-errors.ts";
import type { RowIssue } from "./import-types.ts";

export interface CsvRecord {
  /** Physical line the record starts on; the header is line 1. */
  line: number;
  /** Cells in header order; a short record is padded with empty strings. */
  cells: string[];
}

export interface CsvTable {
  header: string[];
  records: CsvRecord[];
  /** Records the CSV parser could not read, and records with the wrong number of cells. */
  issues: RowIssue[];
}

/**
 * Reads a UTF-8 text file; a UTF-8 byte-order mark is dropped. Spreadsheets on
 * Chinese Windows often save CSV as GBK, which would otherwise turn every name
 * into mojibake silently, so invalid UTF-8 is refused with a way out.
 */
export function readTextFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImportFileError("FILE_UNREADABLE", `cannot read ${file}: ${reason}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ImportFileError(
      "FILE_NOT_UTF8",
      `${file} is not UTF-8 text. Save it as "CSV UTF-8" (Excel) or UTF-8 (WPS, LibreOffice), or convert it with: iconv -f GBK -t UTF-8`,
    );
  }
}

/**
 * Turns byte offsets into physical line numbers. csv-parse's own line count
 * takes a CRLF inside a quoted cell for two lines, and Windows spreadsheets
 * write CRLF, so lines are counted here from the record's starting offset:
 * CRLF, LF and a lone CR each end one line, and the blank lines the parser
 * skips are stepped over. Offsets only grow, so the walk is linear.
 */
class LineCounter {
  private readonly bytes: Buffer;
  private offset = 0;
  private line = 1;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  /** The line of the first non-blank line at or after `start`. */
  lineAt(start: number): number {
    while (this.offset < start) this.step();
    while (this.offset < this.bytes.length && this.isLineBreak(this.offset)) this.step();
    return this.line;
  }

  private isLineBreak(offset: number): boolean {
    const byte = this.bytes[offset];
    return byte === 0x0a || byte === 0x0d;
  }

  private step(): void {
    const byte = this.bytes[this.offset];
    if (byte === 0x0a || (byte === 0x0d && this.bytes[this.offset + 1] !== 0x0a)) this.line += 1;
    this.offset += 1;
  }
}

export function parseCsv(text: string, requiredColumns: readonly string[], knownColumns: (name: string) => boolean) {
  const bytes = Buffer.from(text, "utf8");
  const issues: RowIssue[] = [];
  const rows = parse(bytes, {
    info: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      // After broken quoting the parser's idea of where records start is lost: the first problem is the one to fix.
      if (issues.some((issue) => issue.code === "CSV_SYNTAX")) return undefined;
      const start = typeof error?.bytes === "number" ? error.bytes : 0;
      issues.push({
        line: new LineCounter(bytes).lineAt(start),
        index: null,
        column: "",
        columnNumber: null,
        key: null,
        code: "CSV_SYNTAX",
        reason: `the CSV cannot be read from this line on (${error?.message ?? "malformed record"}); fix it first, as the lines after it may be misread`,
      });
      return undefined;
    },
  }) as unknown as { record: string[]; info: { bytes: number } }[];
  const [headerRow, ...dataRows] = rows;
  if (!headerRow)
    throw new ImportFileError("CSV_HEADER_INVALID", "the file is empty: the first line must name the columns");
  const header = headerRow.record.map((name) => name.trim().toLowerCase());
  checkHeader(header, requiredColumns, knownColumns);
  const records: CsvRecord[] = [];
  const lines = new LineCounter(bytes);
  let recordStart = headerRow.info.bytes;
  for (const { record, info } of dataRows) {
    const line = lines.lineAt(recordStart);
    recordStart = info.bytes;
    if (record.length > header.length && record.slice(header.length).some((cell) => cell !== "")) {
      issues.push({
        line,
        index: null,
        column: "",
        columnNumber: header.length + 1,
        key: null,
        code: "CSV_FIELD_COUNT",
        reason: `this line has ${record.length} cells but the header names ${header.length} columns (an unquoted comma?)`,
      });
      continue;
    }
    const cells = record.length >= header.length ? record.slice(0, header.length) : record.concat();
    while (cells.length < header.length) cells.push("");
    records.push({ line, cells });
  }
  return { header, records, issues } satisfies CsvTable;
}

function checkHeader(header: readonly string[], required: readonly string[], known: (name: string) => boolean): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  header.forEach((name, index) => {
    if (seen.has(name)) problems.push(`column ${index + 1} "${name}" appears twice`);
    seen.add(name);
    if (!known(name)) problems.push(`column ${index + 1} "${name}" is not a column of this kind`);
  });
  const missing = required.filter((name) => !seen.has(name));
  if (missing.length > 0)
    problems.push(`missing required column${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
  if (problems.length > 0) {
    // A data line mistaken for the header (or a file of another kind) would list every cell; the first few tell.
    const shown = problems.length > 6 ? [...problems.slice(0, 5), `and ${problems.length - 5} more`] : problems;
    throw new ImportFileError(
      "CSV_HEADER_INVALID",
      `the header line is not right: ${shown.join("; ")}. See docs/registry-import.md for the columns.`,
    );
  }
}

/** The JSON value of the file, refused as a whole when it does not parse. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImportFileError("JSON_INVALID", `${file} is not valid JSON: ${reason}`);
  }
}

export function expectJsonArray(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new ImportFileError("JSON_SHAPE_INVALID", `the file must hold a JSON array of ${what}`);
}
