/**
 * `npm run registry -- <command>`: bulk import and export of the registry,
 * straight on the hub's database: PostgreSQL when ANXIN_DATABASE_URL is set,
 * else its SQLite file (cli-database.ts). Safe while the hub runs: one
 * transaction per import, SQLite's WAL and busy timeout, and the
 * registry_version triggers that make the hubs reload workers and clinics.
 * Exit codes: 0 ok, 1 rows rejected, 2 usage, file or database errors. See
 * docs/registry-import.md.
 */

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseCommandLine, UsageError } from "../cli-args.ts";
import { type CliDatabase, DatabaseChoiceError, openCliDatabase } from "../cli-database.ts";
import { createLogger } from "../log.ts";
import { ImportProgress } from "./cli-progress.ts";
import { reportText } from "./cli-report.ts";
import { exportRegistry } from "./export/run-export.ts";
import { isImportFileError } from "./import/import-errors.ts";
import {
  IMPORT_KINDS,
  type ImportFormat,
  type ImportKind,
  isGeoJsonKind,
  isImportKind,
  ROW_NOUNS,
} from "./import/import-types.ts";
import { importRegistryFile } from "./import/run-import.ts";

const HELP = `Anxin registry import and export (docs/registry-import.md)

  npm run registry -- import <kind> <file> [options]
  npm run registry -- export <kind> [options]

kinds: ${IMPORT_KINDS.join(", ")} (bring in a district in that order: gazetteer, grids, then the rest)

import options:
  --format csv|json        default: from the file's extension (grids, roads: GeoJSON, always json)
  --dry-run                check and place every row, write nothing, report what would happen
  --allow-partial          write the good rows even if others are rejected (default: all or nothing)
  --credentials-out FILE   where secrets of newly provisioned devices go
                           (default: <data dir>/device-credentials-<time>.json)
  --report FILE            also save the full report, every rejected row, as JSON

export options:
  --format csv|json        default: from --out's extension, else csv (grids, roads: GeoJSON)
  --out FILE               default: standard output

common options:
  --data-dir DIR           the hub's data directory (default: $ANXIN_DATA_DIR or ./data)
                           the SQLite file is there; with ANXIN_DATABASE_URL set, the tool works
                           on that PostgreSQL database instead, as the hub does
  --log-level LEVEL        log lines on stderr (default: error; warn shows each rejected row)
  -h, --help

exit codes: 0 done, 1 rows rejected (nothing written unless --allow-partial), 2 usage, file or database error
`;

const OPTIONS = {
  format: { type: "string" },
  "dry-run": { type: "boolean" },
  "allow-partial": { type: "boolean" },
  "credentials-out": { type: "string" },
  report: { type: "string" },
  out: { type: "string" },
  "data-dir": { type: "string" },
  "log-level": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}

function formatFor(kind: ImportKind, given: string | undefined, file: string | undefined): ImportFormat {
  if (isGeoJsonKind(kind)) {
    if (given && !["json", "geojson"].includes(given)) throw new UsageError(`${kind} are GeoJSON: --format json`);
    return "json";
  }
  const chosen =
    given ?? (file && /\.(geo)?json$/i.test(file) ? "json" : file && /\.csv$/i.test(file) ? "csv" : undefined);
  if (chosen === "csv" || chosen === "json") return chosen;
  if (chosen === undefined && file === undefined) return "csv";
  throw new UsageError(
    given
      ? `unknown --format "${given}": csv or json`
      : `cannot tell the format of ${file}: add --format csv or --format json`,
  );
}

function kindOf(value: string | undefined): ImportKind {
  if (value && isImportKind(value)) return value;
  throw new UsageError(`${value ? `unknown kind "${value}"` : "name a kind"}: ${IMPORT_KINDS.join(", ")}`);
}

/**
 * Import may create the database: a district can be brought in before the hub's
 * first start. Export never does: a missing database means a wrong --data-dir
 * or ANXIN_DATABASE_URL.
 */
async function openHubDatabase(dataDir: string, logLevel: string, mayCreate: boolean): Promise<CliDatabase> {
  const opened = await openCliDatabase({
    dataDir,
    databaseUrl: process.env.ANXIN_DATABASE_URL || null,
    mayCreate,
    missingHint:
      "point --data-dir or ANXIN_DATA_DIR at the hub's data directory, or ANXIN_DATABASE_URL at its PostgreSQL",
    logger: createLogger(logLevel, process.stderr),
  });
  if (opened.created) process.stderr.write(`no hub database in ${opened.where} yet: created it\n`);
  return opened;
}

async function runImport(positionals: string[], values: Values, dataDir: string, logLevel: string): Promise<number> {
  const [, kindName, file] = positionals;
  const kind = kindOf(kindName);
  if (!file) throw new UsageError(`name the file to import: npm run registry -- import ${kind} <file>`);
  const format = formatFor(kind, values.format, file);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const credentialsFile = values["credentials-out"] ?? path.join(dataDir, `device-credentials-${stamp}.json`);
  const progress = new ImportProgress(process.stderr, ROW_NOUNS[kind]);
  process.stderr.write(`reading ${file}…\n`);
  const db = await openHubDatabase(dataDir, logLevel, true);
  try {
    const report = await importRegistryFile(db.sql, createLogger(logLevel, process.stderr), {
      kind,
      format,
      file,
      dryRun: values["dry-run"] ?? false,
      allowPartial: values["allow-partial"] ?? false,
      actor: `cli:${osUser()}`,
      credentialsFile,
      onProgress: progress.listener,
    });
    progress.stop();
    if (values.report) fs.writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(reportText(report, values.report ?? null));
    return report.rejected > 0 ? 1 : 0;
  } finally {
    progress.stop();
    await db.sql.close();
  }
}

async function runExport(positionals: string[], values: Values, dataDir: string, logLevel: string): Promise<number> {
  const kind = kindOf(positionals[1]);
  const format = formatFor(kind, values.format, values.out);
  const db = await openHubDatabase(dataDir, logLevel, false);
  try {
    const result = await exportRegistry(db.sql, { kind, format, actor: `cli:${osUser()}` });
    if (values.out) {
      fs.writeFileSync(values.out, result.text, { mode: kind === "households" ? 0o600 : 0o644 });
      process.stderr.write(`exported ${result.rows} ${kind} to ${values.out}\n`);
    } else process.stdout.write(result.text);
    return 0;
  } finally {
    await db.sql.close();
  }
}

type Values = ReturnType<typeof parseCommandLine<typeof OPTIONS>>["values"];

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const dataDir = values["data-dir"] ?? (process.env.ANXIN_DATA_DIR || "data");
  const logLevel = values["log-level"] ?? "error";
  if (positionals[0] === "import") return runImport(positionals, values, dataDir, logLevel);
  if (positionals[0] === "export") return runExport(positionals, values, dataDir, logLevel);
  throw new UsageError(`unknown command "${positionals[0]}": import or export`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError || error instanceof DatabaseChoiceError)
    process.stderr.write(`${message}\n\nnpm run registry -- --help for the commands\n`);
  else if (isImportFileError(error)) process.stderr.write(`${error.code}: ${message}\nNothing was written.\n`);
  else process.stderr.write(`failed, and nothing was changed: ${message}\n`);
  process.exitCode = 2;
}
