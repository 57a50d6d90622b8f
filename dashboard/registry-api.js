// Client for the hub's registry API (/api/registry/...). Kinds are the URL
// segments: grids, gazetteer, households, residents, relatives, devices,
// workers, clinics. Reads work for operator, supervisor and admin; the hub
// refuses every write from anyone but admin, whatever this console shows.

import { request } from "./http.js";

const BASE = "/api/registry";
const enc = encodeURIComponent;

function query(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined || v === null || v === "") continue;
    parts.push(`${enc(k)}=${enc(v)}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

export const registry = {
  /** `{items, total, limit, offset}`; params: q, limit, offset and per-kind filters. */
  list: (kind, params) => request("GET", `${BASE}/${kind}${query(params)}`),
  get: (kind, id) => request("GET", `${BASE}/${kind}/${enc(id)}`),
  create: (kind, body) => request("POST", `${BASE}/${kind}`, body),
  update: (kind, id, body) => request("PATCH", `${BASE}/${kind}/${enc(id)}`, body),
  remove: (kind, id) => request("DELETE", `${BASE}/${kind}/${enc(id)}`),

  addResident: (householdId, body) => request("POST", `${BASE}/households/${enc(householdId)}/residents`, body),
  addRelative: (residentId, body) => request("POST", `${BASE}/residents/${enc(residentId)}/relatives`, body),
  /** Priorities become 1..n in the order of `relativeIds`. */
  reorderRelatives: (residentId, relativeIds) =>
    request("PUT", `${BASE}/residents/${enc(residentId)}/relatives/order`, { relativeIds }),

  /** `{device, secret}`: the only response that ever carries this secret. */
  provision: (body) => request("POST", `${BASE}/devices`, body),
  rotate: (id) => request("POST", `${BASE}/devices/${enc(id)}/rotate`),
  revoke: (id) => request("POST", `${BASE}/devices/${enc(id)}/revoke`),
  bind: (id, householdId) => request("PATCH", `${BASE}/devices/${enc(id)}`, { householdId }),
};

/** The household whose code is exactly `code` (search is by substring), or null. */
export async function householdByCode(code) {
  const wanted = code.trim();
  if (!wanted) return null;
  const page = await registry.list("households", { q: wanted, limit: 20 });
  return page.items.find((h) => h.code.toLowerCase() === wanted.toLowerCase()) ?? null;
}

/** Grids change rarely and every worker form needs them: one request per page load. */
let gridCache = null;
export function allGrids({ refresh = false } = {}) {
  if (refresh || !gridCache) {
    gridCache = registry.list("grids", { limit: 500 }).then(
      (page) => page.items,
      (err) => {
        gridCache = null;
        throw err;
      },
    );
  }
  return gridCache;
}
