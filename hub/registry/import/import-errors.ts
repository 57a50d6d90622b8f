/**
 * Problems with a whole file or with how an import was asked for, as opposed to
 * a bad row (those go into the report). The CLI turns these into exit code 2.
 */
export type ImportFileErrorCode =
  | "FILE_UNREADABLE"
  | "FILE_NOT_UTF8"
  | "FORMAT_UNSUPPORTED"
  | "CSV_HEADER_INVALID"
  | "JSON_INVALID"
  | "JSON_SHAPE_INVALID"
  /** More records than the registry keeps of that kind (roads: hub/registry/road-lines.ts). */
  | "LIMIT_EXCEEDED"
  | "CREDENTIALS_FILE_REQUIRED"
  | "CREDENTIALS_FILE_EXISTS";

export class ImportFileError extends Error {
  readonly code: ImportFileErrorCode;

  constructor(code: ImportFileErrorCode, message: string) {
    super(message);
    this.name = "ImportFileError";
    this.code = code;
  }
}

export function isImportFileError(error: unknown): error is ImportFileError {
  return error instanceof ImportFileError;
}
