// @ts-check
// The worker page's endpoints on the hub (/api/worker) and the shared login; the client
// itself (errors, the session's 401, the hub's clock from each answer's Date header, which
// an offer's countdown relies on) is ../http.js, shared with the console.

/**
 * @import {
 *   AlarmOutcome,
 *   AssignmentReply,
 *   DeclineRequest,
 *   HealthDataReply,
 *   OfferReply,
 *   PositionRequest,
 *   ServiceDoneRequest,
 *   ServiceRequestList,
 *   ServiceRequestReply,
 *   SessionReply,
 *   SessionUser,
 *   WorkerAlarmReply,
 *   WorkerMe,
 *   WorkerReply,
 *   WorkerResolveRequest,
 * } from "../../protocol/console/index.ts"
 */

import { adoptZone } from "../center-time.js";
import { request, signedIn } from "../http.js";

/** `POST /api/auth/password`: the person, no longer flagged to change it. @typedef {{ user: SessionUser }} PasswordReply */

/** @param {number} v */
const id = (v) => encodeURIComponent(v);

export const api = {
  // Login, logout and /me answer 401 as a normal outcome, not as an expired session.
  // Both answer with the center's zone too, which the page's times are shown in (../center-time.js).
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
  /** @returns {Promise<WorkerMe>} */
  me: () =>
    request("GET", "/api/worker/me", undefined, { quiet401: true }).then((answer) =>
      adoptZone(/** @type {WorkerMe} */ (answer)),
    ),
  /**
   * The worker's own password; the answer's user is no longer flagged to change it.
   * @param {string} currentPassword
   * @param {string} newPassword
   * @returns {Promise<SessionUser>}
   */
  changePassword: (currentPassword, newPassword) =>
    request("POST", "/api/auth/password", { currentPassword, newPassword }).then(
      (answer) => /** @type {PasswordReply} */ (answer).user,
    ),
  /**
   * @param {boolean} onDuty
   * @returns {Promise<WorkerReply>}
   */
  setDuty: (onDuty) => request("POST", "/api/worker/duty", { onDuty }),
  /**
   * @param {number} lat
   * @param {number} lng
   * @param {number | null} [accuracyM]
   * @returns {Promise<WorkerReply>}
   */
  position: (lat, lng, accuracyM) => {
    /** @type {PositionRequest} */
    const body = accuracyM == null ? { lat, lng } : { lat, lng, accuracyM };
    return request("POST", "/api/worker/position", body);
  },
  /** @returns {Promise<AssignmentReply>} */
  assignment: () => request("GET", "/api/worker/assignment"),
  // The hub audits every call: the page asks once per alarm and keeps the answer.
  /**
   * @param {string} healthUrl the assignment's `resident.healthUrl`
   * @returns {Promise<HealthDataReply>}
   */
  health: (healthUrl) => request("GET", healthUrl),
  /**
   * @param {number} offerId
   * @returns {Promise<OfferReply>}
   */
  accept: (offerId) => request("POST", `/api/worker/offers/${id(offerId)}/accept`),
  /**
   * @param {number} offerId
   * @param {string} [reason]
   * @returns {Promise<OfferReply>}
   */
  decline: (offerId, reason) => {
    /** @type {DeclineRequest} */
    const body = reason ? { reason } : {};
    return request("POST", `/api/worker/offers/${id(offerId)}/decline`, body);
  },
  /**
   * @param {number} alarmId
   * @returns {Promise<WorkerAlarmReply>}
   */
  arrived: (alarmId) => request("POST", `/api/worker/alarms/${id(alarmId)}/arrived`),
  /**
   * @param {number} alarmId
   * @param {AlarmOutcome} outcome
   * @param {string} note
   * @returns {Promise<WorkerAlarmReply>}
   */
  resolve: (alarmId, outcome, note) => {
    /** @type {WorkerResolveRequest} */
    const body = { outcome, note };
    return request("POST", `/api/worker/alarms/${id(alarmId)}/resolve`, body);
  },
  /** The worker's own service requests still to do. @returns {Promise<ServiceRequestList>} */
  serviceRequests: () => request("GET", "/api/worker/service-requests"),
  /**
   * @param {number} requestId
   * @param {string} [note]
   * @returns {Promise<ServiceRequestReply>}
   */
  serviceDone: (requestId, note) => {
    /** @type {ServiceDoneRequest} */
    const body = note ? { note } : {};
    return request("POST", `/api/worker/service-requests/${id(requestId)}/done`, body);
  },
};
