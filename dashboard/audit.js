// @ts-check
// The audit log page (#/audit), for supervisors and administrators: who did
// what and when (logins, alarm and registry actions, health-data views,
// exports), filtered by date range, actor and action, paged, with a CSV link.
// Operators never see the nav link, and the page says "not allowed" if they
// type the address; the hub refuses them anyway (403). Looking at the log is
// itself audited by the hub. The detail column reads as labelled values (audit-detail.js).

/** @import { AuditPage, Role, SessionUser } from "../protocol/console/index.ts" */

import { actionLabel, detailView } from "./audit-detail.js";
import { showLastWeek } from "./center-time.js";
import { checkDayRange, dayInput, guardDownload } from "./day-field.js";
import { h } from "./dom.js";
import { request } from "./http.js";
import { applyStatic, getLang, t } from "./i18n.js";
import { dateTime, fillZoneNote, PAGE_SIZE, pager, refusalText, zoneNote } from "./records-shared.js";

/**
 * The page's elements, made once by initAudit (which the app calls before anything else here).
 * @typedef {{
 *   from: HTMLInputElement, to: HTMLInputElement, actor: HTMLInputElement, action: HTMLSelectElement,
 *   csv: HTMLAnchorElement, form: HTMLFormElement, denied: HTMLParagraphElement, error: HTMLParagraphElement,
 *   zone: HTMLParagraphElement, table: HTMLDivElement, pager: ReturnType<typeof pager>, body: HTMLDivElement,
 * }} Els
 */

/** @type {ReadonlySet<Role>} */
const READERS = new Set(["supervisor", "admin"]);
/** @type {HTMLElement} */
let root;
/** @type {SessionUser | null} */
let user = null;
/** @type {AuditPage | null} */
let data = null;
let offset = 0;
let seq = 0;
const els = /** @type {Els} */ ({});

/** @param {HTMLElement} el */
export function initAudit(el) {
  root = el;
  // The range is filled at each login (setUser), once the hub has told its zone.
  els.from = dayInput({ id: "audit-from", name: "from" });
  els.to = dayInput({ id: "audit-to", name: "to" });
  els.actor = h("input", { type: "search", id: "audit-actor", name: "actor", maxlength: 100 });
  els.action = h("select", { id: "audit-action", name: "action" }, h("option", { value: "" }));
  els.csv = h("a", { id: "audit-csv", class: "btn", download: "", "data-i18n": "audit.csv" });
  /**
   * @param {string} id
   * @param {string} key
   * @param {HTMLElement} input
   */
  const field = (id, key, input) => h("label", { for: id }, h("span", { "data-i18n": key }), input);
  els.form = h(
    "form",
    // novalidate: the page checks the days itself, in the console's language (day-field.js).
    { id: "audit-form", class: "hist-form", novalidate: true, onsubmit: onSubmit },
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
  els.zone = zoneNote("audit-zone");
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
    els.zone,
    els.table,
    els.pager.el,
  );
  root.replaceChildren(els.denied, els.body);
  els.form.addEventListener("input", updateCsvLink);
  guardDownload(els.csv, checkedRange, updateCsvLink);
  fillStatic();
  updateCsvLink();
}

/** The page is built after the app's first applyStatic, so it fills its own labels. */
function fillStatic() {
  applyStatic(root);
  fillZoneNote(els.zone);
  els.actor.placeholder = t("audit.actorHint");
  const first = els.action.options[0];
  if (first) first.textContent = t("history.any");
  for (const option of [...els.action.options].slice(1)) option.textContent = actionLabel(option.value);
}

/** @param {SessionUser} u */
export function setUser(u) {
  user = u;
  showLastWeek(els.from, els.to);
  fillZoneNote(els.zone);
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

/** @param {SubmitEvent} ev */
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

/** The range (either end may be left empty) is well written and in order, with any earlier error taken away; otherwise false, after saying what is wrong. */
function checkedRange() {
  els.error.hidden = true;
  const from = { input: els.from, label: "audit.from" };
  return checkDayRange(from, { input: els.to, label: "audit.to" }, { required: false, showError });
}

async function load() {
  if (!checkedRange()) return;
  updateCsvLink();
  const mine = ++seq;
  root.dataset.state = "loading";
  const params = query();
  params.set("limit", String(PAGE_SIZE));
  params.set("offset", String(offset));
  try {
    /** @type {AuditPage} */
    const result = await request("GET", `/api/audit?${params}`);
    if (mine !== seq) return;
    data = result;
    fillActions(result.actions);
    render();
    root.dataset.state = "ready";
  } catch (err) {
    if (mine !== seq) return;
    showError(refusalText(err));
  }
}

/** @param {readonly string[]} actions */
function fillActions(actions) {
  const chosen = els.action.value;
  els.action.replaceChildren(
    h("option", { value: "" }, t("history.any")),
    ...actions.map((a) => h("option", { value: a }, actionLabel(a))),
  );
  els.action.value = chosen;
}

/** @param {string} message */
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
  if (!data) return;
  const head = h(
    "tr",
    {},
    COLUMNS.map((c) => h("th", { scope: "col" }, t(`audit.col.${c}`))),
  );
  const rows = data.entries.map((e) =>
    h(
      "tr",
      { dataset: { id: String(e.id), action: e.action } },
      h("td", {}, dateTime(e.at)),
      h("td", { content: true }, e.actor),
      h("td", { title: e.action }, actionLabel(e.action)),
      h("td", { content: true }, e.target ?? "—"),
      // Labelled values: the labels are interface text, what people typed is marked as data.
      h("td", { class: "audit-detail" }, detailView(e.detail)),
    ),
  );
  const empty = data.total === 0 ? h("p", { class: "hist-empty" }, t("audit.empty")) : null;
  els.table.replaceChildren(
    h("table", { class: "hist-table" }, h("thead", {}, head), h("tbody", {}, rows)),
    empty ?? "",
  );
  els.pager.update(data.total, data.offset, data.entries.length);
}
