// @ts-check
// The alarm detail's map card: the household pinned, its grid outlined (other grids faint),
// clinics, on-duty workers, the chosen worker and clinic highlighted, and a straight line
// from the household to the chosen worker. There is no road geometry (OSRM only gives the
// hub travel times), so the line says it is a straight line.
//
// The card and its Leaflet map are built once and kept: detail.js re-renders its cards on
// every push, and a map rebuilt each time would flicker and lose the operator's zoom. The
// view is framed again only when another alarm is opened.

/** @import { AlarmDetail, MapLayers } from "../protocol/console/index.ts" */
/** @import { Polyline } from "/vendor/leaflet/leaflet-src.esm.js" */
/** @import { MapHandle } from "./map.js" */

import { h } from "./dom.js";
import { asApiError } from "./http.js";
import { onLangChange, t } from "./i18n.js";
import { createMap, distanceM, expose, fetchLayers, legend, mapFrame, POLL_MS, textTip } from "./map.js";

/**
 * The card's parts, made once by build.
 * @typedef {{ card: HTMLElement, frame: { notice: HTMLElement, canvas: HTMLElement }, title: HTMLElement, note: HTMLElement, legend: HTMLElement }} Parts
 */

/** @type {Parts | null} */
let parts = null;
/** createMap's result, once Leaflet is loaded. @type {MapHandle | null} */
let handle = null;
/** @type {Promise<MapHandle> | null} */
let creating = null;
/** The alarm on screen. @type {AlarmDetail | null} */
let alarm = null;
/** The alarm id the view was last framed for. @type {number | null} */
let framedFor = null;
/** @type {MapLayers | null} */
let layers = null;
/** @type {number | undefined} */
let timer;
let seq = 0;

/** @returns {Parts} */
function build() {
  const frame = mapFrame("detail-map-canvas");
  const title = h("h3", {}, "");
  const note = h("p", { class: "map-route-note muted" });
  const legendBox = h("div", { class: "map-legend-box" });
  const card = h(
    "section",
    { class: "card map-card", id: "detail-map" },
    title,
    frame.notice,
    frame.canvas,
    note,
    legendBox,
  );
  onLangChange(() => {
    labels();
    if (layers) redraw();
  });
  return { card, frame, title, note, legend: legendBox };
}

function labels() {
  if (!parts) return;
  parts.title.textContent = t("map.detail.title");
  parts.legend.replaceChildren(
    legend(["household", "ownGrid", "worker", "chosenWorker", "busyWorker", "clinic", "route", "road"]),
  );
}

/**
 * Called by detail.js on each render: returns the card, and refreshes its map for `a`.
 * @param {AlarmDetail} a
 */
export function detailMap(a) {
  parts ??= build();
  const changed = alarm?.id !== a.id;
  alarm = a;
  labels();
  if (changed) layers = null;
  refresh(parts);
  return parts.card;
}

/** @param {Parts} p */
async function ensureMap(p) {
  creating ??= createMap(p.frame.canvas, { notice: p.frame.notice }).then((m) => {
    handle = m;
    expose("detail", { info, map: m.map });
    return m;
  });
  return creating;
}

/** @param {Parts} p */
async function refresh(p) {
  clearTimeout(timer);
  const a = alarm;
  if (!a) return;
  const mine = ++seq;
  try {
    await ensureMap(p);
    const next = await fetchLayers(a.id);
    if (mine !== seq || alarm?.id !== a.id) return;
    layers = next;
    redraw();
  } catch (err) {
    if (mine === seq) p.note.textContent = `${t("map.error")} [${asApiError(err).code}]`;
  }
  schedule(p);
}

/**
 * Positions move: poll while the card is on screen and the tab is visible; stop otherwise.
 * @param {Parts} p
 */
function schedule(p) {
  const { card } = p;
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (card.isConnected && card.checkVisibility() && !document.hidden && alarm) refresh(p);
    else if (card.isConnected && alarm) schedule(p);
  }, POLL_MS);
}

function redraw() {
  if (!handle || !layers || !alarm || !parts) return;
  const focus = layers.focus;
  const household = focus?.household ?? null;
  // The worker the alarm is with now; the hub's focus has their current position.
  const worker = alarm.worker && focus?.worker?.id === alarm.worker.id ? focus.worker : null;
  const clinic = focus?.clinic ?? null;
  const { L, groups } = handle.draw(layers, {
    ownGridId: household?.gridId ?? null,
    chosenWorkerId: worker?.id ?? null,
    chosenClinicId: clinic?.id ?? null,
  });
  // The other open alarms stay on the page map; here they would only clutter.
  groups.alarms.clearLayers();
  /** @type {Polyline | null} */
  let route = null;
  const { note } = parts;
  if (household && worker) {
    const km = (distanceM(household, worker) / 1000).toFixed(1);
    route = L.polyline(
      [
        [household.lat, household.lng],
        [worker.lat, worker.lng],
      ],
      { className: "map-route", color: "#ffffff", weight: 3, dashArray: "8 6", interactive: false },
    ).addTo(groups.focus);
    // The label sits at the line's middle, always shown.
    L.tooltip({ permanent: true, direction: "center", className: "map-route-tip", interactive: false })
      .setLatLng(route.getCenter())
      .setContent(t("map.route.label", { km }))
      .addTo(groups.focus);
    // The name is registry data (data-content), shown as is in either language.
    const [before, after = ""] = t("map.route.note", { km }).split("{name}");
    note.replaceChildren(before, h("span", { content: true }, worker.name), after);
  } else {
    note.textContent = household ? t("map.route.none") : t("map.household.none");
  }
  if (household) {
    L.circleMarker([household.lat, household.lng], {
      className: "map-household",
      radius: 12,
      color: "#ffffff",
      weight: 3,
      fillColor: "#e5202f",
      fillOpacity: 1,
    })
      .bindTooltip(textTip(`${t("map.household")}: ${household.code}`))
      .addTo(groups.focus);
  }
  handle.note({
    alarmId: alarm.id,
    household: household ? { lat: household.lat, lng: household.lng } : null,
    chosenWorkerId: worker?.id ?? null,
    chosenClinicId: clinic?.id ?? null,
    route: route ? route.getLatLngs().map((p) => ({ lat: p.lat, lng: p.lng })) : null,
  });
  if (framedFor !== alarm.id) {
    framedFor = alarm.id;
    handle.resize();
    if (household) handle.fit([household, worker, clinic]);
  }
}

/** @returns {unknown} what the detail's map shows, for tests */
function info() {
  return handle ? handle.info() : null;
}
