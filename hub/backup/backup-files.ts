/**
 * Names and durable moves of the files backup and restore write: the hub's
 * database file in its data directory, the scheduled backups' UTC-stamped
 * names, and the fsyncs that make a rename survive a power cut.
 */
import fs from "node:fs";
import path from "node:path";

/** The hub's SQLite database in its data directory (hub.ts opens the same file). */
export const DATABASE_FILE = "anxin.db";

/** The files that belong to a SQLite database in WAL mode: moved together or not at all. */
export const DATABASE_SIDE_FILES = ["-wal", "-shm"] as const;

/** `20261206T031500Z`: sorts as it reads, and is safe in any file system. */
export function utcStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** The time of a stamp made by `utcStamp`, or null when it is not one. */
export function parseUtcStamp(stamp: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) return null;
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** A scheduled backup's name: `anxin-20261206T031500Z.db`. */
export function scheduledBackupName(at: Date): string {
  return `anxin-${utcStamp(at)}.db`;
}

const SCHEDULED = /^anxin-(\d{8}T\d{6}Z)\.db$/;

/** The scheduled backups in `dir`, newest first (other files are never touched). */
export function listScheduledBackups(dir: string): { file: string; at: Date }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const found: { file: string; at: Date }[] = [];
  for (const name of names) {
    const at = parseUtcStamp(SCHEDULED.exec(name)?.[1] ?? "");
    if (at) found.push({ file: path.join(dir, name), at });
  }
  return found.sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** Where a backup to `out` is written until it has passed its checks: beside it, so the rename stays on one disk. */
export function partialFileOf(out: string, pid = process.pid): string {
  return `${out}.partial-${pid}`;
}

/** Partial files of backups to `dir` that are not running any more (a crash, a power cut). */
export function isPartialBackup(name: string): boolean {
  return /\.partial-\d+(-journal)?$/.test(name);
}

/** Flushes a file's data (or a directory's names) to the disk. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Flushes a directory, so the names just renamed or removed in it survive a power cut. */
export function fsyncDir(dir: string): void {
  fsyncFile(dir);
}

/** Removes a file if it is there. */
export function removeIfThere(file: string): void {
  fs.rmSync(file, { force: true });
}
