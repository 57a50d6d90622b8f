// @ts-check
// The KPI page (#/kpi): a date range (default the last 7 days), headline tiles,
// alarms per day by kind, a per-grid table, and the same figures as CSV. The
// figures are the hub's (GET /api/kpi): this page only formats them, so the
// console and the CSV can never disagree.

/** @import { KpiGridRow, KpiReport } from "../protocol/console/index.ts" */

import { showLastWeek } from "./center-time.js";
import { checkDayRange, dayInput, guardDownload } from "./day-field.js";
import { h } from "./dom.js";
import { ApiError, request } from "./http.js";
import { applyStatic, getLang, t } from "./i18n.js";
import { stackedBars } from "./kpi-chart.js";

/**
 * The page's elements, made once by initKpi (which the app calls before anything else here).
 * @typedef {{
 *   from: HTMLInputElement, to: HTMLInputElement, csv: HTMLAnchorElement, form: HTMLFormElement,
 *   error: HTMLParagraphElement, zone: HTMLParagraphElement, tiles: HTMLDivElement, chart: HTMLDivElement,
 *   grids: HTMLDivElement,
 * }} Els
 */

/** @type {readonly (keyof KpiReport["totals"]["byKind"])[]} */
const KINDS = ["sos", "service", "test"];
/** @type {HTMLElement} */
let root;
/** @type {KpiReport | null} */
let report = null;
let seq = 0;
const els = /** @type {Els} */ ({});

/** @param {HTMLElement} el */
export function initKpi(el) {
  root = el;
  // The range is filled at each login (resetRange), once the hub has told its zone.
  els.from = dayInput({ id: "kpi-from", name: "from", required: true });
  els.to = dayInput({ id: "kpi-to", name: "to", required: true });
  els.csv = h("a", { id: "kpi-csv", class: "btn", download: "" });
  els.form = h(
    "form",
    // novalidate: the page checks the days itself, in the console's language (day-field.js).
    { id: "kpi-form", class: "kpi-form", novalidate: true, onsubmit: onSubmit },
    h("label", { for: "kpi-from" }, h("span", { "data-i18n": "kpi.from" }), els.from),
    h("label", { for: "kpi-to" }, h("span", { "data-i18n": "kpi.to" }), els.to),
    h("button", { type: "submit", class: "btn btn-primary", "data-i18n": "kpi.show" }),
    els.csv,
  );
  els.error = h("p", { id: "kpi-error", class: "form-error", role: "alert", hidden: true });
  els.zone = h("p", { id: "kpi-zone", class: "kpi-zone" });
  els.tiles = h("div", { id: "kpi-tiles", class: "kpi-tiles" });
  els.chart = h("div", { id: "kpi-chart", class: "kpi-chart-box" });
  els.grids = h("div", { id: "kpi-grids", class: "kpi-grids" });
  root.replaceChildren(
    h("div", { class: "kpi-head" }, h("h2", { "data-i18n": "kpi.heading" }), els.form),
    els.error,
    els.zone,
    els.tiles,
    h("section", { class: "kpi-panel" }, h("h3", { "data-i18n": "kpi.chart.heading" }), els.chart),
    h("section", { class: "kpi-panel" }, h("h3", { "data-i18n": "kpi.grids.heading" }), els.grids),
  );
  for (const input of [els.from, els.to]) input.addEventListener("change", updateCsvLink);
  guardDownload(els.csv, checkedRange, updateCsvLink);
  updateCsvLink();
  fillStatic();
}

/** The page is built after the app's first applyStatic, so it fills its own labels. */
function fillStatic() {
  applyStatic(root);
  els.csv.textContent = t("kpi.csv");
}

function query() {
  return `from=${encodeURIComponent(els.from.value)}&to=${encodeURIComponent(els.to.value)}`;
}

function updateCsvLink() {
  els.csv.href = `/api/kpi.csv?${query()}`;
}

/** @param {SubmitEvent} ev */
function onSubmit(ev) {
  ev.preventDefault();
  load();
}

/** At each login: the default range is the center's last 7 days from today, in the zone the hub just told. */
export function resetRange() {
  showLastWeek(els.from, els.to);
}

/** Called by the app whenever #/kpi is shown. */
export function show() {
  load();
}

export function reset() {
  report = null;
  seq += 1;
  els.tiles?.replaceChildren();
  els.chart?.replaceChildren();
  els.grids?.replaceChildren();
}

/** The range is well written and in order, with any earlier error taken away; otherwise false, after saying what is wrong. */
function checkedRange() {
  els.error.hidden = true;
  const from = { input: els.from, label: "kpi.from" };
  return checkDayRange(from, { input: els.to, label: "kpi.to" }, { required: true, showError });
}

async function load() {
  // Checked here too, so a bad day or an impossible range is explained without a round trip
  // (the 366 days at most are the hub's to say: KPI_RANGE_INVALID).
  if (!checkedRange()) return;
  updateCsvLink();
  const mine = ++seq;
  root.dataset.state = "loading";
  try {
    /** @type {KpiReport} */
    const data = await request("GET", `/api/kpi?${query()}`);
    if (mine !== seq) return; // a newer request (or a logout) overtook this one
    report = data;
    render();
    root.dataset.state = "ready";
  } catch (err) {
    if (mine !== seq) return;
    if (err instanceof ApiError) {
      showError(err.code === "KPI_RANGE_INVALID" ? t("kpi.rangeInvalid") : `${err.message} [${err.code}]`);
    } else showError(err instanceof Error ? err.message : String(err));
  }
}

