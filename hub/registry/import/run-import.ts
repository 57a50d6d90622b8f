/**
 * Bulk import of one file: read, check and place every row, then decide.
 * - dry run: write nothing, report what would happen;
 * - all-or-nothing (the default): one rejected row and nothing is written;
 * - partial: write the accepted rows, report the rejected ones.
 * Writing is one transaction (with its audit row), so an import that is killed
 * half way leaves the database exactly as it was. Checking happens before the
 * transaction, so the hub's own writes wait only for the writing. Either engine
 * (the storage port): the hub's SQLite file or its PostgreSQL.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { nowIso } from "../../storage/database.ts";
import type { SqlDatabase } from "../../storage/sql/sql-port.ts";
import { planClinics } from "./clinic-import.ts";
import {
  abandonCredentials,
  checkCredentialsTarget,
  commitCredentials,
  writePendingCredentials,
} from "./device-credentials.ts";
import { planGazetteer } from "./gazetteer-import.ts";
import { planGrids } from "./grid-import.ts";
import { planHouseholds } from "./household-import.ts";
import { ImportFileError } from "./import-errors.ts";
import type { ImportPlan, Planner } from "./import-plan.ts";
import {
  formatsOf,
  type ImportKind,
  type ImportMode,
  type ImportOptions,
  type ImportReport,
  ROW_NOUNS,
} from "./import-types.ts";
import { planRoads } from "./road-import.ts";
import { readTextFile } from "./source-records.ts";
import { planWorkers } from "./worker-import.ts";

const PLANNERS: Record<ImportKind, Planner> = {
  households: planHouseholds,
  workers: planWorkers,
  clinics: planClinics,
  grids: planGrids,
  gazetteer: planGazetteer,
  roads: planRoads,
};

/** Enough log lines to find the pattern; the report holds every one. */
const LOGGED_ISSUES_MAX = 200;

export async function importRegistryFile(
  sql: SqlDatabase,
  logger: Logger,
  options: ImportOptions,
): Promise<ImportReport> {
  const started = performance.now();
  const { kind, format } = options;
  if (!formatsOf(kind).includes(format)) {
    throw new ImportFileError(
      "FORMAT_UNSUPPORTED",
      `${kind} are imported as ${formatsOf(kind).join(" or ")}, not ${format}`,
    );
  }
  const onProgress = options.onProgress ?? (() => {});
  const plan = await PLANNERS[kind](sql, readTextFile(options.file), format, onProgress);
  const mode: ImportMode = options.dryRun ? "dry-run" : options.allowPartial ? "partial" : "all-or-nothing";
  const file = path.basename(options.file);
  logRejections(logger, kind, file, plan);

  // Broken quoting can swallow the lines after it unseen, so not even a partial import trusts such a file.
  const unreadable = plan.issues.find((issue) => issue.code === "CSV_SYNTAX");
  const write = mode !== "dry-run" && plan.accepted > 0 && !unreadable && (plan.rejected === 0 || mode === "partial");
  const written = write ? await writeInOneTransaction(sql, plan, options, { file, mode }) : null;
  const devicesCreated = written?.devicesCreated ?? 0;
  const credentialsFile = written?.credentialsFile ?? null;
  const report: ImportReport = {
    kind,
    format,
    file,
    mode,
    rows: plan.rows,
    accepted: plan.accepted,
    rejected: plan.rejected,
    created: plan.created,
    updated: plan.updated,
    devicesCreated: write ? devicesCreated : plan.devicesToCreate,
    written: write,
    credentialsFile,
    issues: plan.issues,
    warnings: plan.warnings,
    summary:
      unreadable && mode === "partial"
        ? `the CSV cannot be read from line ${unreadable.line} on, so nothing was written, not even the good rows`
        : summarise(kind, mode, plan, write),
    durationMs: Math.round(performance.now() - started),
  };
  logger.info(
    {
      code: "REGISTRY_IMPORTED",
      kind,
      file,
      mode,
      rows: report.rows,
      created: report.created,
      updated: report.updated,
      rejected: report.rejected,
      written: write,
      durationMs: report.durationMs,
    },
    report.summary,
  );
  return report;
}

/**
 * The accepted rows and the audit row in one transaction (on SQLite the write
 * lock is taken up front, so the hub's writers queue behind it rather than
 * failing half way); new device secrets are saved before the commit and made
 * final after it.
 */
async function writeInOneTransaction(
  sql: SqlDatabase,
  plan: ImportPlan,
  options: ImportOptions,
  about: { file: string; mode: ImportMode },
): Promise<{ devicesCreated: number; credentialsFile: string | null }> {
  const target =
    plan.devicesToCreate > 0 ? checkCredentialsTarget(options.credentialsFile, plan.devicesToCreate) : null;
  let devicesCreated = 0;
  try {
    await sql.transaction(async (session) => {
      const now = nowIso();
      const credentials = await plan.write(session, { now, actor: options.actor }, options.onProgress ?? (() => {}));
      if (target && credentials.length > 0) writePendingCredentials(target, credentials);
      devicesCreated = credentials.length;
      const { rows, created, updated, rejected } = plan;
      await session.run(
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, 'registry_imported', ?, ?)",
        [
          now,
          options.actor,
          options.kind,
          JSON.stringify({ ...about, format: options.format, rows, created, updated, rejected, devicesCreated }),
        ],
      );
    });
  } catch (error) {
    if (target) abandonCredentials(target);
    throw error;
  }
  if (!target || devicesCreated === 0) return { devicesCreated, credentialsFile: null };
  commitCredentials(target);
  return { devicesCreated, credentialsFile: target };
}

function logRejections(logger: Logger, kind: ImportKind, file: string, plan: ImportPlan): void {
  for (const issue of plan.issues.slice(0, LOGGED_ISSUES_MAX)) {
    logger.warn(
      { ...issue, code: "IMPORT_ROW_REJECTED", issueCode: issue.code, kind, file },
      `import row rejected: ${issue.reason}`,
    );
  }
  if (plan.issues.length > LOGGED_ISSUES_MAX) {
    logger.warn(
      { code: "IMPORT_ROW_REJECTED", kind, file, notLogged: plan.issues.length - LOGGED_ISSUES_MAX },
      "more rejected rows than are logged; the import report lists every one",
    );
  }
}

function summarise(kind: ImportKind, mode: ImportMode, plan: ImportPlan, written: boolean): string {
  const noun = ROW_NOUNS[kind];
  const counts = `${plan.created} new, ${plan.updated} updated`;
  const rejected = plan.rejected === 0 ? "none rejected" : `${plan.rejected} rejected`;
  if (plan.rows === 0) return `the file has no ${noun}; nothing to do`;
  if (mode === "dry-run") {
    return `dry run: ${plan.rows} ${noun} checked; ${plan.accepted} would be imported (${counts}), ${rejected}; nothing was written`;
  }
  if (written) return `${plan.accepted} of ${plan.rows} ${noun} imported (${counts}), ${rejected}`;
  if (plan.accepted === 0) return `all ${plan.rows} ${noun} rejected; nothing was written`;
  return `${plan.rejected} of ${plan.rows} ${noun} rejected, so nothing was written (all or nothing); the other ${plan.accepted} can go in once those are fixed`;
}
