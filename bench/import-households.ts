/**
 * Bulk import speed: a generated district of 100,000 households (with
 * residents, relatives and a new button each) imported from CSV into a fresh
 * hub database on disk, the way `npm run registry -- import` does it: grids and
 * gazetteer first, then a dry run, the real import, and a second import of the
 * same file (every household an update). The goal is under a minute.
 * Run alone with `npx tsx bench/import-households.ts [--households N] [--postgres]`, or via
 * `npm run bench` (SQLite). `--postgres` runs the same on a throwaway PostgreSQL server of its own
 * (Debian's `postgresql`, as `npm run bench -- cluster` uses), the way a county on
 * ANXIN_DATABASE_URL imports.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createLogger } from "../hub/log.ts";
import { exportRegistry } from "../hub/registry/export/run-export.ts";
import type { ImportFormat, ImportKind, ImportReport } from "../hub/registry/import/import-types.ts";
import { importRegistryFile } from "../hub/registry/import/run-import.ts";
import { openDatabase } from "../hub/storage/database.ts";
import { migratePostgres } from "../hub/storage/sql/migrate-postgres.ts";
import { PostgresSql } from "../hub/storage/sql/postgres-sql.ts";
import type { SqlDatabase } from "../hub/storage/sql/sql-port.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { scratchPostgresServer } from "../tests/support/scratch-postgres-server.ts";
import { DISTRICT_100K, generateDistrict, writeDistrictFiles } from "./generate-district.ts";

export type ImportEngine = "sqlite" | "postgres";

export interface ImportFigures {
  engine: ImportEngine;
  households: number;
  residents: number;
  relatives: number;
  csvMegabytes: number;
  generateSeconds: number;
  dryRunSeconds: number;
  importSeconds: number;
  reimportSeconds: number;
  exportSeconds: number;
  householdsPerSecond: number;
}

const seconds = (since: number) => Math.round((performance.now() - since) / 10) / 100;

/** An empty hub database on disk: a SQLite file in `dir`, or a PostgreSQL server of its own. */
async function openEngine(engine: ImportEngine, dir: string): Promise<{ sql: SqlDatabase; close(): Promise<void> }> {
  if (engine === "sqlite") {
    const sql = new SqliteSql(openDatabase(path.join(dir, "anxin.db"), createLogger("silent")));
    return { sql, close: () => sql.close() };
  }
  const server = await scratchPostgresServer();
  const sql = new PostgresSql(server.url, { max: 2 });
  await migratePostgres(sql);
  return {
    sql,
    close: async () => {
      await sql.close();
      server.remove();
    },
  };
}

export async function measureHouseholdImport(
  households = DISTRICT_100K.households,
  engine: ImportEngine = "sqlite",
): Promise<ImportFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-bench-import-"));
  try {
    let started = performance.now();
    const district = generateDistrict({ ...DISTRICT_100K, households });
    const files = writeDistrictFiles(district, dir);
    const generateSeconds = seconds(started);
    const { sql, close } = await openEngine(engine, dir);
    const logger = createLogger("silent");
    const run = async (
      kind: ImportKind,
      file: string,
      format: ImportFormat,
      extra: { dryRun?: boolean; credentials?: string } = {},
    ) => {
      const report: ImportReport = await importRegistryFile(sql, logger, {
        kind,
        format,
        file,
        actor: "bench",
        dryRun: extra.dryRun ?? false,
        ...(extra.credentials ? { credentialsFile: extra.credentials } : {}),
      });
      if (report.rejected > 0) throw new Error(`bench ${kind} import rejected rows: ${report.issues[0]?.reason}`);
      return report;
    };
    try {
      await run("grids", files.grids, "json");
      await run("gazetteer", files.gazetteer, "csv");
      started = performance.now();
      await run("households", files.households, "csv", { dryRun: true });
      const dryRunSeconds = seconds(started);
      started = performance.now();
      await run("households", files.households, "csv", { credentials: path.join(dir, "credentials.json") });
      const importSeconds = seconds(started);
      started = performance.now();
      const again = await run("households", files.households, "csv");
      const reimportSeconds = seconds(started);
      if (again.updated !== households) throw new Error(`re-import updated ${again.updated}, expected ${households}`);
      started = performance.now();
      await exportRegistry(sql, { kind: "households", format: "csv", actor: "bench" });
      const exportSeconds = seconds(started);
      const count = async (table: string) =>
        Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n);
      return {
        engine,
        households: await count("households"),
        residents: await count("residents"),
        relatives: await count("relatives"),
        csvMegabytes: Math.round(fs.statSync(files.households).size / 1e5) / 10,
        generateSeconds,
        dryRunSeconds,
        importSeconds,
        reimportSeconds,
        exportSeconds,
        householdsPerSecond: Math.round(households / importSeconds),
      };
    } finally {
      await close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printImportFigures(figures: ImportFigures): void {
  console.log(
    `\nbulk import on ${figures.engine === "sqlite" ? "SQLite" : "PostgreSQL"}, ${figures.households} households (${figures.residents} residents, ${figures.relatives} relatives, one new button each), CSV ${figures.csvMegabytes} MB:`,
  );
  console.log(`  dry run (read, check, place, no writes)   ${figures.dryRunSeconds} s`);
  console.log(
    `  import (one transaction, durable commit)    ${figures.importSeconds} s   ${figures.householdsPerSecond} households/s   goal < 60 s`,
  );
  console.log(`  same file again (every household updated)  ${figures.reimportSeconds} s`);
  console.log(`  export to CSV                              ${figures.exportSeconds} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      households: { type: "string", default: String(DISTRICT_100K.households) },
      postgres: { type: "boolean", default: false },
    },
  });
  printImportFigures(await measureHouseholdImport(Number(values.households), values.postgres ? "postgres" : "sqlite"));
}
