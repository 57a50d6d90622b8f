/**
 * The vocabulary of bulk import: what can be imported, in which formats, how a
 * rejected row is described, and the report an import returns (and the CLI
 * prints or saves with `--report`).
 */

export const IMPORT_KINDS = ["households", "workers", "clinics", "grids", "gazetteer", "roads"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** What a kind's rows are called in sentences: "24 gazetteer entries imported". */
export const ROW_NOUNS: Record<ImportKind, string> = {
  households: "households",
  workers: "workers",
  clinics: "clinics",
  grids: "grids",
  gazetteer: "gazetteer entries",
  roads: "roads",
};

/** `json` for grids and roads means GeoJSON. */
export const IMPORT_FORMATS = ["csv", "json"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export function isImportKind(value: string): value is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(value);
}

/** Grids (polygons) and roads (lines) only travel as GeoJSON. */
export function isGeoJsonKind(kind: ImportKind): kind is "grids" | "roads" {
  return kind === "grids" || kind === "roads";
}

export function formatsOf(kind: ImportKind): readonly ImportFormat[] {
  return isGeoJsonKind(kind) ? ["json"] : IMPORT_FORMATS;
}

/** Why a row was refused; stable codes a script can match, with the plain-words reason beside them. */
export type RowIssueCode =
  | "CSV_SYNTAX"
  | "CSV_FIELD_COUNT"
  | "NOT_AN_OBJECT"
  | "UNKNOWN_FIELD"
  | "REQUIRED"
  | "WRONG_TYPE"
  | "TOO_LONG"
  | "BAD_CODE"
  | "BAD_PHONE"
  | "BAD_DATE"
  | "UNKNOWN_SEX"
  | "UNKNOWN_LANGUAGE"
  | "BAD_NUMBER"
  | "BAD_BOOLEAN"
  | "BAD_TOKEN"
  | "BAD_HOURS"
  | "BAD_GEOMETRY"
  | "TOO_MANY_POINTS"
  | "BAD_NAME"
  | "FAR_FROM_DISTRICT"
  | "INCOMPLETE"
  | "COORDINATES_INVALID"
  | "ADDRESS_NOT_IN_GAZETTEER"
  | "OUTSIDE_ALL_GRIDS"
  | "DUPLICATE_CODE"
  | "DUPLICATE_RESIDENT"
  | "HOUSEHOLD_ROWS_DISAGREE"
  | "UNKNOWN_GRID"
  | "BAD_DEVICE_ID"
  | "DEVICE_BOUND_ELSEWHERE"
  | "DEVICE_REVOKED"
  | "DEVICE_LISTED_TWICE"
  | "RESIDENT_HAS_ALARMS"
  | "HOUSEHOLD_NOW_OUTSIDE_GRIDS"
  | "HOUSEHOLD_MOVED";

/**
 * Where a problem is. CSV: `line` is the physical line where the record starts
 * (the header is line 1) and `column` the header name, `columnNumber` its
 * 1-based position. JSON: `index` is the record's 0-based position in the array
 * (the feature's, for GeoJSON) and `column` the field path, e.g.
 * `[12].residents[0].relatives[1].phone`.
 */
export interface RowLocation {
  line: number | null;
  index: number | null;
  column: string;
  columnNumber: number | null;
}

export interface RowIssue extends RowLocation {
  /** The record's code (or address, for the gazetteer) when it could be read, to find it again. */
  key: string | null;
  code: RowIssueCode;
  reason: string;
}

export type ImportMode = "dry-run" | "all-or-nothing" | "partial";

export interface ImportOptions {
  kind: ImportKind;
  format: ImportFormat;
  /** The file's path; only its base name goes into the report and the audit log. */
  file: string;
  /** Validate and locate everything, write nothing. */
  dryRun?: boolean;
  /** Write the good rows even when others are rejected. */
  allowPartial?: boolean;
  /** Who is importing, for the audit log, e.g. `cli:alice`. */
  actor: string;
  /**
   * Where the secrets of newly provisioned devices go (JSON). Required when the
   * import creates devices: the database keeps only their hashes.
   */
  credentialsFile?: string;
  onProgress?: ProgressListener;
}

export type ImportPhase = "validating" | "writing";

/** Called as rows are checked and written; `done` counts rows (households, for the households kind). */
export type ProgressListener = (phase: ImportPhase, done: number, total: number) => void;

export interface ImportReport {
  kind: ImportKind;
  format: ImportFormat;
  file: string;
  mode: ImportMode;
  /** Records in the file (households, not CSV lines, for the households kind). */
  rows: number;
  accepted: number;
  rejected: number;
  /** What was written, or for a dry run or a refused file what would have been. */
  created: number;
  updated: number;
  devicesCreated: number;
  /** True only when the rows went into the database. */
  written: boolean;
  /** Set when new device secrets were saved. */
  credentialsFile: string | null;
  /** Every problem of every rejected row, in file order. */
  issues: RowIssue[];
  /** Things the import changed that the file did not name, e.g. households a new grid outline leaves out. */
  warnings: RowIssue[];
  /** A sentence for people: what happened. */
  summary: string;
  durationMs: number;
}
