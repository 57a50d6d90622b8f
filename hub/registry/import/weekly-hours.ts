/**
 * Weekly opening hours (clinics) and shift schedules (workers), stored as JSON
 * `[{"days":[1..7],"open":"HH:MM","close":"HH:MM"}]` (migration 2): Monday is
 * 1, a close earlier than the open runs past midnight, "24:00" closes at the end
 * of the day. In CSV they are written compactly, because a spreadsheet cell of
 * JSON is miserable to edit:
 *
 *   24h                                  every day, round the clock
 *   Mon-Sun 08:00-17:30
 *   Mon-Fri 08:00-17:30; Sat,Sun 09:00-12:00
 *   Mon-Fri 20:00-08:00                  overnight
 *   Sat 24h                              all of Saturday
 *   08:00-17:30                          no days: every day
 *   (empty)                              no hours known
 */

export interface WeeklySpan {
  days: number[];
  open: string;
  close: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function dayNumber(name: string): number | null {
  const index = DAY_NAMES.findIndex((day) => day.toLowerCase() === name.trim().toLowerCase());
  return index < 0 ? null : index + 1;
}

function parseDays(text: string): Parsed<number[]> {
  const days = new Set<number>();
  for (const part of text.split(",")) {
    const [from, to, extra] = part.split("-");
    const first = dayNumber(from ?? "");
    const last = to === undefined ? first : dayNumber(to);
    if (first === null || last === null || extra !== undefined) {
      return { ok: false, reason: `"${part.trim()}" is not a day or a range of days (Mon, Tue, … Sun, e.g. Mon-Fri)` };
    }
    // A range may wrap the week end, e.g. Sat-Mon.
    for (let day = first; ; day = (day % 7) + 1) {
      days.add(day);
      if (day === last) break;
    }
  }
  return { ok: true, value: [...days].sort((a, b) => a - b) };
}

function checkTimes(open: string, close: string): string | null {
  if (!TIME.test(open)) return `"${open}" is not an opening time (HH:MM, 00:00–23:59)`;
  if (!TIME.test(close) && close !== "24:00") return `"${close}" is not a closing time (HH:MM, 00:01–24:00)`;
  if (open === close) {
    return `opening and closing at the same time (${open}) is ambiguous: write 24h for round the clock`;
  }
  return null;
}

function parseSpan(text: string): Parsed<WeeklySpan> {
  const match = /^(?:(.+?)\s+)?(24h|(\S+)-(\S+))$/i.exec(text.trim());
  if (!match) {
    return { ok: false, reason: `"${text.trim()}" is not like "Mon-Fri 08:00-17:30", "Sat 24h" or "24h"` };
  }
  const [, dayText, whole, open = "", close = ""] = match;
  const days = dayText === undefined ? { ok: true as const, value: EVERY_DAY } : parseDays(dayText);
  if (!days.ok) return days;
  if (whole?.toLowerCase() === "24h") return { ok: true, value: { days: days.value, open: "00:00", close: "24:00" } };
  const problem = checkTimes(open, close);
  return problem ? { ok: false, reason: problem } : { ok: true, value: { days: days.value, open, close } };
}

/** Compact text → spans; spans separated by ";". */
export function parseWeeklyHours(text: string): Parsed<WeeklySpan[]> {
  const spans: WeeklySpan[] = [];
  for (const part of text.split(";")) {
    if (part.trim() === "") continue;
    const span = parseSpan(part);
    if (!span.ok) return span;
    spans.push(span.value);
  }
  return { ok: true, value: spans };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON form, checked the same way; days come back sorted and without repeats. */
export function checkWeeklySpans(value: unknown): Parsed<WeeklySpan[]> {
  if (!Array.isArray(value)) return { ok: false, reason: "must be an array of {days, open, close}" };
  const spans: WeeklySpan[] = [];
  for (const [index, item] of value.entries()) {
    if (!isRecord(item)) return { ok: false, reason: `item ${index} must be an object {days, open, close}` };
    const { days, open, close, ...rest } = item;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) return { ok: false, reason: `item ${index} has unknown field "${unknown[0]}"` };
    const goodDays =
      Array.isArray(days) && days.length > 0 && days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7);
    if (!goodDays) return { ok: false, reason: `item ${index}: days must be a non-empty array of 1 (Mon) … 7 (Sun)` };
    if (typeof open !== "string" || typeof close !== "string") {
      return { ok: false, reason: `item ${index}: open and close must be "HH:MM" text` };
    }
    const problem = checkTimes(open, close);
    if (problem) return { ok: false, reason: `item ${index}: ${problem}` };
    spans.push({ days: [...new Set(days as number[])].sort((a, b) => a - b), open, close });
  }
  return { ok: true, value: spans };
}

function formatDays(days: readonly number[]): string {
  const runs: string[] = [];
  let start = 0;
  while (start < days.length) {
    let end = start;
    while (end + 1 < days.length && (days[end + 1] ?? 0) === (days[end] ?? 0) + 1) end += 1;
    const first = DAY_NAMES[(days[start] ?? 1) - 1];
    const last = DAY_NAMES[(days[end] ?? 1) - 1];
    runs.push(start === end ? `${first}` : `${first}-${last}`);
    start = end + 1;
  }
  return runs.join(",");
}

/** Spans → compact text; the exact inverse of parseWeeklyHours for anything it produced. */
export function formatWeeklyHours(spans: readonly WeeklySpan[]): string {
  return spans
    .map((span) => {
      const allDay = span.open === "00:00" && span.close === "24:00";
      if (allDay && span.days.length === 7) return "24h";
      return `${formatDays(span.days)} ${allDay ? "24h" : `${span.open}-${span.close}`}`;
    })
    .join("; ");
}
