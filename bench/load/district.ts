/**
 * The bench's district: N households, one button each, imported the way an
 * operator would (`npm run registry -- import`, here through the same
 * function) into a template database before any hub starts. Every scenario
 * copies the template, so each starts from the same registry and no alarms.
 *
 * Every household has one resident with exactly three relatives, so an SOS
 * texts three people when the first wave is three (the SMS fan-out scenario).
 */
import fs from "node:fs";
import path from "node:path";
import { createLogger } from "../../hub/log.ts";
import type { DeviceCredential } from "../../hub/registry/import/import-plan.ts";
import type { ImportFormat, ImportKind } from "../../hub/registry/import/import-types.ts";
import type { HouseholdRecord } from "../../hub/registry/import/record-types.ts";
import { importRegistryFile } from "../../hub/registry/import/run-import.ts";
import { openDatabase } from "../../hub/storage/database.ts";
import { SqliteSql } from "../../hub/storage/sql/sqlite-sql.ts";
import { DISTRICT_100K, generateDistrict, writeDistrictFiles } from "../generate-district.ts";

export const RELATIVES_PER_RESIDENT = 3;

export interface ButtonCredential {
  deviceId: string;
  secret: string;
}

export interface DistrictTemplate {
  /** The template database file (copy it; never open it in a hub). */
  dbFile: string;
  credentials: ButtonCredential[];
  households: number;
  workers: number;
}

/** One resident with exactly three relatives, distinct phone numbers across the district. */
function withThreeRelatives(households: HouseholdRecord[]): HouseholdRecord[] {
  let serial = 0;
  return households.map((household) => {
    const resident = household.residents[0];
    if (!resident) return household;
    const first = resident.relatives[0];
    const relatives = Array.from({ length: RELATIVES_PER_RESIDENT }, (_, i) => {
      serial += 1;
      return {
        name: first?.name ?? "亲属",
        relation: (i === 0 ? first?.relation : undefined) ?? "子女",
        phone: `+86139${String(serial).padStart(8, "0")}`,
        language: first?.language ?? ("zh-CN" as const),
      };
    });
    return { ...household, residents: [{ ...resident, relatives }] };
  });
}

export async function buildDistrictTemplate(dir: string, households: number): Promise<DistrictTemplate> {
  fs.mkdirSync(dir, { recursive: true });
  const size = {
    ...DISTRICT_100K,
    households,
    workers: Math.max(24, Math.round(households / 20)),
    clinics: Math.max(6, Math.round(households / 1700)),
    gridRows: 4,
    gridCols: 4,
  };
  const district = generateDistrict(size);
  district.households = withThreeRelatives(district.households);
  const files = writeDistrictFiles(district, path.join(dir, "files"));
  const dbFile = path.join(dir, "anxin.db");
  const logger = createLogger("silent");
  const db = openDatabase(dbFile, logger);
  const sql = new SqliteSql(db);
  const credentialsFile = path.join(dir, "credentials.json");
  try {
    const run = async (kind: ImportKind, file: string, format: ImportFormat, credentials?: string) => {
      const report = await importRegistryFile(sql, logger, {
        kind,
        format,
        file,
        actor: "load-bench",
        dryRun: false,
        ...(credentials ? { credentialsFile: credentials } : {}),
      });
      if (report.rejected > 0) {
        throw new Error(`load bench: ${kind} import rejected ${report.rejected} rows: ${report.issues[0]?.reason}`);
      }
    };
    await run("grids", files.grids, "json");
    await run("gazetteer", files.gazetteer, "csv");
    await run("workers", files.workers, "csv");
    await run("clinics", files.clinics, "csv");
    await run("households", files.households, "csv", credentialsFile);
    // The copies must be whole without their -wal file.
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  const sheet = JSON.parse(fs.readFileSync(credentialsFile, "utf8")) as { devices: DeviceCredential[] };
  const credentials = sheet.devices
    .map(({ deviceId, secret }) => ({ deviceId, secret }))
    .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  return { dbFile, credentials, households, workers: size.workers };
}

/** A fresh data directory holding a copy of the template database. */
export function freshDataDir(template: DistrictTemplate, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(template.dbFile, path.join(dir, "anxin.db"));
  return dir;
}