/** @param {string} message */
function showError(message) {
  root.dataset.state = "error";
  els.error.textContent = message;
  els.error.hidden = false;
}

// ---- formatting: rates arrive as fractions, times as seconds, null means "nothing to compute from" ----

/** @param {number | null | undefined} v a fraction */
function pct(v) {
  return v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)} %`;
}

/** @param {number | null | undefined} secs */
export function duration(secs) {
  if (secs === null || secs === undefined) return "—";
  if (secs < 120) return t("kpi.seconds", { n: secs.toFixed(1) });
  return t("kpi.minutes", { n: (secs / 60).toFixed(1) });
}

/**
 * @param {string} key
 * @param {string} value the figure as shown
 * @param {number | null} raw the figure as the hub gave it (for tests and tooltips)
 * @param {HTMLElement} [extra]
 */
function tile(key, value, raw, extra) {
  return h(
    "div",
    { class: "kpi-tile", dataset: { tile: key, value: String(raw ?? "") } },
    h("span", { class: "kpi-label" }, t(`kpi.tile.${key}`)),
    h("span", { class: "kpi-value" }, value),
    extra,
  );
}

export function rerender() {
  if (root) fillStatic();
  if (report) render();
}

function render() {
  if (!report) return;
  els.zone.textContent = t("kpi.timeZone", { zone: report.timeZone });
  const total = report.totals;
  const ack = total.ackWithin60s;
  const met = ack !== null && ack >= report.ackTarget;
  const ackTile = tile(
    "ack60",
    pct(ack),
    ack,
    h("span", { class: "kpi-target" }, `${t("kpi.target", { target: pct(report.ackTarget) })}`),
  );
  // Green only when the TSA benchmark is met; no alarms at all is neither good nor bad.
  ackTile.classList.add(ack === null ? "kpi-neutral" : met ? "kpi-good" : "kpi-bad");
  ackTile.title = ack === null ? "" : t(met ? "kpi.targetMet" : "kpi.targetMissed");
  els.tiles.replaceChildren(
    tile("alarms", String(total.alarms), total.alarms),
    ackTile,
    tile("ackMedian", duration(total.stages.ack.median), total.stages.ack.median),
    tile("falseAlarm", pct(total.falseAlarmRate), total.falseAlarmRate),
    tile("closure", pct(total.closureRate), total.closureRate),
  );
  renderChart(report);
  renderGrids(report);
}

/**
 * A KPI day as the chart labels it, in the console's language: 6月1日, Jun 1. The day is already the
 * center's (YYYY-MM-DD), a date on a calendar rather than an instant: formatted in UTC, it stays that day.
 * @param {string} date
 */
function dayLabel(date) {
  return new Intl.DateTimeFormat(getLang(), { month: "short", day: "numeric", timeZone: "UTC" }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

/** @param {KpiReport} report */
function renderChart(report) {
  const series = KINDS.map((k) => ({ key: k, label: t(`kind.${k}`), className: `seg-${k}` }));
  const bars = report.days.map((d) => ({ label: dayLabel(d.date), values: d.byKind }));
  const legend = h(
    "div",
    { class: "kpi-legend" },
    series.map((ser) => h("span", { class: `kpi-key ${ser.className}` }, ser.label)),
  );
  const empty = report.totals.alarms === 0 ? h("p", { class: "kpi-empty" }, t("kpi.chart.empty")) : null;
  els.chart.replaceChildren(legend, stackedBars(bars, series, { title: t("kpi.chart.heading") }), empty ?? "");
}

/** @type {readonly [string, (g: KpiGridRow) => string][]} */
const COLUMNS = [
  ["alarms", (g) => String(g.alarms)],
  ["ack60", (g) => pct(g.ackWithin60s)],
  ["ackMedian", (g) => duration(g.stages.ack.median)],
  ["ackP90", (g) => duration(g.stages.ack.p90)],
  ["acceptMedian", (g) => duration(g.stages.accept.median)],
  ["onSceneMedian", (g) => duration(g.stages.onScene.median)],
  ["resolveMedian", (g) => duration(g.stages.resolve.median)],
  ["closure", (g) => pct(g.closureRate)],
  ["followUp", (g) => pct(g.followUpRate)],
  ["falseAlarm", (g) => pct(g.falseAlarmRate)],
  ["faults", (g) => String(Object.values(g.faults).reduce((a, b) => a + b, 0))],
];

/** @param {KpiReport} report */
function renderGrids(report) {
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, t("kpi.col.grid")),
    COLUMNS.map(([key]) => h("th", { scope: "col" }, t(`kpi.col.${key}`))),
  );
  const rows = report.grids.map((g) =>
    h(
      "tr",
      { dataset: { gridId: g.gridId === null ? "none" : String(g.gridId) } },
      g.gridId === null
        ? h("th", { scope: "row" }, t("kpi.noGrid"))
        : h("th", { scope: "row", content: true }, `${g.code} · ${g.name}`),
      COLUMNS.map(([key, cell]) => h("td", { dataset: { col: key } }, cell(g))),
    ),
  );
  els.grids.replaceChildren(h("table", { class: "kpi-table" }, h("thead", {}, head), h("tbody", {}, rows)));
}
