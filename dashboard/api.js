// @ts-check
// The console's endpoints on the hub, typed by the hub↔console contract (protocol/console/);
// the client itself (errors, the session's 401, the hub's clock) is http.js, shared with the
// worker page.

/** @import { AlarmDetail, AlarmSummary, ConsoleSettings, SessionReply } from "../protocol/console/index.ts" */

import { adoptZone } from "./center-time.js";
import { request, signedIn } from "./http.js";

/** The hub's largest page of alarms. */
const ALARM_PAGE = 1000;

/**
 * Every open alarm, newest first, page after page: a queue cut at one page would
 * hide alarms after a burst (thousands open at once). Alarms opened while the
 * pages load come by the live feed, which is open before any reload starts.
 */
async function openAlarms() {
  /** @type {AlarmSummary[]} */
  const all = [];
  /** @type {number | null} */
  let beforeId = null;
  for (;;) {
    /** @type {string} */
    const after = beforeId === null ? "" : `&beforeId=${beforeId}`;
    /** @type {{ alarms: AlarmSummary[] }} */
    const { alarms } = await request("GET", `/api/alarms?status=open&limit=${ALARM_PAGE}${after}`);
    all.push(...alarms);
    /** @type {AlarmSummary | undefined} */
    const last = alarms.at(-1);
    if (alarms.length < ALARM_PAGE || !last) return { alarms: all };
    beforeId = last.id;
  }
}

/** @typedef {{ alarm: AlarmSummary }} AlarmReply */
/**
 * The part of the registry's worker page (GET /api/registry/workers) the dispatch search reads.
 * @typedef {{ items: { id: number, code: string, name: string, grid: { id: number, code: string, name: string } | null }[], total: number }} WorkerSearchReply
 */
/** @param {number} id */
const alarmPath = (id) => `/api/alarms/${encodeURIComponent(id)}`;

export const api = {
  // Login and /me handle 401 themselves: it is an answer there, not an expired session.
  // Both answer with the center's zone too, which every date on the console is shown in (center-time.js).
  /**
   * @param {string} username
   * @param {string} password
   * @returns {Promise<SessionReply>}
   */
  login: (username, password) =>
    request("POST", "/api/auth/login", { username, password }, { quiet401: true }).then((answer) => {
      signedIn();
      return adoptZone(/** @type {SessionReply} */ (answer));
    }),
  /** @returns {Promise<null>} */
  logout: () => request("POST", "/api/auth/logout", undefined, { quiet401: true }),
  /** @returns {Promise<SessionReply>} */
  me: () =>
    request("GET", "/api/auth/me", undefined, { quiet401: true }).then((answer) =>
      adoptZone(/** @type {SessionReply} */ (answer)),
    ),
  openAlarms,
  /**
   * The lifecycle deadlines the queue counts down to.
   * @returns {Promise<ConsoleSettings>}
   */
  consoleSettings: () => request("GET", "/api/console/settings"),
  /**
   * @param {number} id
   * @returns {Promise<{ alarm: AlarmDetail }>}
   */
  alarm: (id) => request("GET", alarmPath(id)),
  /**
   * @param {number} id
   * @returns {Promise<AlarmReply>}
   */
  acknowledge: (id) => request("POST", `${alarmPath(id)}/acknowledge`),
  /**
   * @param {number} id
   * @param {string} outcome
   * @param {string} [note]
   * @returns {Promise<AlarmReply>}
   */
  resolve: (id, outcome, note) => request("POST", `${alarmPath(id)}/resolve`, note ? { outcome, note } : { outcome }),
  /**
   * Offer the alarm to a worker picked by hand; the hub withdraws any open offer first.
   * @param {number} id
   * @param {number} workerId
   * @returns {Promise<AlarmReply>}
   */
  dispatch: (id, workerId) => request("POST", `${alarmPath(id)}/dispatch`, { workerId }),
  /**
   * On-duty workers matching `q` (name or code), for the "dispatch to…" search.
   * @param {string} q
   * @returns {Promise<WorkerSearchReply>}
   */
  onDutyWorkers: (q) => request("GET", `/api/registry/workers?onDuty=true&limit=8&q=${encodeURIComponent(q)}`),
};
