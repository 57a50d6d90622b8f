/**
 * A consistent copy of the hub's SQLite database while the hub keeps writing
 * to it, and what a copy holds. The backup and restore tools (hub/backup/)
 * build on these two.
 *
 * The copy goes through SQLite's online backup API, a few thousand pages per
 * step with a turn of the event loop between steps (a progress bar redraws).
 * The source connection holds one read transaction across all the steps: in
 * WAL mode the hub's commits go on beside it, and every step reads the same
 * snapshot. Without it, SQLite restarts a backup from its first page whenever
 * another connection commits, and under a steady stream of presses a large
 * database never finished copying (a 330 MB file written to 20 times a
 * millisecond did not finish in a minute; with the snapshot, 0.7 s). The copy is
 * therefore the database as it was when the read began: every alarm acked
 * before that is in it.
 */
import Database from "better-sqlite3";

/** The tables a backup and a restore count, and print, in this order: people first, then what happened. */
export const COUNTED_TABLES = [
  "households",
  "residents",
  "relatives",
  "devices",
  "workers",
  "clinics",
  "users",
  "alarms",
  "alarm_events",
  "presses",
  "outbox",
  "audit_log",
] as const;

/** Rows per counted table; a table the database does not have (an old schema) is left out. */
export type TableCounts = Partial<Record<(typeof COUNTED_TABLES)[number], number>>;

export interface CopyProgress {
  totalPages: number;
  remainingPages: number;
}

export interface SnapshotCopy {
  /** `PRAGMA user_version` of the snapshot copied. */
  schemaVersion: number;
  /** The counts of the snapshot copied, read in the same read transaction. */
  counts: TableCounts;
  pages: number;
}

export interface CopyOptions {
  /** Pages per step of the backup (default 4096: 16 MB of 4 KB pages). */
  pagesPerStep?: number;
  onProgress?: (progress: CopyProgress) => void;
}

const DEFAULT_PAGES_PER_STEP = 4096;

/**
 * Copies the database file `source` into the new file `dest`, as one snapshot (above). Opens `source`
 * read-only: this never writes the hub's database. Resolves with the snapshot's schema version and counts,
 * which the copy must match.
 */
export async function copySnapshot(source: string, dest: string, options: CopyOptions = {}): Promise<SnapshotCopy> {
  const pagesPerStep = options.pagesPerStep ?? DEFAULT_PAGES_PER_STEP;
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    // A hub checkpointing its WAL holds a lock for a moment; wait for it rather than fail.
    db.pragma("busy_timeout = 5000");
    db.exec("BEGIN");
    // The first read starts the snapshot that every step of the backup reads.
    const facts = { schemaVersion: schemaVersionOf(db), counts: countRows(db) };
    const done = await db.backup(dest, {
      progress: (progress) => {
        options.onProgress?.(progress);
        return pagesPerStep;
      },
    });
    db.exec("COMMIT");
    options.onProgress?.({ totalPages: done.totalPages, remainingPages: 0 });
    return { ...facts, pages: done.totalPages };
  } finally {
    db.close();
  }
}

/** What a database file holds, as a backup's checks and a restore's read it. */
export interface DatabaseFacts {
  schemaVersion: number;
  /** `ok`, or SQLite's list of problems (integrity_check). */
  integrity: string[];
  counts: TableCounts;
  /** Whether it has the tables every Anxin schema has had since version 1. */
  anxinTables: boolean;
}

/** The tables of migration 1 that every later schema still has. */
const ANXIN_TABLES = ["alarms", "devices", "households", "users"] as const;

/**
 * Opens the file, makes it one self-contained file (rollback journal, so no -wal or -shm belongs with
 * it; the hub switches it back to WAL when it opens it), and reads its facts. The file must be one this
 * process may change: a backup's or a restore's own copy, never the hub's database.
 */
export function settleAndInspect(file: string): DatabaseFacts {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    const integrity = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check);
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    return {
      schemaVersion: schemaVersionOf(db),
      integrity,
      counts: countRows(db),
      anxinTables: ANXIN_TABLES.every((name) => tables.has(name)),
    };
  } finally {
    db.close();
  }
}

/** Whether the file starts as every SQLite database does (an empty file is one too, with nothing in it). */
export function looksLikeSqlite(header: Buffer): boolean {
  return header.subarray(0, 16).toString("latin1") === "SQLite format 3\u0000";
}

function schemaVersionOf(db: Database.Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

function countRows(db: Database.Database): TableCounts {
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
  );
  const counts: TableCounts = {};
  for (const table of COUNTED_TABLES) {
    if (!present.has(table)) continue;
    counts[table] = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
  return counts;
}
