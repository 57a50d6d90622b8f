// @ts-check
// Client for the hub's registry API (/api/registry/...). Kinds are the URL
// segments: grids, gazetteer, households, residents, relatives, devices,
// workers, clinics. Reads work for operator, supervisor and admin; the hub
// refuses every write from anyone but admin, whatever this console shows.

/**
 * @import {
 *   ClinicView, DeviceBind, DeviceProvision, DeviceView, DeviceWithSecret, GazetteerView, GridView,
 *   HouseholdDetailView, HouseholdView, ListPage, RelativeList, RelativeOrder, RelativeView, ResidentDetailView,
 *   ResidentSummaryView, WorkerView,
 * } from "../protocol/console/index.ts"
 */

import { request } from "./http.js";

/**
 * What each kind's list holds (`GET /api/registry/<kind>`).
 * @typedef {{
 *   grids: GridView,
 *   gazetteer: GazetteerView,
 *   households: HouseholdView,
 *   residents: ResidentSummaryView,
 *   devices: DeviceView,
 *   workers: WorkerView,
 *   clinics: ClinicView,
 * }} RegistryItems
 */
/**
 * One record of each kind (`GET /api/registry/<kind>/<id>`): a household comes with its
 * residents and devices, a resident with their relatives (relatives have no list of their own).
 * @typedef {{
 *   grids: GridView,
 *   gazetteer: GazetteerView,
 *   households: HouseholdDetailView,
 *   residents: ResidentDetailView,
 *   relatives: RelativeView,
 *   devices: DeviceView,
 *   workers: WorkerView,
 *   clinics: ClinicView,
 * }} RegistryRecords
 */
/**
 * What a PATCH of each kind answers: the record as changed (a household without its residents).
 * @typedef {Omit<RegistryRecords, "households"> & { households: HouseholdView }} RegistryChanged
 */
/** The kinds created by a plain POST (a device is provisioned, a resident or relative added to its own). @typedef {"grids" | "gazetteer" | "households" | "workers" | "clinics"} CreatableKind */
/** A list's paging, search and per-kind filters. @typedef {Readonly<Record<string, string | number | boolean | null | undefined>>} ListParams */
/**
 * A request body built from a form: the hub checks it against the contract's body schema and
 * puts each refusal beside the field it names (form.js).
 * @typedef {Readonly<Record<string, unknown>>} FormBody
 */

const BASE = "/api/registry";
const enc = encodeURIComponent;

/** @param {ListParams} [params] */
function query(params) {
  /** @type {string[]} */
  const parts = [];
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined || v === null || v === "") continue;
    parts.push(`${enc(k)}=${enc(v)}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

export const registry = {
  /**
   * One page of a kind's list; params: q, limit, offset and per-kind filters.
   * @template {keyof RegistryItems} K
   * @param {K} kind
   * @param {ListParams} [params]
   * @returns {Promise<ListPage<RegistryItems[K]>>}
   */
  list: (kind, params) => request("GET", `${BASE}/${kind}${query(params)}`),
  /**
   * @template {keyof RegistryRecords} K
   * @param {K} kind
   * @param {string | number} id
   * @returns {Promise<RegistryRecords[K]>}
   */
  get: (kind, id) => request("GET", `${BASE}/${kind}/${enc(id)}`),
  /**
   * @template {CreatableKind} K
   * @param {K} kind
   * @param {FormBody} body
   * @returns {Promise<RegistryItems[K]>}
   */
  create: (kind, body) => request("POST", `${BASE}/${kind}`, body),
  /**
   * @template {keyof RegistryChanged} K
   * @param {K} kind
   * @param {string | number} id
   * @param {FormBody} body
   * @returns {Promise<RegistryChanged[K]>}
   */
  update: (kind, id, body) => request("PATCH", `${BASE}/${kind}/${enc(id)}`, body),
  /**
   * @param {keyof RegistryRecords} kind
   * @param {string | number} id
   * @returns {Promise<null>}
   */
  remove: (kind, id) => request("DELETE", `${BASE}/${kind}/${enc(id)}`),

  /**
   * @param {number} householdId
   * @param {FormBody} body
   * @returns {Promise<ResidentDetailView>}
   */
  addResident: (householdId, body) => request("POST", `${BASE}/households/${enc(householdId)}/residents`, body),
  /**
   * @param {number} residentId
   * @param {FormBody} body
   * @returns {Promise<RelativeView>}
   */
  addRelative: (residentId, body) => request("POST", `${BASE}/residents/${enc(residentId)}/relatives`, body),
  /**
   * Priorities become 1..n in the order of `relativeIds`.
   * @param {number} residentId
   * @param {number[]} relativeIds
   * @returns {Promise<RelativeList>}
   */
  reorderRelatives: (residentId, relativeIds) =>
    request(
      "PUT",
      `${BASE}/residents/${enc(residentId)}/relatives/order`,
      /** @satisfies {RelativeOrder} */ ({ relativeIds }),
    ),

  /**
   * `{device, secret}`: the only response that ever carries this secret.
   * @param {DeviceProvision} body
   * @returns {Promise<DeviceWithSecret>}
   */
  provision: (body) => request("POST", `${BASE}/devices`, body),
  /**
   * @param {string} id
   * @returns {Promise<DeviceWithSecret>}
   */
  rotate: (id) => request("POST", `${BASE}/devices/${enc(id)}/rotate`),
  /**
   * @param {string} id
   * @returns {Promise<DeviceView>}
   */
  revoke: (id) => request("POST", `${BASE}/devices/${enc(id)}/revoke`),
  /**
   * @param {string} id
   * @param {number | null} householdId null unbinds the device
   * @returns {Promise<DeviceView>}
   */
  bind: (id, householdId) =>
    request("PATCH", `${BASE}/devices/${enc(id)}`, /** @satisfies {DeviceBind} */ ({ householdId })),
};

/**
 * The household whose code is exactly `code` (search is by substring), or null.
 * @param {string} code
 */
export async function householdByCode(code) {
  const wanted = code.trim();
  if (!wanted) return null;
  const page = await registry.list("households", { q: wanted, limit: 20 });
  return page.items.find((h) => h.code.toLowerCase() === wanted.toLowerCase()) ?? null;
}

/** Grids change rarely and every worker form needs them: one request per page load. @type {Promise<GridView[]> | null} */
let gridCache = null;
/** @param {{ refresh?: boolean }} [options] */
export function allGrids({ refresh = false } = {}) {
  if (refresh || !gridCache) {
    gridCache = registry.list("grids", { limit: 500 }).then(
      (page) => page.items,
      (/** @type {unknown} */ err) => {
        gridCache = null;
        throw err;
      },
    );
  }
  return gridCache;
}
