/**
 * The import report for people: counts, then the rejected rows as a table
 * (line or item, column, code, reason), then what to do next. Chinese text is
 * two terminal cells wide per character, so columns are padded by display
 * width, not by string length.
 */
import type { ImportReport, RowIssue } from "./import/import-types.ts";

/** A terminal screen of problems is readable; the JSON report (--report) has every one. */
export const TABLE_ROWS_MAX = 100;

function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6);
    width += wide ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

function place(issue: RowIssue): string {
  if (issue.line !== null) return String(issue.line);
  if (issue.index !== null) return `#${issue.index}`;
  return "";
}

function column(issue: RowIssue): string {
  if (issue.columnNumber !== null) return `${issue.columnNumber} ${issue.column}`;
  return issue.column || (issue.key ?? "");
}

export function issueTable(issues: readonly RowIssue[], placeHeading: string): string {
  const shown = issues.slice(0, TABLE_ROWS_MAX);
  const rows = [
    [placeHeading, "column", "code", "reason"],
    ...shown.map((i) => [place(i), column(i), i.code, i.reason]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => displayWidth(row[c] ?? ""))));
  const lines = rows.map((row) =>
    row
      .map((cell, c) => (c < 3 ? pad(cell, widths[c] ?? 0) : cell))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, `${widths.map((w) => "-".repeat(w)).join("  ")}  ------`);
  if (issues.length > shown.length) lines.push(`… and ${issues.length - shown.length} more`);
  return `${lines.join("\n")}\n`;
}

export function reportText(report: ImportReport, reportFile: string | null): string {
  const out: string[] = [];
  const placeHeading = report.format === "csv" ? "line" : "item";
  out.push(`${report.file} (${report.kind}, ${report.format}, ${report.mode}): ${report.summary}.`);
  const verb = report.written ? "" : "would be ";
  out.push(
    `  rows ${report.rows} · accepted ${report.accepted} (${report.created} ${verb}new, ${report.updated} ${verb}updated) · rejected ${report.rejected}` +
      (report.devicesCreated > 0
        ? ` · new devices ${report.devicesCreated}${report.written ? "" : " (to provision)"}`
        : "") +
      ` · ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  if (report.issues.length > 0) {
    out.push("", `Rejected rows (${report.rejected}), every problem:`, issueTable(report.issues, placeHeading));
  }
  if (report.warnings.length > 0) {
    out.push(
      `Warnings (${report.warnings.length}): changes beyond the file's own rows:`,
      issueTable(report.warnings, ""),
    );
  }
  if (report.credentialsFile) {
    out.push(
      `Secrets of ${report.devicesCreated} new devices are in ${report.credentialsFile}: the hub keeps only their hashes, so keep this file safe and hand it to the installers.`,
    );
  }
  if (report.rejected > 0 && report.mode === "all-or-nothing" && report.accepted > 0) {
    out.push(
      `Nothing was written. Fix the rows above and run again, or add --allow-partial to import the other ${report.accepted}.`,
    );
  }
  if (reportFile) out.push(`Full report (JSON): ${reportFile}`);
  else if (report.issues.length > TABLE_ROWS_MAX) out.push("Add --report FILE to save every problem as JSON.");
  return `${out.join("\n")}\n`;
}
