/**
 * The KPI report as CSV for spreadsheets: one row per day, one per grid and a
 * total row, told apart by `scope`. UTF-8 with a byte-order mark, because Excel
 * otherwise reads the file as the local ANSI code page and garbles Chinese grid
 * names. Rates are percentages with one decimal, times are seconds; an empty
 * cell means "no alarms to compute it from", never zero.
 */
import { FAULT_KINDS, type KpiFigures, STAGES } from "./kpi-aggregate.ts";
import type { KpiReport } from "./kpi-service.ts";

const BOM = "\uFEFF";
const STAGE_COLUMN: Record<(typeof STAGES)[number], string> = {
  ack: "ack",
  accept: "accept",
  onScene: "on_scene",
  resolve: "resolve",
};

export const KPI_CSV_HEADER = [
  "scope",
  "date",
  "grid_id",
  "grid_code",
  "grid_name",
  "alarms",
  "sos",
  "service",
  "test",
  "outcome_real",
  "outcome_false_alarm",
  "outcome_test",
  "outcome_none",
  "ack_within_60s_pct",
  ...STAGES.flatMap((s) => [`${STAGE_COLUMN[s]}_median_s`, `${STAGE_COLUMN[s]}_p90_s`]),
  "closure_rate_pct",
  "follow_up_rate_pct",
  "false_alarm_rate_pct",
  ...FAULT_KINDS.map((k) => `faults_${k}`),
] as const;

type Cell = string | number | null;

function pct(value: number | null): Cell {
  return value === null ? null : (value * 100).toFixed(1);
}

function secs(value: number | null): Cell {
  return value === null ? null : value.toFixed(1);
}

/** Quotes when needed; text that a spreadsheet would run as a formula is defused with a leading apostrophe. */
function text(cell: Cell): string {
  if (cell === null) return "";
  let s = String(cell);
  if (typeof cell === "string" && /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function figureCells(f: KpiFigures): Cell[] {
  return [
    f.alarms,
    f.byKind.sos,
    f.byKind.service,
    f.byKind.test,
    f.byOutcome.real,
    f.byOutcome.false_alarm,
    f.byOutcome.test,
    f.byOutcome.none,
    pct(f.ackWithin60s),
    ...STAGES.flatMap((s) => [secs(f.stages[s].median), secs(f.stages[s].p90)]),
    pct(f.closureRate),
    pct(f.followUpRate),
    pct(f.falseAlarmRate),
    ...FAULT_KINDS.map((k) => f.faults[k]),
  ];
}

export function kpiCsv(report: KpiReport): string {
  // With a grid filter, day and total rows are that grid's; without one they are every grid's.
  const only = report.gridId === null ? null : report.grids.find((g) => g.gridId === report.gridId);
  const scopeGrid: Cell[] = only ? [only.gridId, only.code, only.name] : [null, null, null];
  const period = `${report.from}/${report.to}`;
  const rows: Cell[][] = [
    ...report.days.map((d) => ["day", d.date, ...scopeGrid, ...figureCells(d)]),
    ...report.grids.map((g) => ["grid", period, g.gridId, g.code, g.name, ...figureCells(g)]),
    ["total", period, ...scopeGrid, ...figureCells(report.totals)],
  ];
  const lines = [KPI_CSV_HEADER.join(","), ...rows.map((r) => r.map(text).join(","))];
  return `${BOM}${lines.join("\r\n")}\r\n`;
}
