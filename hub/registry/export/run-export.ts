/**
 * Export of one kind in the import formats. A household export carries health
 * data, so every export is written to the audit log (who, which kind, how many
 * rows) before its text is handed out.
 */
import { nowIso } from "../../storage/database.ts";
import type { SqlDatabase, SqlSession } from "../../storage/sql/sql-port.ts";
import { ImportFileError } from "../import/import-errors.ts";
import { formatsOf, type ImportFormat, type ImportKind } from "../import/import-types.ts";
import {
  clinicsCsv,
  gazetteerCsv,
  gridsGeoJson,
  householdsCsv,
  jsonText,
  roadsGeoJson,
  workersCsv,
} from "./file-formats.ts";
import { readClinics, readGazetteer, readGrids, readHouseholds, readRoads, readWorkers } from "./registry-reader.ts";

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

async function render(sql: SqlSession, kind: ImportKind, format: ImportFormat): Promise<ExportResult> {
  switch (kind) {
    case "households": {
      const records = await readHouseholds(sql);
      return { rows: records.length, text: format === "csv" ? householdsCsv(records) : jsonText(records) };
    }
    case "workers": {
      const records = await readWorkers(sql);
      return { rows: records.length, text: format === "csv" ? workersCsv(records) : jsonText(records) };
    }
    case "clinics": {
      const records = await readClinics(sql);
      return { rows: records.length, text: format === "csv" ? clinicsCsv(records) : jsonText(records) };
    }
    case "gazetteer": {
      const records = await readGazetteer(sql);
      return { rows: records.length, text: format === "csv" ? gazetteerCsv(records) : jsonText(records) };
    }
    case "grids": {
      const features = await readGrids(sql);
      return { rows: features.length, text: gridsGeoJson(features) };
    }
    case "roads": {
      const features = await readRoads(sql);
      return { rows: features.length, text: roadsGeoJson(features) };
    }
  }
}

export async function exportRegistry(sql: SqlDatabase, options: ExportOptions): Promise<ExportResult> {
  const { kind, format, actor } = options;
  if (!formatsOf(kind).includes(format)) {
    throw new ImportFileError(
      "FORMAT_UNSUPPORTED",
      `${kind} are exported as ${formatsOf(kind).join(" or ")}, not ${format}`,
    );
  }
  // One snapshot gives every table the same moment without holding up the
  // running hub's writes. The audit row is written after it: upgrading a WAL
  // read to a write fails when the hub has written meanwhile. The text is
  // returned only once the audit row is in.
  const result = await sql.snapshot(() => render(sql, kind, format));
  await sql.run("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, 'registry_exported', ?, ?)", [
    nowIso(),
    actor,
    kind,
    JSON.stringify({ kind, format, rows: result.rows }),
  ]);
  return result;
}
