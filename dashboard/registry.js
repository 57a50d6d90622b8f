// @ts-check
// The registry page: tabs (households, workers, clinics, grids, devices,
// gazetteer), each a searchable, paged list beside one record's detail. Routes
// are hashes (#/registry/<tab>/<id|new>) so reload and Back keep the place.
// Write controls exist only for admin; the hub refuses writes from anyone else too.
// Alarms keep sounding while this page is open, and a banner says how many wait.

/** @import { SessionUser } from "../protocol/console/index.ts" */
/** @import { DetailContext } from "./registry-detail.js" */
/** @import { RegistryList } from "./registry-list.js" */
/** @import { Tab } from "./registry-resources.js" */

import { h } from "./dom.js";
import { apiErrorOf } from "./form.js";
import { t, tMaybe } from "./i18n.js";
import { allGrids } from "./registry-api.js";
import { renderGeneric } from "./registry-detail.js";
import { renderDevice } from "./registry-device.js";
import { renderHousehold } from "./registry-household.js";
import { createList } from "./registry-list.js";
import { isTab, RESOURCES, TABS } from "./registry-resources.js";

/** The part of a route (nav.js `parseRoute`) the registry reads: `#/registry/<tab>/<id|new>`. @typedef {{ tab: string | null, id: string | null }} RegistryRoute */

/** @type {HTMLElement | null} */
let root = null;
/** @type {SessionUser | null} */
let user = null;
/** @type {Tab | null} */
let tab = null;
/** @type {RegistryList | null} */
let list = null;
/** @type {string | number | null} */
let detailId = null;
let detailSeq = 0;
let unacked = 0;
/** The "created" message carried across the route change to the new record. @type {string | null} */
let pendingFlash = null;
/**
 * The page's parts, drawn once by initRegistry.
 * @typedef {{
 *   alert: HTMLDivElement,
 *   tabs: HTMLElement,
 *   readonly: HTMLParagraphElement,
 *   create: HTMLAnchorElement,
 *   listPane: HTMLDivElement,
 *   detail: HTMLDivElement,
 * }} Parts
 */
/** @type {Parts | null} */
let els = null;

/** @param {HTMLElement} el */
export function initRegistry(el) {
  root = el;
  els = {
    alert: h("div", { class: "banner banner-danger reg-unacked", id: "reg-unacked", role: "alert", hidden: true }),
    tabs: h("nav", { class: "reg-tabs", id: "reg-tabs" }),
    readonly: h("p", { class: "reg-readonly-note", id: "reg-readonly", hidden: true }),
    create: h("a", { class: "btn btn-primary", id: "reg-new", hidden: true }),
    listPane: h("div", { class: "reg-list-pane", id: "reg-list-pane" }),
    detail: h("div", { class: "reg-detail-pane", id: "reg-detail", dataset: { mode: "none" } }),
  };
  root.replaceChildren(
    els.alert,
    h("div", { class: "reg-head" }, els.tabs, els.readonly, els.create),
    h("div", { class: "reg-body" }, els.listPane, els.detail),
  );
}

/** @param {SessionUser | null} u */
export function setUser(u) {
  user = u;
}

const canWrite = () => user?.role === "admin";

/** Drops everything shown (logout): the next user starts from a fresh page. */
export function reset() {
  user = null;
  tab = null;
  list = null;
  detailId = null;
  detailSeq += 1;
  els?.listPane.replaceChildren();
  els?.detail.replaceChildren();
}

/** @param {number} n */
export function setUnacked(n) {
  unacked = n;
  if (!els) return;
  els.alert.hidden = n === 0;
  els.alert.replaceChildren(
    h("span", {}, t("reg.unackedBanner", { n })),
    " ",
    h("a", { href: "#/alarms", class: "btn" }, t("reg.backToAlarms")),
  );
}

