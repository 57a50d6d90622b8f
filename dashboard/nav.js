// @ts-check
// The pages of the console, Alarms, Registry, KPIs, Devices, Users…, chosen by the URL hash
// (#/alarms, #/registry/<tab>/<id>, #/devices/<deviceId>, #/users/<id>) so reload and Back work. The alarm queue,
// its sound and the live feed keep running on either page; the Alarms tab
// carries the unacknowledged count so it is seen from the registry too.

import { byId } from "./dom.js";

/** @typedef {"alarms" | "registry" | "kpi" | "history" | "audit" | "map" | "users" | "devices"} Page */
/** Where the hash points: the page, and on some pages a tab and a record's id. @typedef {{ page: Page, tab: string | null, id: string | null }} Route */

/** @type {(route: Route) => void} */
let onRoute = () => {};

/**
 * `#/registry/households/12` → { page: "registry", tab: "households", id: "12" }.
 * @param {string} hash
 * @returns {Route}
 */
export function parseRoute(hash) {
  const [page, tab, id] = hash
    .replace(/^#\/?/, "")
    .split("/")
    .map((s) => decodeURIComponent(s));
  if (page === "registry") return { page, tab: tab || "households", id: id || null };
  if (page === "kpi") return { page, tab: null, id: null };
  if (page === "history" || page === "audit") return { page, tab: null, id: null };
  if (page === "map") return { page, tab: null, id: null };
  // #/users/<id|new>: that account's form beside the list (administrators only).
  if (page === "users") return { page, tab: null, id: tab || null };
  // #/devices/<deviceId>: that device's health is open beside the fault list.
  if (page === "devices") return { page, tab: null, id: tab || null };
  return { page: "alarms", tab: null, id: null };
}

export function currentRoute() {
  return parseRoute(location.hash);
}

/** @param {{ onChange: (route: Route) => void }} handlers */
export function initNav({ onChange }) {
  onRoute = onChange;
  window.addEventListener("hashchange", apply);
}

/** Shows the page the hash names and tells the app (which forwards registry routes). */
export function apply() {
  const route = currentRoute();
  document.body.dataset.page = route.page;
  byId("alarms-view").hidden = route.page !== "alarms";
  byId("registry-view").hidden = route.page !== "registry";
  byId("kpi-view").hidden = route.page !== "kpi";
  byId("map-view").hidden = route.page !== "map";
  byId("devices-view").hidden = route.page !== "devices";
  byId("history-view").hidden = route.page !== "history";
  byId("audit-view").hidden = route.page !== "audit";
  byId("users-view").hidden = route.page !== "users";
  for (const a of document.querySelectorAll(".page-nav a[data-page]")) {
    if (!(a instanceof HTMLElement)) continue;
    if (a.dataset.page === route.page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  onRoute(route);
}

/**
 * @param {number} n
 * @param {string} label
 */
export function setUnacked(n, label) {
  const badge = byId("nav-unacked");
  badge.hidden = n === 0;
  badge.textContent = label;
}
