// @ts-check
// The hub's clock, as the console and the worker page count durations and deadlines by it:
// an offer's countdown or an alarm's age must not lie because this machine is a minute off.
// The console learns it to the millisecond from the realtime hello; every HTTP answer's Date
// header (whole seconds) corrects it too, but only when this machine is clearly off.

let offsetMs = 0;
let precise = false;

/**
 * The hub's time from the realtime hello (ISO, milliseconds).
 * @param {string} iso
 */
export function setServerTime(iso) {
  const server = Date.parse(iso);
  if (!Number.isFinite(server)) return;
  offsetMs = server - Date.now();
  precise = true;
}

/**
 * An HTTP answer's Date header, for a request sent at `sentAt` (ms on this machine).
 * @param {Response} res
 * @param {number} sentAt
 */
export function learnFromDateHeader(res, sentAt) {
  if (precise) return;
  const server = Date.parse(res.headers.get("date") ?? "");
  if (!Number.isFinite(server)) return;
  // The header has whole seconds only: trust it only when this machine is clearly off.
  const offset = server + 500 - (sentAt + Date.now()) / 2;
  offsetMs = Math.abs(offset) > 2000 ? offset : 0;
}

/** The hub's "now", in ms. */
export function serverNow() {
  return Date.now() + offsetMs;
}
