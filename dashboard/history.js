// The alarm history page (#/history): every alarm, open or closed, filtered by
// date range (default the last 7 days), grid, kind, outcome, status and free
// text (resident, household, device, alarm number), paged, with a CSV link for
// exactly the filters on screen. A row opens the alarm in the detail panel of
// the Alarms page. Also the entry point app.js calls for the audit page
// (audit.js), so the app needs only one hook for both.

import { request } from "./api.js";
import * as audit from "./audit.js";
import { showLastWeek } from "./center-time.js";
import { h, kindBadge, statusBadge } from "./dom.js";
import { getLang, onLangChange, t } from "./i18n.js";
import { dateTime, PAGE_SIZE, pager } from "./records-shared.js";

const KINDS = ["sos", "service", "test"];
const OUTCOMES = ["real", "false_alarm", "test", "none"];
const STATUSES = ["open", "closed"];
let root = null;
let openAlarm = () => {};
let data = null;
let grids = [];
let offset = 0;
let seq = 0;
const els = {};

export function seconds(secs) {
  if (secs === null || secs === undefined) return "—";
  if (secs < 120) return t("history.seconds", { n: secs });
  return t("history.minutes", { n: (secs / 60).toFixed(1) });
}

function select(id, name, values, prefix) {
  return h(
    "select",
    { id, name },
    h("option", { value: "", "data-i18n": "history.any" }),
    values.map((v) => h("option", { value: v, "data-i18n": `${prefix}.${v}` })),
  );
}

function field(id, key, input) {
  return h("label", { for: id }, h("span", { "data-i18n": key }), input);
}

export function initRecords({ history: historyEl, audit: auditEl, openAlarm: open }) {
  openAlarm = open;
  audit.initAudit(auditEl);
  root = historyEl;
  // The range is filled at each login (setUser), once the hub has told its zone.
  els.from = h("input", { type: "date", id: "hist-from", name: "from", required: true });
  els.to = h("input", { type: "date", id: "hist-to", name: "to", required: true });
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
    { id: "hist-form", class: "hist-form", onsubmit: onSubmit },
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
  els.table = h("div", { id: "hist-table", class: "hist-table-box" });
  els.pager = pager("hist", (dir) => {
    offset = Math.max(0, offset + dir * PAGE_SIZE);
    load();
  });
  root.replaceChildren(
    h("div", { class: "hist-head" }, h("h2", { "data-i18n": "history.heading" }), els.form),
    els.error,
    els.table,
    els.pager.el,
  );
  els.form.addEventListener("input", updateCsvLink);
  els.table.addEventListener("click", (ev) => {
    const row = ev.target.closest("tr[data-id]");
    if (row) openAlarm(Number(row.dataset.id));
  });
  els.table.addEventListener("keydown", (ev) => {
    const row = ev.target.closest("tr[data-id]");
    if (row && ev.key === "Enter") openAlarm(Number(row.dataset.id));
  });
  onLangChange(rerender);
  fillStatic();
  updateCsvLink();
}

function fillStatic() {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
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

function onSubmit(ev) {
  ev.preventDefault();
  offset = 0;
  load();
}

/** Called by the app whenever #/history or #/audit is shown. */
export function show(route) {
  if (route.page === "audit") audit.show();
  if (route.page !== "history") return;
  loadGrids();
  load();
}

/** At each login: the default range is the center's last 7 days from today, in the zone the hub just told. */
export function setUser(u) {
  showLastWeek(els.from, els.to);
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
    grids = (await request("GET", "/api/registry/grids?limit=500")).items;
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

async function load() {
  updateCsvLink();
  els.error.hidden = true;
  // Checked here too, so an impossible range is explained without a round trip.
  if (els.from.value && els.to.value && els.from.value > els.to.value) return showError(t("history.rangeInvalid"));
  const mine = ++seq;
  root.dataset.state = "loading";
  const params = query();
  params.set("limit", String(PAGE_SIZE));
  params.set("offset", String(offset));
  try {
    const result = await request("GET", `/api/alarms/history?${params}`);
    if (mine !== seq) return; // a newer request (or a logout) overtook this one
    data = result;
    render();
    root.dataset.state = "ready";
  } catch (err) {
    if (mine !== seq) return;
    showError(err.code === "DATE_RANGE_INVALID" ? t("history.rangeInvalid") : `${err.message} [${err.code}]`);
  }
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
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "#"),
    COLUMNS.map((c) => h("th", { scope: "col" }, t(`history.col.${c}`))),
  );
  const rows = data.alarms.map((a) =>
    h(
      "tr",
      { dataset: { id: a.id, kind: a.kind, outcome: a.outcome ?? "none" }, tabindex: 0, class: "hist-row" },
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
