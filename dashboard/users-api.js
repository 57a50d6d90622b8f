// Client for staff accounts (/api/users, administrators only) and everyone's own
// password (/api/auth/password). A created or reset account's answer carries its
// one-time password once; nothing here keeps it.

import { request } from "./http.js";

const enc = encodeURIComponent;

export const accounts = {
  list: () => request("GET", "/api/users"),
  create: (body) => request("POST", "/api/users", body),
  update: (id, body) => request("PATCH", `/api/users/${enc(id)}`, body),
  resetPassword: (id) => request("POST", `/api/users/${enc(id)}/reset-password`, {}),
  disable: (id) => request("POST", `/api/users/${enc(id)}/disable`, {}),
  enable: (id) => request("POST", `/api/users/${enc(id)}/enable`, {}),
  /** Worker records to link a community worker's login to. */
  workers: () => request("GET", "/api/registry/workers?limit=500"),
};

/** Changes the signed-in person's own password; resolves with the user (no longer flagged). */
export function changeOwnPassword(currentPassword, newPassword) {
  return request("POST", "/api/auth/password", { currentPassword, newPassword }).then((r) => r.user);
}
