// @ts-check
// Shares the phone's position with the hub while the worker is on duty, so dispatch
// can rank by where people really are. Throttled: a fix is sent when the worker has
// moved MOVE_M, or when REFRESH_MS have passed since the last one (a still phone gets
// no new fixes from watchPosition, so the last fix is re-sent on a timer to keep the
// hub's "last seen" fresh). Never while off duty: the position is a work tool, not
// tracking of people's private time.
//
// Status states (#position-status[data-state]): off | waiting | shared | denied |
// unavailable | insecure | unsupported | failed.

/** @import { LatLng } from "../china-coords.js" */

import { ApiError } from "../http.js";

/**
 * Where sharing stands, as #position-status shows it: "shared" says when and how
 * precisely; a failure may say why (the browser's words, the hub's code).
 * @typedef {{ state: "shared", at: number, accuracyM: number | null }
 *   | { state: "off" | "waiting" | "insecure" | "unsupported" }
 *   | { state: "denied" | "unavailable" | "failed", error: string, code?: string }} SharingStatus
 */
/**
 * What sharing needs from the page: how to send a fix to the hub, and where to say how it goes.
 * @typedef {{
 *   send: (lat: number, lng: number, accuracyM: number | null) => Promise<void>,
 *   onStatus: (status: SharingStatus) => void,
 * }} SharingHooks
 */
/** A fix from the phone: where, and within how many metres (null when the browser does not say). @typedef {LatLng & { accuracyM: number | null }} Fix */

const REFRESH_MS = 30_000;
const MOVE_M = 50;
/** Even when moving fast, no more than one report per this interval. */
const MIN_GAP_MS = 5_000;

/** @type {number | null} */
let watchId = null;
/** @type {number | undefined} */
let timer;
/** @type {number | undefined} */
let heldTimer;
/** @type {Fix | null} */
let latest = null;
/** @type {(LatLng & { at: number }) | null} */
let sent = null;
let inFlight = false;
/** @type {SharingHooks | null} */
let hooks = null;

/**
 * Great-circle distance in metres (haversine).
 * @param {LatLng} a
 * @param {LatLng} b
 */
export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

/**
 * send(lat, lng, accuracyM) → Promise; onStatus({ state, at, accuracyM, error }).
 * Safe to call again: a running watch is kept.
 * @param {SharingHooks} hooks
 */
export function startSharing({ send, onStatus }) {
  hooks = { send, onStatus };
  if (watchId !== null) return;
  // Browsers only give positions to secure pages (https, or localhost).
  if (!window.isSecureContext) return onStatus({ state: "insecure" });
  if (!("geolocation" in navigator)) return onStatus({ state: "unsupported" });
  onStatus({ state: "waiting" });
  watchId = navigator.geolocation.watchPosition(onFix, onError, {
    enableHighAccuracy: true,
    maximumAge: 10_000,
    timeout: 60_000,
  });
  timer = setInterval(maybeSend, REFRESH_MS);
}

export function stopSharing() {
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  clearInterval(timer);
  clearTimeout(heldTimer);
  watchId = null;
  timer = undefined;
  latest = null;
  sent = null;
  hooks?.onStatus({ state: "off" });
}

/** @param {GeolocationPosition} pos */
function onFix(pos) {
  const { latitude, longitude, accuracy } = pos.coords;
  latest = { lat: latitude, lng: longitude, accuracyM: Number.isFinite(accuracy) ? Math.round(accuracy) : null };
  maybeSend();
}

/** @param {GeolocationPositionError} err */
function onError(err) {
  // 1 PERMISSION_DENIED, 2 POSITION_UNAVAILABLE, 3 TIMEOUT. Only a denial is final;
  // the watch keeps running for the others and recovers by itself.
  const state = err.code === 1 ? "denied" : "unavailable";
  hooks?.onStatus({ state, error: err.message });
}

async function maybeSend() {
  if (!latest || !hooks || inFlight) return;
  const now = Date.now();
  const since = sent ? now - sent.at : Number.POSITIVE_INFINITY;
  const moved = sent ? distanceM(sent, latest) : Number.POSITIVE_INFINITY;
  const far = moved >= MOVE_M;
  if (far && since < MIN_GAP_MS) {
    // Held back, not dropped: a phone standing still after the move gets no further fix to retry with.
    clearTimeout(heldTimer);
    heldTimer = setTimeout(maybeSend, MIN_GAP_MS - since);
    return;
  }
  if (!far && since < REFRESH_MS) return;
  const fix = latest;
  inFlight = true;
  try {
    await hooks.send(fix.lat, fix.lng, fix.accuracyM);
    if (watchId === null) return; // went off duty meanwhile: "off" has been shown already
    sent = { lat: fix.lat, lng: fix.lng, at: Date.now() };
    hooks.onStatus({ state: "shared", at: sent.at, accuracyM: fix.accuracyM });
  } catch (err) {
    if (watchId !== null) {
      const code = err instanceof ApiError ? err.code : undefined;
      hooks.onStatus({ state: "failed", error: err instanceof Error ? err.message : String(err), code });
    }
  } finally {
    inFlight = false;
  }
  // A fix that came in while this one was on its way is judged now rather than on the next tick.
  if (latest !== fix) maybeSend();
}
