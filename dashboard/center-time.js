// @ts-check
// The command center's clock. The hub counts days (history, audit, KPI ranges)
// and writes times (SMS, CSV) in its own zone, ANXIN_TIME_ZONE; a console on a
// machine set to another zone must not show a different "today", or its
// default "last 7 days" misses the newest alarms. The hub tells the zone with
// the user (/api/auth/login, /api/auth/me, /api/worker/me); until then, and
// for a zone this browser does not know, the browser's own zone is used.

/** @type {string | undefined} */
let zone;

/**
 * Adopts the zone the hub answered with; an unknown or missing one leaves the browser's.
 * @param {unknown} timeZone
 */
export function setCenterZone(timeZone) {
  if (typeof timeZone !== "string" || timeZone === "") return;
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    zone = timeZone;
  } catch {
    // A zone this browser's Intl does not know: its own clock is the best it can do.
  }
}

/** The zone for Intl options: `{ ...opts, timeZone: centerZone() }` (undefined = the browser's). */
export function centerZone() {
  return zone;
}

/** The zone's name for a note on a page ("times in Asia/Shanghai"): the center's, or else the browser's. */
export function centerZoneName() {
  return zone ?? new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * A response carrying `timeZone` (login, me): adopts it and passes the response on.
 * @template {{ timeZone?: string }} T
 * @param {T} response
 * @returns {T}
 */
export function adoptZone(response) {
  setCenterZone(response?.timeZone);
  return response;
}

/**
 * The instant's calendar fields on the center's clock, as two-digit strings (the year four).
 * @param {Date} date
 * @param {boolean} withTime
 */
function fieldsOf(date, withTime) {
  /** @type {Intl.DateTimeFormatOptions} */
  const time = withTime ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : {};
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    ...time,
  }).formatToParts(date);
  /** @param {Intl.DateTimeFormatPartTypes} type */
  const part = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return { day: `${part("year")}-${part("month")}-${part("day")}`, time: `${part("hour")}:${part("minute")}` };
}

/**
 * YYYY-MM-DD of the instant in the center's zone.
 * @param {Date} [date]
 */
export function centerDay(date = new Date()) {
  return fieldsOf(date, false).day;
}

/**
 * The center's day `days` before the day given as YYYY-MM-DD (calendar arithmetic, no zone involved).
 * @param {string} day
 * @param {number} days
 */
export function daysBefore(day, days) {
  const [y = 1970, m = 1, d = 1] = day.split("-").map(Number);
  const shifted = new Date(Date.UTC(y, m - 1, d - days));
  return shifted.toISOString().slice(0, 10);
}

/**
 * The last `days` days of the center, today included: the default range of the history, audit and KPI pages.
 * @param {number} days
 * @param {Date} [now]
 */
export function lastDays(days, now = new Date()) {
  const to = centerDay(now);
  return { from: daysBefore(to, days - 1), to };
}

/**
 * Puts the center's last 7 days into a page's date inputs: at each login, in the zone the hub just told.
 * @param {HTMLInputElement} fromInput
 * @param {HTMLInputElement} toInput
 */
export function showLastWeek(fromInput, toInput) {
  const range = lastDays(7);
  fromInput.value = range.from;
  toInput.value = range.to;
}

/**
 * The center's wall clock at an instant, as a `datetime-local` input takes it: "YYYY-MM-DDTHH:MM".
 * @param {Date} date
 */
export function centerWallTime(date) {
  if (Number.isNaN(date.getTime())) return "";
  const { day, time } = fieldsOf(date, true);
  return `${day}T${time}`;
}

/**
 * How far the center's wall clock is ahead of UTC at an instant, in ms.
 * @param {number} ms
 */
function offsetAt(ms) {
  const wall = centerWallTime(new Date(ms));
  return Date.parse(`${wall}:00Z`) - (ms - (ms % 60_000));
}

/**
 * A `datetime-local` value read as the center's wall clock, as the UTC ISO string the hub stores; null when
 * empty or invalid. The offset is taken at the guess and checked at the result, which settles it across a
 * change of offset (a wall time skipped by a DST change comes out an hour later).
 * @param {string | null | undefined} value
 * @returns {string | null}
 */
export function centerWallToIso(value) {
  if (value == null || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const asUtc = Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`);
  if (Number.isNaN(asUtc)) return null;
  let ms = asUtc - offsetAt(asUtc);
  const second = offsetAt(ms);
  if (asUtc - second !== ms) ms = asUtc - second;
  return new Date(ms).toISOString();
}
