/**
 * Puts a backup in place of the hub's SQLite database. Nothing is lost by it:
 * the database it replaces is kept beside it under a stamped name, and the
 * report says how to put it back.
 *
 * Under the data directory's lock (storage/data-dir-lock.ts), so never while a
 * hub runs there, and no hub starts there until it is done:
 *
 * 1. the backup must be one self-contained SQLite file (no -wal beside it:
 *    that is a live database, which may miss its latest writes);
 * 2. it is copied into the data directory as `anxin.db.restoring`, and that
 *    copy is checked (an Anxin schema, not newer than this code's migrations,
 *    integrity_check): the bytes checked are the bytes put in place, and the
 *    backup itself is never written;
 * 3. `anxin.db` and its -wal and -shm are renamed to
 *    `anxin.db.before-restore-<UTC time>` (and -wal, -shm): a set SQLite
 *    still opens as one database;
 * 4. the checked copy is renamed to `anxin.db`, and the directory flushed.
 */
import fs from "node:fs";
import path from "node:path";
import { AnxinError } from "../errors.ts";
import { DataDirLock, giveToDirectoryOwner } from "../storage/data-dir-lock.ts";
import { MIGRATIONS } from "../storage/migrations/index.ts";
import { looksLikeSqlite, settleAndInspect, type TableCounts } from "../storage/sqlite-backup.ts";
import { DATABASE_FILE, DATABASE_SIDE_FILES, fsyncDir, fsyncFile, removeIfThere, utcStamp } from "./backup-files.ts";

/** The newest schema this code knows: a backup from a newer Anxin cannot be opened by it. */
export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

export interface RestoreReport {
  backup: string;
  /** The database file now in place. */
  database: string;
  schemaVersion: number;
  counts: TableCounts;
  /** The files of the database replaced, as renamed (empty when there was none). */
  setAside: { from: string; to: string }[];
}

function invalid(message: string): AnxinError {
  return new AnxinError("BACKUP_INVALID", message);
}

export function restoreDatabase(backup: string, dataDir: string, now: Date = new Date()): RestoreReport {
  const lock = new DataDirLock(dataDir, "restore");
  lock.acquire();
  try {
    checkBackupFile(backup);
    const database = path.join(dataDir, DATABASE_FILE);
    const incoming = `${database}.restoring`;
    // Ours alone (we hold the lock): one left by an interrupted restore is stale.
    removeIfThere(incoming);
    try {
      fs.copyFileSync(backup, incoming);
      // It holds residents' health data; and a root shell's restore must leave a file the service's user can write.
      fs.chmodSync(incoming, 0o600);
      giveToDirectoryOwner(incoming, dataDir);
      const checked = checkCopy(incoming, backup);
      fsyncFile(incoming);
      const setAside = setAsideDatabase(database, utcStamp(now));
      fs.renameSync(incoming, database);
      fsyncDir(dataDir);
      return { backup, database, schemaVersion: checked.version, counts: checked.counts, setAside };
    } finally {
      removeIfThere(incoming);
      removeIfThere(`${incoming}-journal`);
    }
  } finally {
    lock.release();
  }
}

function checkBackupFile(backup: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(backup);
  } catch {
    throw invalid(`no file ${backup}`);
  }
  if (!stat.isFile()) throw invalid(`${backup} is not a file`);
  const header = Buffer.alloc(16);
  const fd = fs.openSync(backup, "r");
  try {
    fs.readSync(fd, header, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!looksLikeSqlite(header)) throw invalid(`${backup} is not a SQLite database`);
  if (fs.existsSync(`${backup}-wal`)) {
    throw invalid(
      `${backup}-wal is beside it: that is a database in use, whose latest writes may be only in that file, not a backup; take one with npm run backup`,
    );
  }
}

/** Checks the copy about to be put in place; `backup` only names it in messages. */
function checkCopy(copy: string, backup: string): { version: number; counts: TableCounts } {
  let facts: ReturnType<typeof settleAndInspect>;
  try {
    facts = settleAndInspect(copy);
  } catch (error) {
    throw invalid(`${backup} cannot be read as a SQLite database: ${error instanceof Error ? error.message : error}`);
  }
  if (!facts.anxinTables) throw invalid(`${backup} is a SQLite database, but not Anxin's (no alarms, devices, users)`);
  if (facts.schemaVersion > LATEST_SCHEMA_VERSION) {
    throw invalid(
      `${backup} has schema version ${facts.schemaVersion}, made by a newer Anxin than this one (which knows up to ${LATEST_SCHEMA_VERSION}): restore it with a newer Anxin`,
    );
  }
  if (facts.integrity.join() !== "ok") {
    throw invalid(`${backup} is damaged: integrity_check says ${facts.integrity.slice(0, 5).join("; ")}`);
  }
  return { version: facts.schemaVersion, counts: facts.counts };
}

/** Renames the database and its side files (those there are) to `<name>.before-restore-<stamp>…`. */
function setAsideDatabase(database: string, stamp: string): { from: string; to: string }[] {
  const moved: { from: string; to: string }[] = [];
  const aside = `${database}.before-restore-${stamp}`;
  // The side files first: a crash between two renames must never leave an old -wal beside no database, where
  // the next open would create a fresh file and could replay that log into it.
  for (const suffix of [...DATABASE_SIDE_FILES, ""]) {
    const from = `${database}${suffix}`;
    if (!fs.existsSync(from)) continue;
    const to = `${aside}${suffix}`;
    if (fs.existsSync(to)) throw new Error(`${to} already exists: nothing was changed`);
    moved.push({ from, to });
  }
  for (const { from, to } of moved) fs.renameSync(from, to);
  return moved;
}
