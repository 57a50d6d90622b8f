// @ts-check
// The Users page (#/users, #/users/<id>, #/users/new), for administrators: every
// account in a list (command center staff, community workers, or all; searchable)
// beside one account's form and actions (users-detail.js). The hub refuses
// everyone else too; this page only does not offer what would be refused.
// Names come from people: every one is drawn as text (dom.js `h`), never as markup.

/** @import { AccountView, SessionUser } from "../protocol/console/index.ts" */

import { h } from "./dom.js";
import { apiErrorOf } from "./form.js";
import { t, tMaybe } from "./i18n.js";
import { accounts as api } from "./users-api.js";
import { renderAccount, stateOf } from "./users-detail.js";

/** The part of a route (nav.js `parseRoute`) the page reads: `#/users/<id|new>`. @typedef {{ id: string | null }} UsersRoute */

/** @type {ReadonlySet<string>} */
const STAFF = new Set(["operator", "supervisor", "admin", "monitor"]);
const FILTERS = ["staff", "workers", "all"];
/** @type {HTMLElement | null} */
let root = null;
/** @type {SessionUser | null} */
let user = null;
/** @type {AccountView[]} */
let list = [];
let loaded = false;
/** @type {string | null} */
let routeId = null;
let seq = 0;
/** @type {string | null} */
let pendingFlash = null;
/**
 * The page's parts, drawn once by initUsers.
 * @typedef {{
 *   denied: HTMLParagraphElement,
 *   heading: HTMLHeadingElement,
 *   filter: HTMLSelectElement,
 *   filterLabel: HTMLLabelElement,
 *   search: HTMLInputElement,
 *   searchLabel: HTMLLabelElement,
 *   create: HTMLAnchorElement,
 *   count: HTMLParagraphElement,
 *   tbody: HTMLTableSectionElement,
 *   thead: HTMLTableSectionElement,
 *   detail: HTMLDivElement,
 *   body: HTMLDivElement,
 * }} Parts
 */
/** @type {Parts | null} */
let els = null;

/** @param {HTMLElement} el */
export function initUsers(el) {
  root = el;
  const denied = h("p", { class: "form-error", id: "users-denied", hidden: true });
  const heading = h("h2", { id: "users-heading" });
  const filter = h(
    "select",
    { id: "users-filter", name: "filter" },
    FILTERS.map((f) => h("option", { value: f })),
  );
  const filterLabel = h("label", { for: "users-filter" });
  const search = h("input", { id: "users-search", type: "search", name: "q", autocomplete: "off" });
  const searchLabel = h("label", { for: "users-search" });
  const create = h("a", { class: "btn btn-primary", id: "users-new", href: "#/users/new" });
  const count = h("p", { class: "reg-range", id: "users-count", role: "status" });
  const tbody = h("tbody");
  const thead = h("thead");
  const detail = h("div", { class: "reg-detail-pane", id: "users-detail", dataset: { mode: "none" } });
  const body = h(
    "div",
    { class: "reg-body" },
    h(
      "div",
      { class: "reg-list-pane" },
      h(
        "div",
        { class: "reg-list" },
        h("div", { class: "reg-search users-filters" }, filterLabel, filter, searchLabel, search),
        count,
        h("div", { class: "reg-table-wrap" }, h("table", { class: "reg-table", id: "users-table" }, thead, tbody)),
      ),
    ),
    detail,
  );
  els = { denied, heading, filter, filterLabel, search, searchLabel, create, count, tbody, thead, detail, body };
  root.replaceChildren(denied, h("div", { class: "reg-head users-head" }, heading, create), body);
  filter.addEventListener("change", renderList);
  search.addEventListener("input", renderList);
  label();
}

const isAdmin = () => user?.role === "admin";

/** @param {SessionUser | null} u */
export function setUser(u) {
  user = u;
  const nav = document.getElementById("nav-users");
  if (nav) nav.hidden = !isAdmin();
}

/** Drops everything shown (logout): the next person starts from a fresh page. */
export function reset() {
  user = null;
  list = [];
  loaded = false;
  routeId = null;
  seq += 1;
  els?.tbody.replaceChildren();
  els?.detail.replaceChildren();
}

