/**
 * Clinic opening hours. The registry stores them as JSON,
 * `[{ "days": [1..7 (Mon..Sun)], "open": "HH:MM", "close": "HH:MM" }]`, where a
 * close earlier than the open runs past midnight into the next day and "24:00"
 * closes at the end of the day. They are flattened once, when the spatial index
 * is built, into per-weekday minute ranges, so "open now?" is a few comparisons
 * per clinic at alarm time.
 */
/** Opening hours flattened: one weekday's open minutes. */
export interface DaySegment {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  day: number;
  /** Minutes after local midnight; `to` is exclusive and may be 1440. */
  from: number;
  to: number;
}

const MINUTES_PER_DAY = 24 * 60;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

export interface LocalClock {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  day: number;
  /** Minutes after local midnight. */
  minute: number;
}

/** "HH:MM" → minutes after midnight ("24:00" → 1440); null when malformed. */
export function parseClockTime(text: string): number | null {
  if (!TIME.test(text)) return null;
  const [hours = "0", minutes = "0"] = text.split(":");
  return Number(hours) * 60 + Number(minutes);
}

/**
 * Flattens stored hours into day segments. Malformed entries are skipped (a
 * clinic whose hours cannot be read is treated as closed, never as open: sending
 * an emergency to a locked door is the worse mistake). An interval whose open
 * equals its close is empty, for the same reason.
 */
export function parseOpeningHours(json: string | null): DaySegment[] {
  if (!json) return [];
  let intervals: unknown;
  try {
    intervals = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(intervals)) return [];
  const segments: DaySegment[] = [];
  for (const interval of intervals) {
    if (typeof interval !== "object" || interval === null) continue;
    const { days, open, close } = interval as { days?: unknown; open?: unknown; close?: unknown };
    if (!Array.isArray(days) || typeof open !== "string" || typeof close !== "string") continue;
    const from = parseClockTime(open);
    const to = parseClockTime(close);
    if (from === null || to === null || from === MINUTES_PER_DAY) continue;
    for (const day of days) {
      if (!Number.isInteger(day) || day < 1 || day > 7) continue;
      if (to > from) segments.push({ day, from, to });
      else if (to < from) {
        segments.push({ day, from, to: MINUTES_PER_DAY });
        if (to > 0) segments.push({ day: (day % 7) + 1, from: 0, to });
      }
    }
  }
  return segments;
}

export function isOpenAt(segments: readonly DaySegment[], clock: LocalClock): boolean {
  for (const s of segments) {
    if (s.day === clock.day && clock.minute >= s.from && clock.minute < s.to) return true;
  }
  return false;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minute of `at` on the wall clock of `timeZone` (IANA). */
export function localClock(at: Date, timeZone: string): LocalClock {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  let day = 1;
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(at)) {
    if (part.type === "weekday") day = WEEKDAYS[part.value] ?? 1;
    else if (part.type === "hour") hour = Number(part.value) % 24;
    else if (part.type === "minute") minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

/** Parses the configured "HH:MM-HH:MM" daytime. */
export function parseDayWindow(text: string): { from: number; to: number } {
  const [start = "", end = ""] = text.split("-");
  const from = parseClockTime(start);
  const to = parseClockTime(end);
  if (from === null || to === null) throw new RangeError(`not a daytime window: ${text}`);
  return { from, to };
}

/** Outside the daytime window; a window whose end is before its start spans midnight. */
export function isNight(clock: LocalClock, day: { from: number; to: number }): boolean {
  const inDay =
    day.from <= day.to
      ? clock.minute >= day.from && clock.minute < day.to
      : clock.minute >= day.from || clock.minute < day.to;
  return !inDay;
}
