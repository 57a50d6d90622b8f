/**
 * `npm run restore -- FILE`: puts a backup in place of the hub's SQLite
 * database, keeping the one it replaces (restore-database.ts). Refuses while a
 * hub uses the data directory. Exit codes: 0 restored, 1 refused (nothing was
 * changed), 2 usage or file system error.
 */
import path from "node:path";
import { parseCommandLine, UsageError } from "../cli-args.ts";
import { isAnxinError } from "../errors.ts";
import { restoreText } from "./backup-text.ts";
import { LATEST_SCHEMA_VERSION, restoreDatabase } from "./restore-database.ts";

const HELP = `Anxin restore of the hub's SQLite database from a backup (docs/operations.md, "Restore")

  npm run restore -- FILE [--data-dir DIR]

Stop the hub first (systemctl stop anxin): restore refuses while a hub uses the data
directory, and a hub does not start there while a restore runs.

It checks FILE (a SQLite database with Anxin's schema, not newer than this Anxin's, that passes
integrity_check), keeps the current database beside it as anxin.db.before-restore-<UTC time>
(with its -wal and -shm), puts a checked copy of FILE in its place, and prints how to undo it.
FILE itself is only read. A backup from an older Anxin is brought up to date by the hub's
migrations when it starts.

options:
  --data-dir DIR   the hub's data directory (default: $ANXIN_DATA_DIR or ./data); made if missing
  -h, --help

With ANXIN_DATABASE_URL set the hub keeps its data in PostgreSQL: restore that with
pg_restore (docs/operations.md, "PostgreSQL").

exit codes: 0 restored, 1 refused (nothing was changed), 2 usage or file system error
`;

const POSTGRES_REFUSAL = `ANXIN_DATABASE_URL is set: this hub keeps its data in PostgreSQL, not in a SQLite file.
Restore it with pg_restore: docs/operations.md, "PostgreSQL".
`;

const OPTIONS = {
  "data-dir": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function main(args: string[]): number {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined) throw new UsageError("name the backup to restore: npm run restore -- FILE");
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (process.env.ANXIN_DATABASE_URL) {
    process.stderr.write(POSTGRES_REFUSAL);
    return 1;
  }
  const dataDir = path.resolve(values["data-dir"] ?? (process.env.ANXIN_DATA_DIR || "data"));
  const report = restoreDatabase(path.resolve(file), dataDir);
  process.stdout.write(restoreText(report, LATEST_SCHEMA_VERSION));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) {
    process.stderr.write(`${message}\n\nnpm run restore -- --help for the options\n`);
    process.exitCode = 2;
  } else if (isAnxinError(error)) {
    const hint = error.code === "DATA_DIR_IN_USE" ? "\nStop the hub first (systemctl stop anxin), then restore." : "";
    process.stderr.write(`${error.code}: ${message}${hint}\nNothing was changed.\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(
      `restore failed: ${message}\nLook at the data directory before starting a hub: anxin.db, and any anxin.db.before-restore-* files\n`,
    );
    process.exitCode = 2;
  }
}
