/**
 * The clinics kind, upserted by code. A clinic without coordinates is placed by
 * its address through the gazetteer. Clinics need no grid: the nearest clinic
 * is often the county hospital outside the community's grids.
 */
import { normaliseAddress } from "../../geo/household-locator.ts";
import type { SqlSession } from "../../storage/sql/sql-port.ts";
import { CLINIC_COLUMNS, CLINIC_REQUIRED } from "./csv-columns.ts";
import { checkAll, type Planner, PROGRESS_EVERY, planFrom } from "./import-plan.ts";
import type { ProgressListener, RowIssue } from "./import-types.ts";
import type { ClinicRecord } from "./record-types.ts";
import { addressesWithoutPoint, codeToId, type GazetteerLookup, gazetteerLookup } from "./registry-snapshot.ts";
import { claimCode, type SourceRow, sourceRows, startChecks } from "./source-rows.ts";

interface ValidClinic {
  record: ClinicRecord & { lat: number; lng: number };
  exists: boolean;
}

interface ClinicContext {
  gazetteer: GazetteerLookup;
  existing: ReadonlyMap<string, number>;
  codesInFile: Map<string, string>;
}

function checkClinic(row: SourceRow, context: ClinicContext): { valid: ValidClinic | null; issues: RowIssue[] } {
  const { raw, checker } = startChecks(row, "clinic", CLINIC_COLUMNS);
  const code = checker.code("code", raw.code);
  claimCode(checker, code, row, context.codesInFile);
  const address = checker.text("address", raw.address, { required: true, max: 300 });
  let point = checker.point(raw.lat, raw.lng);
  if (point === "absent" && address !== null) {
    point = context.gazetteer(normaliseAddress(address)) ?? null;
    if (point === null) {
      checker.fail(
        "address",
        "ADDRESS_NOT_IN_GAZETTEER",
        `no coordinates given and "${address}" is not a standard address in the gazetteer (give lat and lng, or import the gazetteer first)`,
      );
    }
  }
  const record = {
    code: code ?? "",
    name: checker.text("name", raw.name, { required: true, max: 100 }) ?? "",
    phone: checker.phone("phone", raw.phone, true) ?? "",
    address: address ?? "",
    lat: point !== null && point !== "absent" ? point.lat : 0,
    lng: point !== null && point !== "absent" ? point.lng : 0,
    capabilities: checker.tokens("capabilities", raw.capabilities) ?? [],
    hours: checker.hours("hours", raw.hours) ?? [],
  };
  if (!checker.ok) return { valid: null, issues: checker.issues };
  return { valid: { record, exists: context.existing.has(record.code) }, issues: [] };
}

async function writeClinics(
  sql: SqlSession,
  clinics: readonly ValidClinic[],
  onProgress: ProgressListener,
): Promise<void> {
  const upsert = `INSERT INTO clinics (code, name, phone, address, lat, lng, capabilities, hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, phone = excluded.phone, address = excluded.address,
       lat = excluded.lat, lng = excluded.lng, capabilities = excluded.capabilities, hours = excluded.hours`;
  for (const [index, { record }] of clinics.entries()) {
    await sql.run(upsert, [
      record.code,
      record.name,
      record.phone,
      record.address,
      record.lat,
      record.lng,
      JSON.stringify(record.capabilities),
      JSON.stringify(record.hours),
    ]);
    if ((index + 1) % PROGRESS_EVERY === 0) onProgress("writing", index + 1, clinics.length);
  }
  onProgress("writing", clinics.length, clinics.length);
}

export const planClinics: Planner = async (sql, text, format, onProgress) => {
  const { rows, unreadable } = sourceRows(text, format, CLINIC_COLUMNS, CLINIC_REQUIRED, "clinics");
  const context = {
    gazetteer: await gazetteerLookup(sql, addressesWithoutPoint(rows.map((row) => row.raw))),
    existing: await codeToId(sql, "clinics"),
    codesInFile: new Map(),
  };
  const result = checkAll(rows, (row) => checkClinic(row, context), onProgress);
  return planFrom(result, unreadable, {
    exists: (clinic) => clinic.exists,
    write: (session, _stamp, progress, clinics) => writeClinics(session, clinics, progress),
  });
};
