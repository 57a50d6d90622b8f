// @ts-check
// The Devices page (#/devices, #/devices/<id>): open device faults (offline,
// silent, failed test) and, apart from them, maintenance tasks (low battery),
// live from device-faults.js, with one device's health beside them. Also the
// two indicators seen from elsewhere: the count on the nav tab and an amber
// strip above the alarm queue ("3 devices offline"). Amber, never red, and no
// sound: a fault is work for a technician, not an emergency.

/** @import { DeviceFault, DeviceTest, Role, SessionUser } from "../protocol/console/index.ts" */

import { centerZoneName } from "./center-time.js";
import * as store from "./device-faults.js";
import * as health from "./device-health.js";
import { h, localTime } from "./dom.js";
import { t } from "./i18n.js";

/** The route the app hands over (nav.js): `id` is the device whose health is open. @typedef {{ id: string | null }} Route */
/**
 * The page's elements, made once by initDevices (which the app calls before anything else here).
 * @typedef {{
 *   summary: HTMLParagraphElement, zone: HTMLParagraphElement, faults: HTMLDivElement, maint: HTMLDivElement,
 *   health: HTMLElement, heading: HTMLHeadingElement, faultsHeading: HTMLHeadingElement,
 *   maintHeading: HTMLHeadingElement, strip: HTMLAnchorElement,
 * }} Els
 */

/** @type {ReadonlySet<Role>} */
const DRILL_ROLES = new Set(["operator", "supervisor", "admin"]);
/** @type {HTMLElement | null} */
let root = null;
/** @type {SessionUser | null} */
let user = null;
const els = /** @type {Els} */ ({});

/** @param {HTMLElement} el */
export function initDevices(el) {
  root = el;
  els.summary = h("p", { id: "dev-summary", class: "dev-summary" });
  els.zone = h("p", { id: "dev-zone", class: "dev-zone" });
  els.faults = h("div", { id: "dev-faults", class: "dev-table-box" });
  els.maint = h("div", { id: "dev-maint", class: "dev-table-box" });
  els.health = h("aside", {
    id: "dev-health",
    class: "dev-health",
    "aria-labelledby": "dev-health-title",
    hidden: true,
  });
  els.heading = h("h2", {});
  els.faultsHeading = h("h3", {});
  els.maintHeading = h("h3", {});
  root.replaceChildren(
    h(
      "div",
      { class: "dev-main" },
      h("div", { class: "dev-head" }, els.heading, els.summary, els.zone),
      h("section", { class: "dev-panel dev-panel-faults" }, els.faultsHeading, els.faults),
      h("section", { class: "dev-panel dev-panel-maint" }, els.maintHeading, els.maint),
    ),
    els.health,
  );
  health.initHealth(els.health);
  // The strip sits above the alarm queue, so an operator who never opens this page still sees it.
  els.strip = h("a", { id: "dev-strip", class: "dev-strip", href: "#/devices", role: "status", hidden: true });
  document.querySelector("#alarms-view .queue-head")?.after(els.strip);
  // Rows open the device's health; links and buttons inside keep their own job.
  root.addEventListener("click", (ev) => {
    if (!(ev.target instanceof Element)) return;
    const row = ev.target.closest("tr[data-device-id]");
    if (!(row instanceof HTMLElement) || ev.target.closest("a, button")) return;
    location.hash = `#/devices/${encodeURIComponent(row.dataset.deviceId ?? "")}`;
  });
  document.addEventListener("anxin:faults", render);
  render();
}

/** @param {SessionUser} u */
export function setUser(u) {
  user = u;
  health.setCanDrill(DRILL_ROLES.has(u.role));
}

/** Loads the open faults (login and every reconnect). Failures leave the last list: the socket keeps it fresh. */
export async function reload() {
  try {
    await store.reload();
  } catch {
    // The realtime banner already says the hub is unreachable; a 401 is handled by api.js.
  }
}

/**
 * One frame of pushed faults: the lists redraw once; the open device's health is re-read if it is named.
 * @param {readonly DeviceFault[]} faults
 */
export function faultsPushed(faults) {
  store.applyAll(faults);
  health.devicesChanged(faults.map((f) => f.deviceId));
}

/** @param {readonly DeviceTest[]} tests */
export function testsPushed(tests) {
  health.devicesChanged(tests.map((t) => t.deviceId));
}

/**
 * Called by the app whenever #/devices is shown.
 * @param {Route} route
 */
export function show(route) {
  if (!user) return;
  if (route.id) health.open(route.id);
  else health.close();
  render();
}

export function reset() {
  user = null;
  health.close();
  store.clear();
}

export function rerender() {
  render();
  health.render();
}

