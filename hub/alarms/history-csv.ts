/**
 * Alarm history as CSV for spreadsheets (the audit log's CSV uses the same
 * writer). UTF-8 with a byte-order mark, because Excel otherwise reads the file
 * in the local ANSI code page and garbles Chinese names; CRLF line ends; times
 * on the wall clock of ANXIN_TIME_ZONE (what the command center reads), the
 * zone named in the file name by the route. Values stay codes (sos, real…) so a
 * sheet can filter on them in either language; only the header is translated.
 * Text that a spreadsheet would run as a formula (a name starting with "=") is
 * defused with a leading apostrophe: these cells come from registry input.
 */
import { stringify } from "csv-stringify/sync";
import type { HistoryRow } from "../../protocol/console/index.ts";

export type CsvLang = "en" | "zh-CN";
type Cell = string | number | null;

/** The most rows one export may hold; above it the route answers EXPORT_TOO_LARGE. */
export const CSV_MAX_ROWS = 50_000;

const COLUMNS: readonly [keyof HistoryRow, string, string][] = [
  ["id", "alarm_id", "警情编号"],
  ["kind", "kind", "类型"],
  ["status", "status", "状态"],
  ["outcome", "outcome", "处理结果"],
  ["receivedAt", "received_at", "接警时间"],
  ["acknowledgedAt", "acknowledged_at", "确认时间"],
  ["onSceneAt", "on_scene_at", "到场时间"],
  ["resolvedAt", "resolved_at", "结案时间"],
  ["cancelledAt", "cancelled_at", "撤销时间"],
  ["residentName", "resident", "居民"],
  ["householdCode", "household_code", "户号"],
  ["householdAddress", "address", "地址"],
  ["gridCode", "grid_code", "网格编号"],
  ["gridName", "grid_name", "网格"],
  ["workerName", "worker", "社区工作人员"],
  ["deviceId", "device_id", "设备编号"],
  ["ackS", "ack_s", "确认用时（秒）"],
  ["arrivalS", "arrival_s", "到场用时（秒）"],
  ["resolutionS", "resolution_s", "结案用时（秒）"],
];
const TIME_COLUMNS = new Set<keyof HistoryRow>([
  "receivedAt",
  "acknowledgedAt",
  "onSceneAt",
  "resolvedAt",
  "cancelledAt",
]);

export function historyCsvHeader(lang: CsvLang): string[] {
  return COLUMNS.map(([, en, zh]) => (lang === "zh-CN" ? zh : en));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-03-01 09:00:00" on the wall clock of `timeZone`. */
export function localDateTime(iso: string, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    // sv-SE formats as "YYYY-MM-DD HH:mm:ss", which spreadsheets read as a date and time.
    format = new Intl.DateTimeFormat("sv-SE", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format.format(new Date(iso));
}

function defuse(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
}

/** Header plus rows as CSV text with the BOM; shared with the audit log export. */
export function csvText(header: readonly string[], rows: readonly Cell[][]): string {
  const body = stringify([[...header], ...rows.map((r) => [...r])], {
    record_delimiter: "windows",
    cast: { number: String, string: defuse },
  });
  return `\uFEFF${body}`;
}

export function historyCsv(rows: readonly HistoryRow[], lang: CsvLang, timeZone: string): string {
  const cells = rows.map((row) =>
    COLUMNS.map(([key]): Cell => {
      const value = row[key];
      if (value === null) return null;
      return TIME_COLUMNS.has(key) ? localDateTime(String(value), timeZone) : value;
    }),
  );
  return csvText(historyCsvHeader(lang), cells);
}