function renderChrome() {
  if (!els || !root || !tab) return;
  els.tabs.replaceChildren(
    ...TABS.map((name) =>
      h(
        "a",
        {
          href: `#/registry/${name}`,
          class: "reg-tab",
          id: `reg-tab-${name}`,
          "aria-current": name === tab ? "page" : null,
        },
        t(`reg.tab.${name}`),
      ),
    ),
  );
  els.readonly.hidden = canWrite();
  els.readonly.textContent = t("reg.readonlyNote");
  els.create.hidden = !canWrite();
  els.create.href = `#/registry/${tab}/new`;
  els.create.textContent = t(`reg.newOf.${tab}`);
  root.dataset.tab = tab;
  setUnacked(unacked);
}

/**
 * The list of a tab, for the kind it shows.
 * @template {Tab} K
 * @param {K} kind
 */
function listOf(kind) {
  return createList({ spec: RESOURCES[kind], onOpen: (id) => go(kind, id) });
}

/**
 * Show `#/registry/<tab>/<id>`; called by nav.js on every route change.
 * @param {RegistryRoute} route
 */
export function show(route) {
  if (!user || !els) return;
  const nextTab = isTab(route.tab) ? route.tab : "households";
  if (nextTab !== tab || !list) {
    tab = nextTab;
    list = listOf(tab);
    els.listPane.replaceChildren(list.el);
    list.load();
  }
  renderChrome();
  showDetail(route.id ?? null, null);
}

/** Re-draw after a language switch (the record is fetched again). */
export function rerender() {
  if (!user || !tab) return;
  renderChrome();
  list?.render();
  showDetail(detailId, null);
}

/**
 * @param {Tab} toTab
 * @param {string | number | null} id
 */
function go(toTab, id) {
  const hash = `#/registry/${toTab}${id ? `/${encodeURIComponent(id)}` : ""}`;
  if (location.hash === hash) showDetail(id, null);
  else location.hash = hash;
}

/**
 * @param {string | number | null} id a record's id, "new", or null for none
 * @param {string | null} flash a message to show (an i18n key)
 */
async function showDetail(id, flash) {
  detailId = id;
  const seq = ++detailSeq;
  list?.select(id === "new" ? null : id);
  // The kind this record is of, also when a save answers after another tab was opened.
  const kind = tab;
  if (!els || !kind) return;
  const container = els.detail;
  if (id === null) {
    container.dataset.mode = "none";
    container.replaceChildren(h("p", { class: "reg-placeholder muted" }, t(canWrite() ? "reg.pickOrNew" : "reg.pick")));
    return;
  }
  if (id === "new" && !canWrite()) {
    container.replaceChildren(h("p", { class: "form-error" }, t("error.AUTH_FORBIDDEN")));
    return;
  }
  container.dataset.mode = "loading";
  /** @type {DetailContext} */
  const ctx = {
    canWrite: canWrite(),
    flash,
    current: () => seq === detailSeq,
    saved: (savedId, message) => {
      if (kind === "grids") allGrids({ refresh: true }).catch(() => {});
      list?.load();
      if (String(savedId) === String(detailId)) showDetail(detailId, message);
      else {
        pendingFlash = message;
        go(kind, savedId);
      }
    },
    deleted: () => {
      list?.load();
      go(kind, null);
    },
    go,
    reloadList: () => list?.load(),
  };
  // A flash from a save that changed the route (a record just created) survives the hop.
  if (!flash && pendingFlash) {
    ctx.flash = pendingFlash;
    pendingFlash = null;
  }
  try {
    if (kind === "households") await renderHousehold(container, id, ctx);
    else if (kind === "devices") await renderDevice(container, id, ctx);
    else await renderGeneric(container, kind, id, ctx);
  } catch (failure) {
    if (seq !== detailSeq) return;
    const err = apiErrorOf(failure);
    container.dataset.mode = "error";
    const text = tMaybe(`error.${err.code}`) ?? err.message;
    container.replaceChildren(
      h(
        "p",
        { class: "form-error", role: "alert" },
        `${t("error.generic")}: ${text}`,
        h("code", { class: "err-code" }, ` [${err.code}]`),
      ),
    );
  }
}
