// The worker page's endpoints on the hub (/api/worker) and the shared login; the client
// itself (errors, the session's 401, the hub's clock from each answer's Date header, which
// an offer's countdown relies on) is ../http.js, shared with the console.

import { adoptZone } from "../center-time.js";
import { request, signedIn } from "../http.js";

const id = (v) => encodeURIComponent(v);

export const api = {
  // Login, logout and /me answer 401 as a normal outcome, not as an expired session.
  // Both answer with the center's zone too, which the page's times are shown in (../center-time.js).
  login: (username, password) =>
    request("POST", "/api/auth/login", { username, password }, { quiet401: true }).then((answer) => {
      signedIn();
      return adoptZone(answer);
    }),
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
