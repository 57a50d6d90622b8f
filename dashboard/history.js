// @ts-check
// The alarm history page (#/history): every alarm, open or closed, filtered by
// date range (default the last 7 days), grid, kind, outcome, status and free
// text (resident, household, device, alarm number), paged, with a CSV link for
// exactly the filters on screen. A row opens the alarm in the detail panel of
// the Alarms page. Also the entry point app.js calls for the audit page
// (audit.js), so the app needs only one hook for both.

/** @import { HISTORY_KINDS, HISTORY_OUTCOMES, HistoryPage, HistoryRow, SessionUser } from "../protocol/console/index.ts" */

import * as audit from "./audit.js";
import { showLastWeek } from "./center-time.js";
import { checkDayRange, dayInput, guardDownload } from "./day-field.js";
import { h, kindBadge, statusBadge } from "./dom.js";
import { request } from "./http.js";
import { applyStatic, getLang, onLangChange, t } from "./i18n.js";
import { dateTime, fillZoneNote, PAGE_SIZE, pager, refusalText, zoneNote } from "./records-shared.js";

/** One grid in the filter's list. @typedef {{ id: number, code: string, name: string }} GridOption */
/** The route the app hands over (nav.js). @typedef {{ page: string }} Route */
/**
 * The page's elements, made once by initRecords (which the app calls before anything else here).
 * @typedef {{
 *   from: HTMLInputElement, to: HTMLInputElement, grid: HTMLSelectElement, kind: HTMLSelectElement,
 *   outcome: HTMLSelectElement, status: HTMLSelectElement, q: HTMLInputElement, csv: HTMLAnchorElement,
 *   form: HTMLFormElement, error: HTMLParagraphElement, zone: HTMLParagraphElement, table: HTMLDivElement,
 *   pager: ReturnType<typeof pager>,
 * }} Els
 */

/** @type {readonly (typeof HISTORY_KINDS)[number][]} */
const KINDS = ["sos", "service", "test"];
/** @type {readonly (typeof HISTORY_OUTCOMES)[number][]} */
const OUTCOMES = ["real", "false_alarm", "test", "none"];
const STATUSES = ["open", "closed"];
/** @type {HTMLElement} */
let root;
/** @type {(id: number) => void} */
let openAlarm = () => {};
/** @type {HistoryPage | null} */
let data = null;
/** @type {GridOption[]} */
let grids = [];
let offset = 0;
let seq = 0;
const els = /** @type {Els} */ ({});

/** @param {number | null | undefined} secs */
export function seconds(secs) {
  if (secs === null || secs === undefined) return "—";
  if (secs < 120) return t("history.seconds", { n: secs });
  return t("history.minutes", { n: (secs / 60).toFixed(1) });
}

/**
 * @param {string} id
 * @param {string} name
 * @param {readonly string[]} values
 * @param {string} prefix the i18n keys' prefix of the values
 */
function select(id, name, values, prefix) {
  return h(
    "select",
    { id, name },
    h("option", { value: "", "data-i18n": "history.any" }),
    values.map((v) => h("option", { value: v, "data-i18n": `${prefix}.${v}` })),
  );
}

/**
 * @param {string} id
 * @param {string} key
 * @param {HTMLElement} input
 */
function field(id, key, input) {
  return h("label", { for: id }, h("span", { "data-i18n": key }), input);
}

/**
 * @param {{ history: HTMLElement, audit: HTMLElement, openAlarm: (id: number) => void }} parts
 */
export function initRecords(parts) {
  openAlarm = parts.openAlarm;
  audit.initAudit(parts.audit);
  root = parts.history;
  // The range is filled at each login (setUser), once the hub has told its zone.
  els.from = dayInput({ id: "hist-from", name: "from", required: true });
  els.to = dayInput({ id: "hist-to", name: "to", required: true });
  els.grid = h("select", { id: "hist-grid", name: "gridId" }, h("option", { value: "", "data-i18n": "history.any" }));
  els.kind = select("hist-kind", "kind", KINDS, "kind");
  els.outcome = select("hist-outcome", "outcome", OUTCOMES, "history.outcome");
  els.status = select("hist-status", "status", STATUSES, "history.status");
  els.q = h("input", {
    type: "search",
    id: "hist-q",
    name: "q",
    maxlength: 100,
    "data-i18n-placeholder": "history.qHint",
  });
  els.csv = h("a", { id: "hist-csv", class: "btn", download: "", "data-i18n": "history.csv" });
  els.form = h(
    "form",
    // novalidate: the page checks the days itself, in the console's language (day-field.js).
    { id: "hist-form", class: "hist-form", novalidate: true, onsubmit: onSubmit },
    field("hist-from", "history.from", els.from),
    field("hist-to", "history.to", els.to),
    field("hist-grid", "history.grid", els.grid),
    field("hist-kind", "history.kind", els.kind),
    field("hist-outcome", "history.outcomeLabel", els.outcome),
    field("hist-status", "history.statusLabel", els.status),
    field("hist-q", "history.q", els.q),
    h("button", { type: "submit", class: "btn btn-primary", "data-i18n": "history.search" }),
    els.csv,
  );
  els.error = h("p", { id: "hist-error", class: "form-error", role: "alert", hidden: true });
  els.zone = zoneNote("hist-zone");
  els.table = h("div", { id: "hist-table", class: "hist-table-box" });
  els.pager = pager("hist", (dir) => {
    offset = Math.max(0, offset + dir * PAGE_SIZE);
    load();
  });
  root.replaceChildren(
    h("div", { class: "hist-head" }, h("h2", { "data-i18n": "history.heading" }), els.form),
    els.error,
    els.zone,
    els.table,
    els.pager.el,
  );
  els.form.addEventListener("input", updateCsvLink);
  guardDownload(els.csv, checkedRange, updateCsvLink);
  els.table.addEventListener("click", (ev) => {
    const id = rowId(ev);
    if (id !== null) openAlarm(id);
  });
  els.table.addEventListener("keydown", (ev) => {
    const id = rowId(ev);
    if (id !== null && ev.key === "Enter") openAlarm(id);
  });
  onLangChange(rerender);
  fillStatic();
  updateCsvLink();
}

