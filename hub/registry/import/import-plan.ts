/**
 * What each kind's importer hands the runner: the checked rows, every problem,
 * the counts, and how to write the accepted rows (inside the runner's single
 * transaction). Keeping the kinds behind one shape keeps the modes, the
 * transaction, the audit and the report in one place.
 */
import type { SqlSession } from "../../storage/sql/sql-port.ts";
import type { ImportFormat, ProgressListener, RowIssue } from "./import-types.ts";

/** A provisioned button's secret, saved once to the credentials file; the database keeps only its hash. */
export interface DeviceCredential {
  deviceId: string;
  secret: string;
  household: string;
  address: string;
  resident: string;
}

/** When and by whom the rows are written, for created_at columns and consent records. */
export interface WriteStamp {
  now: string;
  actor: string;
}

export interface ImportPlan {
  rows: number;
  accepted: number;
  rejected: number;
  issues: RowIssue[];
  /** Among the accepted rows: new codes, and codes already in the registry. */
  created: number;
  updated: number;
  devicesToCreate: number;
  /** What writing would change beyond the file's own rows (a dry run reports them too). */
  warnings: RowIssue[];
  /** Writes the accepted rows and returns new device secrets; called inside the import's transaction, never for a dry run. */
  write(sql: SqlSession, stamp: WriteStamp, onProgress: ProgressListener): Promise<DeviceCredential[]>;
}

/** Reads what the checks need of the registry (before the import's transaction), then checks every row. */
export type Planner = (
  sql: SqlSession,
  text: string,
  format: ImportFormat,
  onProgress: ProgressListener,
) => Promise<ImportPlan>;

/** How often (in rows) progress is reported: often enough for a smooth bar, rarely enough to cost nothing. */
export const PROGRESS_EVERY = 500;

/**
 * Runs `check` over every source row with progress, collecting issues and
 * accepted rows in file order.
 */
export function checkAll<S, V>(
  sources: readonly S[],
  check: (source: S) => { valid: V | null; issues: RowIssue[] },
  onProgress: ProgressListener,
): { accepted: V[]; issues: RowIssue[]; rejected: number } {
  const accepted: V[] = [];
  const issues: RowIssue[] = [];
  let rejected = 0;
  sources.forEach((source, index) => {
    const result = check(source);
    if (result.valid !== null && result.issues.length === 0) accepted.push(result.valid);
    else {
      rejected += 1;
      issues.push(...result.issues);
    }
    if ((index + 1) % PROGRESS_EVERY === 0) onProgress("validating", index + 1, sources.length);
  });
  onProgress("validating", sources.length, sources.length);
  return { accepted, issues, rejected };
}

/**
 * The plan of a kind from its checked rows: rows the CSV parser could not read
 * count as rejected too, and `exists` tells an update from a creation.
 */
export function planFrom<V>(
  result: { accepted: V[]; issues: RowIssue[]; rejected: number },
  unreadable: readonly RowIssue[],
  parts: {
    exists: (row: V) => boolean;
    devicesToCreate?: number;
    warnings?: RowIssue[];
    /** Writes `accepted`; a kind that provisions devices adds their secrets to `credentials`. */
    write: (
      sql: SqlSession,
      stamp: WriteStamp,
      onProgress: ProgressListener,
      accepted: readonly V[],
      credentials: DeviceCredential[],
    ) => Promise<void>;
  },
): ImportPlan {
  const issues = unreadable.length === 0 ? result.issues : [...unreadable, ...result.issues].sort(byPlace);
  const updated = result.accepted.filter(parts.exists).length;
  return {
    rows: result.accepted.length + result.rejected + unreadable.length,
    accepted: result.accepted.length,
    rejected: result.rejected + unreadable.length,
    issues,
    created: result.accepted.length - updated,
    updated,
    devicesToCreate: parts.devicesToCreate ?? 0,
    warnings: parts.warnings ?? [],
    write: async (sql, stamp, onProgress) => {
      const credentials: DeviceCredential[] = [];
      await parts.write(sql, stamp, onProgress, result.accepted, credentials);
      return credentials;
    },
  };
}

function byPlace(a: RowIssue, b: RowIssue): number {
  return (a.line ?? a.index ?? 0) - (b.line ?? b.index ?? 0);
}