/** Every second: only the running durations change. */
export function tick() {
  for (const el of document.querySelectorAll("#devices-view .dev-dur[data-since]")) {
    if (el instanceof HTMLElement && el.dataset.since) el.textContent = health.sinceText(el.dataset.since);
  }
}

function render() {
  if (!root) return;
  renderIndicators();
  els.heading.textContent = t("dev.heading");
  els.zone.textContent = t("dev.zone", { zone: centerZoneName() });
  els.faultsHeading.textContent = t("dev.faults.heading");
  els.maintHeading.textContent = t("dev.maint.heading");
  const faults = store.faults();
  const tasks = store.maintenance();
  els.summary.textContent = t("dev.summary", { faults: faults.length, tasks: tasks.length });
  els.faults.replaceChildren(
    faults.length
      ? table(["kind", "device", "household", "opened", "duration", "actions"], faults.map(faultRow))
      : h("p", { class: "dev-empty", id: "dev-faults-empty" }, t("dev.faults.empty")),
  );
  els.maint.replaceChildren(
    tasks.length
      ? table(["task", "device", "household", "battery", "opened", "duration", "actions"], tasks.map(taskRow))
      : h("p", { class: "dev-empty", id: "dev-maint-empty" }, t("dev.maint.empty")),
  );
}

function renderIndicators() {
  const n = store.size();
  const badge = document.getElementById("nav-faults");
  if (badge) {
    badge.hidden = n === 0;
    badge.textContent = String(n);
    badge.title = t("dev.badgeTitle", { n });
  }
  const counts = store.countsByKind();
  const parts = store.FAULT_KINDS.filter((k) => counts[k] > 0).map((k) => t(`dev.strip.${k}`, { n: counts[k] }));
  els.strip.hidden = parts.length === 0;
  els.strip.dataset.count = String(n);
  els.strip.textContent = parts.length ? `${t("dev.strip.lead")} ${parts.join(" · ")}` : "";
}

/**
 * @param {readonly string[]} columns
 * @param {readonly HTMLTableRowElement[]} rows
 */
function table(columns, rows) {
  return h(
    "table",
    { class: "dev-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((c) => h("th", { scope: "col" }, t(`dev.col.${c}`))),
      ),
    ),
    h("tbody", {}, rows),
  );
}

/** @param {DeviceFault} f */
function rowAttrs(f) {
  return {
    dataset: { faultId: String(f.id), deviceId: f.deviceId, kind: f.kind },
    "aria-selected": String(f.deviceId === health.current()),
  };
}

/** @param {DeviceFault} f */
function common(f) {
  return {
    device: h("td", { class: "dev-id" }, h("span", { content: true }, f.deviceId)),
    household: h(
      "td",
      { class: "dev-household" },
      f.household
        ? [
            h("span", { class: "dev-hh-code", content: true }, f.household.code),
            " ",
            h("span", { class: "dev-hh-addr", content: true }, f.household.address),
          ]
        : h("span", { class: "muted" }, t("dev.noHousehold")),
    ),
    opened: h("td", { class: "dev-opened" }, h("time", { datetime: f.openedAt }, localTime(f.openedAt))),
    duration: h(
      "td",
      {},
      h("span", { class: "dev-dur clock", dataset: { since: f.openedAt } }, health.sinceText(f.openedAt)),
    ),
    actions: h(
      "td",
      {},
      h("a", { class: "btn dev-open", href: `#/devices/${encodeURIComponent(f.deviceId)}` }, t("dev.showHealth")),
    ),
  };
}

/** @param {DeviceFault} f */
function faultRow(f) {
  const c = common(f);
  const kind = h("td", {}, h("span", { class: `badge dev-kind dev-kind-${f.kind}` }, health.kindLabel(f.kind)));
  return h("tr", rowAttrs(f), kind, c.device, c.household, c.opened, c.duration, c.actions);
}

/**
 * The battery level a low-battery fault was raised at, if its detail says.
 * @param {unknown} detail
 */
function batteryOf(detail) {
  return typeof detail === "object" && detail !== null && "battery" in detail && typeof detail.battery === "number"
    ? detail.battery
    : null;
}

/** @param {DeviceFault} f */
function taskRow(f) {
  const c = common(f);
  const level = batteryOf(f.detail);
  const battery = level === null ? "—" : `${level} %`;
  const task = h("td", {}, h("span", { class: "badge dev-task" }, t(`dev.task.${f.kind}`)));
  return h(
    "tr",
    rowAttrs(f),
    task,
    c.device,
    c.household,
    h("td", { class: "dev-battery" }, battery),
    c.opened,
    c.duration,
    c.actions,
  );
}
