// @ts-check
// The map page (#/map): the whole district at a glance: every grid, the clinics, the on-duty
// workers where they are now (busy ones in violet), and each open alarm's household as a pin;
// clicking a pin opens that alarm on the Alarms page. Polls /api/map while shown (map.js).

/** @import { MapLayers } from "../protocol/console/index.ts" */
/** @import { MapHandle } from "./map.js" */

import * as detail from "./detail.js";
import { byId, h } from "./dom.js";
import { asApiError } from "./http.js";
import { onLangChange, t } from "./i18n.js";
import { createMap, expose, fetchLayers, legend, mapFrame, POLL_MS } from "./map.js";

/**
 * The page's elements, made by build on the first show (before anything else here runs).
 * @typedef {{ title: HTMLElement, counts: HTMLElement, hint: HTMLElement, legend: HTMLElement, error: HTMLElement }} Els
 */

/** @type {HTMLElement | null} */
let root = null;
/** @type {{ notice: HTMLElement, canvas: HTMLElement }} */
let frame;
/** @type {MapHandle | null} */
let handle = null;
/** @type {Promise<MapHandle> | null} */
let creating = null;
/** @type {MapLayers | null} */
let layers = null;
let framed = false;
/** @type {number | undefined} */
let timer;
let seq = 0;
const els = /** @type {Els} */ ({});

/** @returns {HTMLElement} */
function build() {
  const page = byId("map-view");
  frame = mapFrame("page-map-canvas");
  els.title = h("h2", {});
  els.counts = h("p", { class: "map-counts muted", id: "map-counts" });
  els.hint = h("p", { class: "muted" });
  els.legend = h("div", { class: "map-legend-box" });
  els.error = h("p", { class: "form-error", role: "alert", hidden: true });
  page.replaceChildren(
    h("div", { class: "map-view-head" }, els.title, els.counts, els.hint),
    els.error,
    frame.notice,
    frame.canvas,
    els.legend,
  );
  labels();
  onLangChange(() => {
    labels();
    redraw();
  });
  return page;
}

function labels() {
  els.title.textContent = t("map.page.title");
  els.hint.textContent = t("map.page.hint");
  els.legend.replaceChildren(legend(["alarm", "alarmAcked", "grid", "worker", "busyWorker", "clinic", "road"]));
  counts();
}

function counts() {
  els.counts.textContent = layers
    ? t("map.page.counts", {
        grids: layers.grids.length,
        workers: layers.workers.length,
        clinics: layers.clinics.length,
        alarms: layers.alarms.length,
      })
    : "";
}

/** nav.js showed the page (built on first use, so app.js needs only this one call). */
export async function show() {
  root ??= build();
  const mine = ++seq;
  clearTimeout(timer);
  try {
    creating ??= createMap(frame.canvas, { notice: frame.notice }).then((m) => {
      handle = m;
      expose("page", { info: () => m.info(), map: m.map });
      return m;
    });
    const map = await creating;
    map.resize(); // the page was hidden (zero size) until now
    const next = await fetchLayers();
    if (mine !== seq) return;
    layers = next;
    els.error.hidden = true;
    redraw();
  } catch (err) {
    if (mine !== seq) return;
    els.error.textContent = `${t("map.error")} [${asApiError(err).code}]`;
    els.error.hidden = false;
  }
  schedule();
}

/** Again in POLL_MS while the page is shown; a hidden tab waits without fetching; another page stops it. */
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (document.body.dataset.page !== "map" || document.body.dataset.view !== "console") return;
    if (document.hidden) schedule();
    else show();
  }, POLL_MS);
}

function redraw() {
  if (!handle || !layers || !root) return;
  handle.draw(layers, { onAlarm: openAlarm });
  root.dataset.alarms = String(layers.alarms.length);
  counts();
  if (!framed) {
    framed = true;
    handle.fitGrids();
  }
}

/** @param {number} id */
function openAlarm(id) {
  location.hash = "#/alarms";
  detail.openDetail(id);
}
