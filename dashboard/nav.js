// The pages of the console, Alarms, Registry, KPIs, Devices, Users…, chosen by the URL hash
// (#/alarms, #/registry/<tab>/<id>, #/devices/<deviceId>, #/users/<id>) so reload and Back work. The alarm queue,
// its sound and the live feed keep running on either page; the Alarms tab
// carries the unacknowledged count so it is seen from the registry too.

const $ = (id) => document.getElementById(id);
let onRoute = () => {};

/** `#/registry/households/12` → { page: "registry", tab: "households", id: "12" }. */
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

export function initNav({ onChange }) {
  onRoute = onChange;
  window.addEventListener("hashchange", apply);
}

/** Shows the page the hash names and tells the app (which forwards registry routes). */
export function apply() {
  const route = currentRoute();
  document.body.dataset.page = route.page;
  $("alarms-view").hidden = route.page !== "alarms";
  $("registry-view").hidden = route.page !== "registry";
  $("kpi-view").hidden = route.page !== "kpi";
  $("map-view").hidden = route.page !== "map";
  $("devices-view").hidden = route.page !== "devices";
  $("history-view").hidden = route.page !== "history";
  $("audit-view").hidden = route.page !== "audit";
  $("users-view").hidden = route.page !== "users";
  for (const a of document.querySelectorAll(".page-nav a[data-page]")) {
    if (a.dataset.page === route.page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  onRoute(route);
}

export function setUnacked(n, label) {
  const badge = $("nav-unacked");
  badge.hidden = n === 0;
  badge.textContent = label;
}