function label() {
  if (!els) return;
  els.heading.textContent = t("users.heading");
  els.denied.textContent = t("users.denied");
  els.filterLabel.textContent = t("users.filter");
  for (const option of els.filter.options) option.textContent = t(`users.filter.${option.value}`);
  els.searchLabel.textContent = t("users.search");
  els.search.placeholder = t("users.searchHint");
  els.create.textContent = t("users.new");
  els.thead.replaceChildren(
    h(
      "tr",
      {},
      ["username", "name", "role", "state"].map((c) => h("th", { scope: "col" }, t(`users.col.${c}`))),
    ),
  );
}

/**
 * `#/users/<id|new>`; called by nav.js on every route change.
 * @param {UsersRoute} route
 */
export function show(route) {
  if (!user || !els) return;
  const allowed = isAdmin();
  els.denied.hidden = allowed;
  els.body.hidden = !allowed;
  els.create.hidden = !allowed;
  if (!allowed) return;
  routeId = route.id;
  if (!loaded) reload();
  else {
    renderList();
    renderDetail(null);
  }
}

export function rerender() {
  if (!root) return;
  label();
  if (user && isAdmin() && loaded) {
    renderList();
    renderDetail(null);
  }
}

/**
 * Fetches the list again; the detail is redrawn too unless `detail` is false (a one-time password is on show).
 * @param {string | null} [flash] a message to show (an i18n key)
 * @param {{ detail?: boolean }} [options]
 */
async function reload(flash = null, { detail = true } = {}) {
  if (!els) return;
  const mine = ++seq;
  els.count.textContent = t("users.loading");
  try {
    const { users } = await api.list();
    if (mine !== seq) return;
    list = users;
    loaded = true;
    renderList();
    if (detail) renderDetail(flash);
  } catch (failure) {
    if (mine !== seq) return;
    const err = apiErrorOf(failure);
    els.count.textContent = `${t("error.generic")}: ${tMaybe(`error.${err.code}`) ?? err.message} [${err.code}]`;
  }
}

/** @param {AccountView} account */
function matches(account) {
  if (!els) return false;
  const filter = els.filter.value;
  if (filter === "staff" && !STAFF.has(account.role)) return false;
  if (filter === "workers" && account.role !== "worker") return false;
  const q = els.search.value.trim().toLowerCase();
  return !q || account.username.toLowerCase().includes(q) || account.displayName.toLowerCase().includes(q);
}

function renderList() {
  if (!els) return;
  const shown = list.filter(matches);
  els.count.textContent = shown.length ? t("users.count", { n: shown.length }) : t("users.empty");
  els.tbody.replaceChildren(
    ...shown.map((a) => {
      const state = stateOf(a);
      const row = h(
        "tr",
        {
          dataset: { id: String(a.id), username: a.username, state },
          class: String(a.id) === String(routeId) ? "selected" : null,
          tabindex: 0,
        },
        h("td", { content: true }, a.username),
        h("td", { class: "wide", content: true }, a.displayName),
        h("td", {}, t(`user.role.${a.role}`)),
        h("td", {}, h("span", { class: `badge account-${state}` }, t(`users.state.${state}`))),
      );
      const open = () => {
        location.hash = `#/users/${a.id}`;
      };
      row.addEventListener("click", open);
      row.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") open();
      });
      return row;
    }),
  );
}

/** @param {string | null} flash a message to show (an i18n key) */
function renderDetail(flash) {
  if (!els || !user) return;
  const message = flash ?? pendingFlash;
  pendingFlash = null;
  if (routeId === null) {
    els.detail.dataset.mode = "none";
    els.detail.replaceChildren(h("p", { class: "reg-placeholder muted" }, t("users.pick")));
    return;
  }
  const account = routeId === "new" ? null : (list.find((a) => String(a.id) === String(routeId)) ?? null);
  if (routeId !== "new" && !account) {
    els.detail.dataset.mode = "error";
    els.detail.replaceChildren(h("p", { class: "form-error" }, t("error.USER_NOT_FOUND")));
    return;
  }
  renderAccount(els.detail, {
    account,
    me: user,
    accounts: list,
    flash: message,
    listChanged: () => reload(null, { detail: false }),
    /** After a change: reload the list and show the account, with a message or a one-time password panel. */
    saved: (id, nextFlash) => {
      if (String(id) === String(routeId)) reload(nextFlash);
      else {
        pendingFlash = nextFlash;
        location.hash = `#/users/${id}`;
        reload(null);
      }
    },
  });
}
