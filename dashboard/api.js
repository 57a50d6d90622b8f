// Thin JSON client for the hub's HTTP API. Same origin, so the session cookie
// travels by itself; every error is turned into an ApiError carrying the
// server's { code, message, errors? } so the UI can show all three (the
// registry forms put each `errors[].field` message beside its field).

import { adoptZone } from "./center-time.js";

export class ApiError extends Error {
  constructor(status, code, message, errors = []) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

/** Called on any 401 so the app can drop back to the login form from wherever it was. */
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// Which login a request was sent under. A 401 answering a request sent before
// the latest login speaks of the old session: under load it can arrive after
// the operator has signed in again, and must not send them back to the form.
let sessionEpoch = 0;

export async function request(method, path, body, { quiet401 = false } = {}) {
  const sentIn = sessionEpoch;
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, "NETWORK", String(err?.message ?? err));
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    // Non-JSON error pages (a proxy, a crash) still become an ApiError below.
  }
  if (!res.ok) {
    if (res.status === 401 && !quiet401 && sentIn === sessionEpoch) onUnauthorized();
    const errors = Array.isArray(data?.errors) ? data.errors : [];
    throw new ApiError(res.status, data?.code ?? `HTTP_${res.status}`, data?.message ?? res.statusText, errors);
  }
  return data;
}

/** The hub's largest page of alarms. */
const ALARM_PAGE = 1000;

/**
 * Every open alarm, newest first, page after page: a queue cut at one page would
 * hide alarms after a burst (thousands open at once). Alarms opened while the
 * pages load come by the live feed, which is open before any reload starts.
 */
async function openAlarms() {
  const all = [];
  let beforeId = null;
  for (;;) {
    const after = beforeId === null ? "" : `&beforeId=${beforeId}`;
    const { alarms } = await request("GET", `/api/alarms?status=open&limit=${ALARM_PAGE}${after}`);
    all.push(...alarms);
    if (alarms.length < ALARM_PAGE) return { alarms: all };
    beforeId = alarms[alarms.length - 1].id;
  }
}

export const api = {
  // Login and /me handle 401 themselves: it is an answer there, not an expired session.
  // Both answer with the center's zone too, which every date on the console is shown in (center-time.js).
  login: (username, password) =>
    request("POST", "/api/auth/login", { username, password }, { quiet401: true }).then((answer) => {
      sessionEpoch += 1;
      return adoptZone(answer);
    }),
  logout: () => request("POST", "/api/auth/logout", undefined, { quiet401: true }),
  me: () => request("GET", "/api/auth/me", undefined, { quiet401: true }).then(adoptZone),
  openAlarms,
  /** The lifecycle deadlines the queue counts down to. */
  consoleSettings: () => request("GET", "/api/console/settings"),
  alarm: (id) => request("GET", `/api/alarms/${encodeURIComponent(id)}`),
  acknowledge: (id) => request("POST", `/api/alarms/${encodeURIComponent(id)}/acknowledge`),
  resolve: (id, outcome, note) =>
    request("POST", `/api/alarms/${encodeURIComponent(id)}/resolve`, note ? { outcome, note } : { outcome }),
  /** Offer the alarm to a worker picked by hand; the hub withdraws any open offer first. */
  dispatch: (id, workerId) => request("POST", `/api/alarms/${encodeURIComponent(id)}/dispatch`, { workerId }),
  /** On-duty workers matching `q` (name or code), for the "dispatch to…" search. */
  onDutyWorkers: (q) => request("GET", `/api/registry/workers?onDuty=true&limit=8&q=${encodeURIComponent(q)}`),
};
