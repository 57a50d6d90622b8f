// The map page (#/map): the whole district at a glance: every grid, the clinics, the on-duty
// workers where they are now (busy ones in violet), and each open alarm's household as a pin;
// clicking a pin opens that alarm on the Alarms page. Polls /api/map while shown (map.js).

import * as detail from "./detail.js";
import { h } from "./dom.js";
import { onLangChange, t } from "./i18n.js";
import { createMap, expose, fetchLayers, legend, mapFrame, POLL_MS } from "./map.js";

let root = null;
let frame = null;
let handle = null;
let creating = null;
let layers = null;
let framed = false;
let timer = null;
let seq = 0;
const els = {};

function build() {
  root = document.getElementById("map-view");
  frame = mapFrame("page-map-canvas");
  els.title = h("h2", {});
  els.counts = h("p", { class: "map-counts muted", id: "map-counts" });
  els.hint = h("p", { class: "muted" });
  els.legend = h("div", { class: "map-legend-box" });
  els.error = h("p", { class: "form-error", role: "alert", hidden: true });
  root.replaceChildren(
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
  if (!root) build();
  const mine = ++seq;
  clearTimeout(timer);
  try {
    creating ??= createMap(frame.canvas, { notice: frame.notice }).then((m) => {
      handle = m;
      expose("page", { info: () => handle.info(), map: m.map });
      return m;
    });
    await creating;
    handle.resize(); // the page was hidden (zero size) until now
    const next = await fetchLayers();
    if (mine !== seq) return;
    layers = next;
    els.error.hidden = true;
    redraw();
  } catch (err) {
    if (mine !== seq) return;
    els.error.textContent = `${t("map.error")} [${err.code ?? "?"}]`;
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
  if (!handle || !layers) return;
  handle.draw(layers, { onAlarm: openAlarm });
  root.dataset.alarms = String(layers.alarms.length);
  counts();
  if (!framed) {
    framed = true;
    handle.fitGrids();
  }
}

function openAlarm(id) {
  location.hash = "#/alarms";
  detail.openDetail(id);
}
