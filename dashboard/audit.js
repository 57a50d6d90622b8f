// The audit log page (#/audit), for supervisors and administrators: who did
// what and when (logins, alarm and registry actions, health-data views,
// exports), filtered by date range, actor and action, paged, with a CSV link.
// Operators never see the nav link, and the page says "not allowed" if they
// type the address; the hub refuses them anyway (403). Looking at the log is
// itself audited by the hub.

import { request } from "./api.js";
import { showLastWeek } from "./center-time.js";
import { h } from "./dom.js";
import { getLang, t, tMaybe } from "./i18n.js";
import { dateTime, PAGE_SIZE, pager } from "./records-shared.js";

const READERS = new Set(["supervisor", "admin"]);
let root = null;
let user = null;
let data = null;
let offset = 0;
let seq = 0;
const els = {};

export function initAudit(el) {
  root = el;
  // The range is filled at each login (setUser), once the hub has told its zone.
  els.from = h("input", { type: "date", id: "audit-from", name: "from" });
  els.to = h("input", { type: "date", id: "audit-to", name: "to" });
  els.actor = h("input", { type: "search", id: "audit-actor", name: "actor", maxlength: 100 });
  els.action = h("select", { id: "audit-action", name: "action" }, h("option", { value: "" }));
  els.csv = h("a", { id: "audit-csv", class: "btn", download: "", "data-i18n": "audit.csv" });
  const field = (id, key, input) => h("label", { for: id }, h("span", { "data-i18n": key }), input);
  els.form = h(
    "form",
    { id: "audit-form", class: "hist-form", onsubmit: onSubmit },
    field("audit-from", "audit.from", els.from),
    field("audit-to", "audit.to", els.to),
    field("audit-actor", "audit.actor", els.actor),
    field("audit-action", "audit.action", els.action),
    h("button", { type: "submit", class: "btn btn-primary", "data-i18n": "audit.search" }),
    els.csv,
  );
  els.denied = h("p", {
    id: "audit-denied",
    class: "banner banner-warn",
    role: "alert",
    "data-i18n": "audit.denied",
    hidden: true,
  });
  els.error = h("p", { id: "audit-error", class: "form-error", role: "alert", hidden: true });
  els.table = h("div", { id: "audit-table", class: "hist-table-box" });
  els.pager = pager("audit", (dir) => {
    offset = Math.max(0, offset + dir * PAGE_SIZE);
    load();
  });
  els.body = h(
    "div",
    { class: "audit-body" },
    h("div", { class: "hist-head" }, h("h2", { "data-i18n": "audit.heading" }), els.form),
    els.error,
    els.table,
    els.pager.el,
  );
  root.replaceChildren(els.denied, els.body);
  els.form.addEventListener("input", updateCsvLink);
  fillStatic();
  updateCsvLink();
}

function fillStatic() {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  els.actor.placeholder = t("audit.actorHint");
  const first = els.action.options[0];
  if (first) first.textContent = t("history.any");
  for (const option of [...els.action.options].slice(1)) option.textContent = actionLabel(option.value);
}

/** Known actions read as words; an action added later shows its code rather than nothing. */
function actionLabel(action) {
  return tMaybe(`audit.act.${action}`) ?? action;
}

export function setUser(u) {
  user = u;
  showLastWeek(els.from, els.to);
  const nav = document.getElementById("nav-audit");
  if (nav) nav.hidden = !READERS.has(u.role);
}

function allowed() {
  return user !== null && READERS.has(user.role);
}

function query() {
  const params = new URLSearchParams();
  for (const el of [els.from, els.to, els.actor, els.action]) {
    const value = el.value.trim();
    if (value) params.set(el.name, value);
  }
  return params;
}

function updateCsvLink() {
  const params = query();
  params.set("lang", getLang());
  els.csv.href = `/api/audit.csv?${params}`;
}

function onSubmit(ev) {
  ev.preventDefault();
  offset = 0;
  load();
}

export function show() {
  const ok = allowed();
  els.denied.hidden = ok;
  els.body.hidden = !ok;
  root.dataset.state = ok ? "loading" : "denied";
  if (ok) load();
}

export function reset() {
  data = null;
  user = null;
  offset = 0;
  seq += 1;
  els.table?.replaceChildren();
}

async function load() {
  updateCsvLink();
  els.error.hidden = true;
  if (els.from.value && els.to.value && els.from.value > els.to.value) return showError(t("history.rangeInvalid"));
  const mine = ++seq;
  root.dataset.state = "loading";
  const params = query();
  params.set("limit", String(PAGE_SIZE));
  params.set("offset", String(offset));
  try {
    const result = await request("GET", `/api/audit?${params}`);
    if (mine !== seq) return;
    data = result;
    fillActions(result.actions);
    render();
    root.dataset.state = "ready";
  } catch (err) {
    if (mine !== seq) return;
    showError(err.code === "DATE_RANGE_INVALID" ? t("history.rangeInvalid") : `${err.message} [${err.code}]`);
  }
}

function fillActions(actions) {
  const chosen = els.action.value;
  els.action.replaceChildren(
    h("option", { value: "" }, t("history.any")),
    ...actions.map((a) => h("option", { value: a }, actionLabel(a))),
  );
  els.action.value = chosen;
}

function showError(message) {
  root.dataset.state = "error";
  els.error.textContent = message;
  els.error.hidden = false;
}

export function rerender() {
  if (!root) return;
  fillStatic();
  updateCsvLink();
  if (data) render();
}

const COLUMNS = ["at", "actor", "action", "target", "detail"];

function render() {
  const head = h(
    "tr",
    {},
    COLUMNS.map((c) => h("th", { scope: "col" }, t(`audit.col.${c}`))),
  );
  const rows = data.entries.map((e) =>
    h(
      "tr",
      { dataset: { id: e.id, action: e.action } },
      h("td", {}, dateTime(e.at)),
      h("td", { content: true }, e.actor),
      h("td", { title: e.action }, actionLabel(e.action)),
      h("td", { content: true }, e.target ?? "—"),
      // Detail is the hub's JSON as stored: data, not interface text.
      h("td", { content: true, class: "audit-detail" }, e.detail === null ? "—" : JSON.stringify(e.detail)),
    ),
  );
  const empty = data.total === 0 ? h("p", { class: "hist-empty" }, t("audit.empty")) : null;
  els.table.replaceChildren(
    h("table", { class: "hist-table" }, h("thead", {}, head), h("tbody", {}, rows)),
    empty ?? "",
  );
  els.pager.update(data.total, data.offset, data.entries.length);
}