/**
 * The alarm of the row an event happened in, if any.
 * @param {Event} ev
 */
function rowId(ev) {
  const row = ev.target instanceof Element ? ev.target.closest("tr[data-id]") : null;
  return row instanceof HTMLElement ? Number(row.dataset.id) : null;
}

/** The page is built after the app's first applyStatic, so it fills its own labels. */
function fillStatic() {
  applyStatic(root);
  fillZoneNote(els.zone);
}

function query() {
  const params = new URLSearchParams();
  for (const el of [els.from, els.to, els.grid, els.kind, els.outcome, els.status, els.q]) {
    const value = el.value.trim();
    if (value) params.set(el.name, value);
  }
  return params;
}

function updateCsvLink() {
  const params = query();
  params.set("lang", getLang());
  els.csv.href = `/api/alarms/history.csv?${params}`;
}

/** @param {SubmitEvent} ev */
function onSubmit(ev) {
  ev.preventDefault();
  offset = 0;
  load();
}

/**
 * Called by the app whenever a page is shown: loads #/history or #/audit.
 * @param {Route} route
 */
export function show(route) {
  if (route.page === "audit") audit.show();
  if (route.page !== "history") return;
  loadGrids();
  load();
}

/**
 * At each login: the default range is the center's last 7 days from today, in the zone the hub just told.
 * @param {SessionUser} u
 */
export function setUser(u) {
  showLastWeek(els.from, els.to);
  fillZoneNote(els.zone);
  audit.setUser(u);
}

export function reset() {
  data = null;
  offset = 0;
  seq += 1;
  els.table?.replaceChildren();
  audit.reset();
}

async function loadGrids() {
  if (grids.length > 0) return;
  try {
    /** @type {{ items: GridOption[] }} */
    const answer = await request("GET", "/api/registry/grids?limit=500");
    grids = answer.items;
    const chosen = els.grid.value;
    els.grid.replaceChildren(
      h("option", { value: "", "data-i18n": "history.any" }, t("history.any")),
      ...grids.map((g) => h("option", { value: String(g.id), "data-content": "" }, `${g.code} · ${g.name}`)),
    );
    els.grid.value = chosen;
  } catch {
    // The grid list is a convenience; every other filter still works without it.
  }
}

/** The range is well written and in order, with any earlier error taken away; otherwise false, after saying what is wrong. */
function checkedRange() {
  els.error.hidden = true;
  const from = { input: els.from, label: "history.from" };
  return checkDayRange(from, { input: els.to, label: "history.to" }, { required: true, showError });
}

async function load() {
  // Checked here too, so a bad day or an impossible range is explained without a round trip.
  if (!checkedRange()) return;
  updateCsvLink();
  const mine = ++seq;
  root.dataset.state = "loading";
  const params = query();
  params.set("limit", String(PAGE_SIZE));
  params.set("offset", String(offset));
  try {
    /** @type {HistoryPage} */
    const result = await request("GET", `/api/alarms/history?${params}`);
    if (mine !== seq) return; // a newer request (or a logout) overtook this one
    data = result;
    render();
    root.dataset.state = "ready";
  } catch (err) {
    if (mine !== seq) return;
    showError(refusalText(err));
  }
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
  audit.rerender();
}

const COLUMNS = [
  "received",
  "kind",
  "status",
  "outcome",
  "resident",
  "household",
  "grid",
  "worker",
  "ack",
  "arrival",
  "resolution",
];

/** @param {HistoryRow} a */
function cells(a) {
  const household = a.householdCode ? `${a.householdCode} · ${a.householdAddress}` : "—";
  return [
    dateTime(a.receivedAt),
    kindBadge(a.kind),
    statusBadge(a.status),
    a.outcome ? t(`outcome.${a.outcome}`) : "—",
    h("span", { content: true }, a.residentName ?? "—"),
    h("span", { content: true }, household),
    h("span", { content: true }, a.gridName ?? "—"),
    h("span", { content: true }, a.workerName ?? "—"),
    seconds(a.ackS),
    seconds(a.arrivalS),
    seconds(a.resolutionS),
  ];
}

function render() {
  if (!data) return;
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "#"),
    COLUMNS.map((c) => h("th", { scope: "col" }, t(`history.col.${c}`))),
  );
  const rows = data.alarms.map((a) =>
    h(
      "tr",
      { dataset: { id: String(a.id), kind: a.kind, outcome: a.outcome ?? "none" }, tabindex: 0, class: "hist-row" },
      h("td", { content: true }, String(a.id)),
      cells(a).map((c, i) => h("td", { dataset: { col: COLUMNS[i] } }, c)),
    ),
  );
  const empty = data.total === 0 ? h("p", { class: "hist-empty" }, t("history.empty")) : null;
  els.table.replaceChildren(
    h("table", { class: "hist-table" }, h("thead", {}, head), h("tbody", {}, rows)),
    empty ?? "",
  );
  root.dataset.total = String(data.total);
  els.pager.update(data.total, data.offset, data.alarms.length);
}
