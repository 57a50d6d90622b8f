// The registry page: tabs (households, workers, clinics, grids, devices,
// gazetteer), each a searchable, paged list beside one record's detail. Routes
// are hashes (#/registry/<tab>/<id|new>) so reload and Back keep the place.
// Write controls exist only for admin; the hub refuses writes from anyone else too.
// Alarms keep sounding while this page is open, and a banner says how many wait.

import { h } from "./dom.js";
import { t, tMaybe } from "./i18n.js";
import { allGrids } from "./registry-api.js";
import { renderGeneric } from "./registry-detail.js";
import { renderDevice } from "./registry-device.js";
import { renderHousehold } from "./registry-household.js";
import { createList } from "./registry-list.js";
import { RESOURCES, TABS } from "./registry-resources.js";

let root = null;
let user = null;
let tab = null;
let list = null;
let detailId = null;
let detailSeq = 0;
let unacked = 0;
let pendingFlash = null; // "created" message carried across the route change to the new record
const els = {};

export function initRegistry(el) {
  root = el;
  els.alert = h("div", { class: "banner banner-danger reg-unacked", id: "reg-unacked", role: "alert", hidden: true });
  els.tabs = h("nav", { class: "reg-tabs", id: "reg-tabs" });
  els.readonly = h("p", { class: "reg-readonly-note", id: "reg-readonly", hidden: true });
  els.create = h("a", { class: "btn btn-primary", id: "reg-new", hidden: true });
  els.listPane = h("div", { class: "reg-list-pane", id: "reg-list-pane" });
  els.detail = h("div", { class: "reg-detail-pane", id: "reg-detail", dataset: { mode: "none" } });
  root.replaceChildren(
    els.alert,
    h("div", { class: "reg-head" }, els.tabs, els.readonly, els.create),
    h("div", { class: "reg-body" }, els.listPane, els.detail),
  );
}

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
  els.listPane?.replaceChildren();
  els.detail?.replaceChildren();
}

export function setUnacked(n) {
  unacked = n;
  if (!els.alert) return;
  els.alert.hidden = n === 0;
  els.alert.replaceChildren(
    h("span", {}, t("reg.unackedBanner", { n })),
    " ",
    h("a", { href: "#/alarms", class: "btn" }, t("reg.backToAlarms")),
  );
}

function renderChrome() {
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

/** Show `#/registry/<tab>/<id>`; called by nav.js on every route change. */
export function show(route) {
  if (!user) return;
  const nextTab = TABS.includes(route.tab) ? route.tab : "households";
  if (nextTab !== tab || !list) {
    tab = nextTab;
    list = createList({ spec: RESOURCES[tab], onOpen: (id) => go(tab, id) });
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

function go(toTab, id) {
  const hash = `#/registry/${toTab}${id ? `/${encodeURIComponent(id)}` : ""}`;
  if (location.hash === hash) showDetail(id, null);
  else location.hash = hash;
}

async function showDetail(id, flash) {
  detailId = id;
  const seq = ++detailSeq;
  list?.select(id === "new" ? null : id);
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
  const ctx = {
    canWrite: canWrite(),
    flash,
    current: () => seq === detailSeq,
    saved: (savedId, message) => {
      if (tab === "grids") allGrids({ refresh: true }).catch(() => {});
      list?.load();
      if (String(savedId) === String(detailId)) showDetail(detailId, message);
      else {
        pendingFlash = message;
        go(tab, savedId);
      }
    },
    deleted: () => {
      list?.load();
      go(tab, null);
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
    if (tab === "households") await renderHousehold(container, id, ctx);
    else if (tab === "devices") await renderDevice(container, id, ctx);
    else await renderGeneric(container, RESOURCES[tab], id, ctx);
  } catch (err) {
    if (seq !== detailSeq) return;
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
