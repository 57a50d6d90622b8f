/** What `npm run backup` and `npm run restore` print: what they wrote, its checks, and its rows as a short table. */
import path from "node:path";
import { COUNTED_TABLES, type TableCounts } from "../storage/sqlite-backup.ts";
import type { RestoreReport } from "./restore-database.ts";
import type { BackupReport } from "./take-backup.ts";

export function countsTable(counts: TableCounts): string[] {
  const rows = COUNTED_TABLES.flatMap((table) => {
    const n = counts[table];
    return n === undefined ? [] : [[table, n.toLocaleString("en-US")] as const];
  });
  const nameWidth = Math.max("table".length, ...rows.map(([table]) => table.length));
  const rowsWidth = Math.max("rows".length, ...rows.map(([, n]) => n.length));
  return [
    `  ${"table".padEnd(nameWidth)}  ${"rows".padStart(rowsWidth)}`,
    ...rows.map(([table, n]) => `  ${table.padEnd(nameWidth)}  ${n.padStart(rowsWidth)}`),
  ];
}

export function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

function durationText(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function backupText(report: BackupReport): string {
  return [
    `backup written: ${report.file}`,
    `  ${sizeText(report.bytes)}, schema version ${report.schemaVersion}, integrity ok, row counts as in the database, ${durationText(report.ms)}`,
    `  a copy of ${report.source} as it was at ${report.snapshotAt}: every alarm stored before then is in it`,
    "",
    ...countsTable(report.counts),
    "",
    `restore it with: npm run restore -- ${report.file}`,
    "",
  ].join("\n");
}

export function restoreText(report: RestoreReport, latestSchemaVersion: number): string {
  const dataDir = path.dirname(report.database);
  const upgrade =
    report.schemaVersion < latestSchemaVersion
      ? `the hub brings it from schema ${report.schemaVersion} up to ${latestSchemaVersion} when it starts (migrations)`
      : `schema version ${report.schemaVersion}, as this Anxin's`;
  const lines = [
    `restored ${report.backup}`,
    `  into ${report.database}: integrity ok; ${upgrade}`,
    "",
    ...countsTable(report.counts),
    "",
  ];
  if (report.setAside.length === 0) {
    lines.push(`there was no database in ${dataDir} before: nothing was set aside`);
  } else {
    lines.push(
      "the database it replaced is kept, renamed:",
      ...report.setAside.map(({ from, to }) => `  ${from} -> ${to}`),
      "",
      "to undo the restore, with the hub stopped, put it back:",
      ...report.setAside.map(({ from, to }) => `  mv ${to} ${from}`),
      "(once a hub has run on the restored database, first move anxin.db, anxin.db-wal and anxin.db-shm away)",
    );
  }
  lines.push(
    "",
    "alarms stored after the backup was taken are not in it. Start the hub now: systemctl start anxin, or npm start",
    "",
  );
  return lines.join("\n");
}
