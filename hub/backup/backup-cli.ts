/**
 * `npm run backup -- --out FILE`: a consistent copy of the hub's SQLite
 * database, taken while the hub keeps storing alarms, checked before it gets
 * its name (take-backup.ts). The hub's scheduled backups run this same
 * command with `--json` (scheduled-backups.ts). Exit codes: 0 written, 1 the
 * copy failed its checks, 2 usage, file or database error; nothing is left at
 * FILE unless it is 0.
 */
import path from "node:path";
import { parseCommandLine, UsageError } from "../cli-args.ts";
import { isAnxinError } from "../errors.ts";
import { DATABASE_FILE, partialFileOf, removeIfThere } from "./backup-files.ts";
import { backupText } from "./backup-text.ts";
import { CopyProgressBar } from "./copy-progress.ts";
import { BackupRefusal, takeBackup } from "./take-backup.ts";

const HELP = `Anxin backup of the hub's SQLite database (docs/operations.md, "Backup")

  npm run backup -- --out FILE [--data-dir DIR] [--json]

Copies the database while the hub keeps running and storing alarms (SQLite's online backup
API: one consistent snapshot, every alarm stored before it began), checks the copy
(integrity_check, schema version, row counts against the database's) and only then gives it
its name. It never replaces a file, and never writes the hub's database.

options:
  --out FILE       the backup to write; its directory must exist
  --data-dir DIR   the hub's data directory (default: $ANXIN_DATA_DIR or ./data)
  --json           print the report as one JSON object (the hub's scheduled backups read it)
  -h, --help

Scheduled backups: ANXIN_BACKUP_DIR, ANXIN_BACKUP_EVERY_H, ANXIN_BACKUP_KEEP (README).
With ANXIN_DATABASE_URL set the hub keeps its data in PostgreSQL: back that up with pg_dump
(docs/operations.md, "PostgreSQL").

exit codes: 0 written, 1 the copy failed its checks, 2 usage, file or database error
`;

const POSTGRES_REFUSAL = `ANXIN_DATABASE_URL is set: this hub keeps its data in PostgreSQL, not in a SQLite file.
Back it up with pg_dump: docs/operations.md, "PostgreSQL".
`;

const OPTIONS = {
  out: { type: "string" },
  "data-dir": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}": name the file with --out`);
  if (!values.out) throw new UsageError("--out FILE is required: where to write the backup");
  if (process.env.ANXIN_DATABASE_URL) {
    process.stderr.write(POSTGRES_REFUSAL);
    return 2;
  }
  const dataDir = path.resolve(values["data-dir"] ?? (process.env.ANXIN_DATA_DIR || "data"));
  const out = path.resolve(values.out);
  // Interrupted (Ctrl-C, the hub stopping its scheduled backup): no half-written copy is left behind.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      removeIfThere(partialFileOf(out));
      removeIfThere(`${partialFileOf(out)}-journal`);
      process.stderr.write(`\n${signal}: stopped; nothing was written at ${out}\n`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  const progress = values.json ? null : new CopyProgressBar(process.stderr);
  try {
    const report = await takeBackup(path.join(dataDir, DATABASE_FILE), out, {
      ...(progress ? { onProgress: progress.listener } : {}),
    });
    progress?.stop();
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : backupText(report));
    return 0;
  } finally {
    progress?.stop();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) {
    process.stderr.write(`${message}\n\nnpm run backup -- --help for the options\n`);
    process.exitCode = 2;
  } else if (error instanceof BackupRefusal) {
    process.stderr.write(`${message}\nNothing was written.\n`);
    process.exitCode = 2;
  } else if (isAnxinError(error)) {
    process.stderr.write(`${error.code}: ${message}\nNothing was written.\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`backup failed, and nothing was written: ${message}\n`);
    process.exitCode = 2;
  }
}
