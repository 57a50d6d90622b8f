/**
 * Export of one kind in the import formats. A household export carries health
 * data, so every export is written to the audit log (who, which kind, how many
 * rows) before its text is handed out.
 */
import { type Db, nowIso } from "../../storage/database.ts";
import { ImportFileError } from "../import/import-errors.ts";
import { formatsOf, type ImportFormat, type ImportKind } from "../import/import-types.ts";
import { clinicsCsv, gazetteerCsv, gridsGeoJson, householdsCsv, jsonText, workersCsv } from "./file-formats.ts";
import { readClinics, readGazetteer, readGrids, readHouseholds, readWorkers } from "./registry-reader.ts";

export interface ExportOptions {
  kind: ImportKind;
  format: ImportFormat;
  /** Who exports, for the audit log, e.g. `cli:alice`. */
  actor: string;
}

export interface ExportResult {
  text: string;
  rows: number;
}

function render(db: Db, kind: ImportKind, format: ImportFormat): ExportResult {
  switch (kind) {
    case "households": {
      const records = readHouseholds(db);
      return { rows: records.length, text: format === "csv" ? householdsCsv(records) : jsonText(records) };
    }
    case "workers": {
      const records = readWorkers(db);
      return { rows: records.length, text: format === "csv" ? workersCsv(records) : jsonText(records) };
    }
    case "clinics": {
      const records = readClinics(db);
      return { rows: records.length, text: format === "csv" ? clinicsCsv(records) : jsonText(records) };
    }
    case "gazetteer": {
      const records = readGazetteer(db);
      return { rows: records.length, text: format === "csv" ? gazetteerCsv(records) : jsonText(records) };
    }
    case "grids": {
      const features = readGrids(db);
      return { rows: features.length, text: gridsGeoJson(features) };
    }
  }
}

export function exportRegistry(db: Db, options: ExportOptions): ExportResult {
  const { kind, format, actor } = options;
  if (!formatsOf(kind).includes(format)) {
    throw new ImportFileError(
      "FORMAT_UNSUPPORTED",
      `${kind} are exported as ${formatsOf(kind).join(" or ")}, not ${format}`,
    );
  }
  // A read transaction gives every table the same snapshot. The audit row is
  // written after it: upgrading a WAL read to a write fails when the running
  // hub has written meanwhile. The text is returned only once the audit row is in.
  const result = db.transaction(() => render(db, kind, format))();
  db.prepare("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, 'registry_exported', ?, ?)").run(
    nowIso(),
    actor,
    kind,
    JSON.stringify({ kind, format, rows: result.rows }),
  );
  return result;
}
