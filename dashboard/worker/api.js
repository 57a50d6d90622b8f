// JSON client for the worker API (/api/worker) and the shared login. Same origin, so
// the session cookie travels by itself. Every failure becomes an ApiError carrying
// the hub's { code, message } so the page can show both. The hub's Date header is
// used to correct the phone's clock: an offer countdown must not lie because the
// phone is a minute off.

import { ApiError } from "../api.js";
import { adoptZone } from "../center-time.js";

export { ApiError };

let onUnauthorized = () => {};
/** Called on any 401 outside login, so the page can drop back to the login form. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

let clockOffsetMs = 0;
/** The hub's "now", in ms. */
export function serverNow() {
  return Date.now() + clockOffsetMs;
}

function learnClock(res, sentAt) {
  const server = Date.parse(res.headers.get("date") ?? "");
  if (!Number.isFinite(server)) return;
  // The header has whole seconds only: trust it only when the phone is clearly off.
  const offset = server + 500 - (sentAt + Date.now()) / 2;
  clockOffsetMs = Math.abs(offset) > 2000 ? offset : 0;
}

async function request(method, path, body, { quiet401 = false } = {}) {
  const sentAt = Date.now();
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, "NETWORK", String(err?.message ?? err));
  }
  learnClock(res, sentAt);
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    // A non-JSON error page (a proxy, a crash) still becomes an ApiError below.
  }
  if (!res.ok) {
    if (res.status === 401 && !quiet401) onUnauthorized();
    throw new ApiError(res.status, data?.code ?? `HTTP_${res.status}`, data?.message ?? res.statusText);
  }
  return data;
}

const id = (v) => encodeURIComponent(v);

export const api = {
  // Login, logout and /me answer 401 as a normal outcome, not as an expired session.
  // Both answer with the center's zone too, which the page's times are shown in (../center-time.js).
  login: (username, password) =>
    request("POST", "/api/auth/login", { username, password }, { quiet401: true }).then(adoptZone),
  logout: () => request("POST", "/api/auth/logout", undefined, { quiet401: true }),
  me: () => request("GET", "/api/worker/me", undefined, { quiet401: true }).then(adoptZone),
  /** The worker's own password; the answer's user is no longer flagged to change it. */
  changePassword: (currentPassword, newPassword) =>
    request("POST", "/api/auth/password", { currentPassword, newPassword }).then((r) => r.user),
  setDuty: (onDuty) => request("POST", "/api/worker/duty", { onDuty }),
  position: (lat, lng, accuracyM) =>
    request("POST", "/api/worker/position", accuracyM == null ? { lat, lng } : { lat, lng, accuracyM }),
  assignment: () => request("GET", "/api/worker/assignment"),
  // The hub audits every call: the page asks once per alarm and keeps the answer.
  health: (healthUrl) => request("GET", healthUrl),
  accept: (offerId) => request("POST", `/api/worker/offers/${id(offerId)}/accept`),
  decline: (offerId, reason) => request("POST", `/api/worker/offers/${id(offerId)}/decline`, reason ? { reason } : {}),
  arrived: (alarmId) => request("POST", `/api/worker/alarms/${id(alarmId)}/arrived`),
  resolve: (alarmId, outcome, note) => request("POST", `/api/worker/alarms/${id(alarmId)}/resolve`, { outcome, note }),
  serviceRequests: () => request("GET", "/api/worker/service-requests"),
  serviceDone: (requestId, note) =>
    request("POST", `/api/worker/service-requests/${id(requestId)}/done`, note ? { note } : {}),
};
