/**
 * One backup of the hub's SQLite database: a snapshot copied while the hub
 * keeps storing alarms (storage/sqlite-backup.ts), checked, and only then given
 * its name. `npm run backup` and the hub's scheduled backups both take it here.
 *
 * The copy is written to `<out>.partial-<pid>` beside `out`, then made one
 * self-contained file, checked (integrity_check; the schema version and the
 * row counts of the snapshot it was copied from), flushed, and renamed to
 * `out`: a file at `out` is always a whole, checked backup. A backup never
 * replaces a file that is already there.
 */
import fs from "node:fs";
import path from "node:path";
import { AnxinError } from "../errors.ts";
import { type CopyProgress, copySnapshot, settleAndInspect, type TableCounts } from "../storage/sqlite-backup.ts";
import { fsyncDir, fsyncFile, partialFileOf, removeIfThere } from "./backup-files.ts";

export interface BackupReport {
  /** The backup written. */
  file: string;
  /** The database it copies. */
  source: string;
  bytes: number;
  schemaVersion: number;
  counts: TableCounts;
  /** When its snapshot began: every alarm stored before then is in it. */
  snapshotAt: string;
  ms: number;
}

export interface BackupOptions {
  onProgress?: (progress: CopyProgress) => void;
  /** Pages per step (storage/sqlite-backup.ts's default unless a test wants many steps). */
  pagesPerStep?: number;
}

/** Thrown when `out` is taken or the database is missing: nothing was written. */
export class BackupRefusal extends Error {}

export async function takeBackup(source: string, out: string, options: BackupOptions = {}): Promise<BackupReport> {
  const started = performance.now();
  if (!fs.existsSync(source)) throw new BackupRefusal(`no hub database at ${source}`);
  if (fs.existsSync(out)) throw new BackupRefusal(`${out} already exists: a backup never replaces a file`);
  if (!fs.existsSync(path.dirname(out))) throw new BackupRefusal(`no directory ${path.dirname(out)}`);
  const partial = partialFileOf(out);
  removeIfThere(partial);
  try {
    const snapshotAt = new Date().toISOString();
    const copied = await copySnapshot(source, partial, {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.pagesPerStep === undefined ? {} : { pagesPerStep: options.pagesPerStep }),
    });
    const facts = settleAndInspect(partial);
    const problems = [
      ...(facts.integrity.join() === "ok" ? [] : [`integrity_check: ${facts.integrity.slice(0, 5).join("; ")}`]),
      ...(facts.schemaVersion === copied.schemaVersion
        ? []
        : [`schema version ${facts.schemaVersion}, the database's was ${copied.schemaVersion}`]),
      ...Object.entries(copied.counts)
        .filter(([table, rows]) => facts.counts[table as keyof TableCounts] !== rows)
        .map(([table, rows]) => `${table}: ${facts.counts[table as keyof TableCounts]} rows, the database had ${rows}`),
    ];
    if (problems.length > 0) {
      throw new AnxinError("BACKUP_FAILED", `the copy did not pass its checks: ${problems.join(", ")}`, { problems });
    }
    // It holds residents' health data: the service's user alone may read it.
    fs.chmodSync(partial, 0o600);
    fsyncFile(partial);
    if (fs.existsSync(out)) throw new BackupRefusal(`${out} appeared while the backup ran: not replaced`);
    fs.renameSync(partial, out);
    fsyncDir(path.dirname(out));
    return {
      file: out,
      source,
      bytes: fs.statSync(out).size,
      schemaVersion: facts.schemaVersion,
      counts: facts.counts,
      snapshotAt,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    removeIfThere(partial);
    removeIfThere(`${partial}-journal`);
  }
}
