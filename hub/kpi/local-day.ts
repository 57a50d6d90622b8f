/**
 * Local calendar days in the hub's time zone (ANXIN_TIME_ZONE). Timestamps are
 * stored as UTC ISO strings, but a supervisor's "Monday" is Monday in Dongying,
 * so day buckets and range bounds are computed here with Intl, which knows the
 * zone's offsets (and any daylight-saving shifts) without a date library.
 */
import { AnxinError } from "../errors.ts";

const DAY_MS = 86_400_000;
/** The longest range one request may cover: a year, leap day included. */
export const MAX_RANGE_DAYS = 366;

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of the instant on the wall calendar of `timeZone`. */
export function localDay(at: Date, timeZone: string): string {
  let format = dayFormatters.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD, so no part juggling is needed.
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormatters.set(timeZone, format);
  }
  return format.format(at);
}

/** Milliseconds the zone is ahead of UTC at `at`. */
function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The UTC instant at which local day `day` (YYYY-MM-DD) begins in `timeZone`. */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  // Two passes: the offset at the guessed instant may differ from the one at local midnight (DST).
  let guess = midnightUtc - zoneOffsetMs(new Date(midnightUtc), timeZone);
  guess = midnightUtc - zoneOffsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** The calendar day after `day`. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

function isCalendarDay(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === day;
}

export interface DayRange {
  from: string;
  to: string;
  /** Every day from `from` to `to`, both included. */
  days: string[];
  /** UTC ISO bounds: [startIso, endIso). */
  startIso: string;
  endIso: string;
}

/** Checks a requested range and expands it; refusals carry KPI_RANGE_INVALID and say what is wrong. */
export function dayRange(from: string, to: string, timeZone: string): DayRange {
  for (const [name, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (!isCalendarDay(value)) {
      throw new AnxinError("KPI_RANGE_INVALID", `${name} must be a calendar date YYYY-MM-DD (got ${value})`);
    }
  }
  if (from > to) throw new AnxinError("KPI_RANGE_INVALID", `from (${from}) is after to (${to})`);
  const count = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
  if (count > MAX_RANGE_DAYS) {
    throw new AnxinError("KPI_RANGE_INVALID", `the range covers ${count} days; at most ${MAX_RANGE_DAYS} are allowed`);
  }
  const days: string[] = [];
  for (let day = from; day <= to; day = nextDay(day)) days.push(day);
  return {
    from,
    to,
    days,
    startIso: startOfLocalDay(from, timeZone).toISOString(),
    endIso: startOfLocalDay(nextDay(to), timeZone).toISOString(),
  };
}
