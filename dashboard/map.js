// @ts-check
// Leaflet maps of the console, shared by the alarm detail's map card (map-detail.js) and the
// map page (map-page.js). Everything that matters is a vector layer drawn from GET /api/map:
// grid outlines, clinics, on-duty workers, households. Tiles (ANXIN_MAP_TILE_URL) are only a
// backdrop: with none configured, or none reachable, the map says so and is the same on a plain
// background with the registry's road centre lines under it (map-roads.js), so it works in a
// command center without internet. Leaflet is loaded on first use with import(): if it ever
// failed to load, only the map would be missing, never the queue.
// Positions are not pushed over the WebSocket; a visible map polls /api/map every POLL_MS.

/** @import { MapLayers } from "../protocol/console/index.ts" */
/** @import { TileLayer } from "/vendor/leaflet/leaflet-src.esm.js" */
/** @import { Leaflet } from "./map-roads.js" */

import { h } from "./dom.js";
import { request } from "./http.js";
import { onLangChange, t } from "./i18n.js";
import { createRoadLayer } from "./map-roads.js";

export const POLL_MS = 10_000;
/** How long tiles may take to show before the map says they are unavailable. */
const TILE_WAIT_MS = 15_000;

/** A place on the map. @typedef {{ lat: number, lng: number }} Place */
/** none: no tile server configured; loading; ok: tiles drawn; failed: none could be loaded. @typedef {"none" | "loading" | "ok" | "failed"} TileState */
/** An on-duty worker of the map's answer. @typedef {MapLayers["workers"][number]} MapWorker */
/**
 * What a draw highlights: the alarm's grid, worker and clinic; `onAlarm` makes the alarm pins clickable.
 * @typedef {{
 *   ownGridId?: number | null,
 *   chosenWorkerId?: number | null,
 *   chosenClinicId?: number | null,
 *   onAlarm?: ((alarmId: number) => void) | null,
 * }} DrawOptions
 */
/**
 * What a map has drawn, for tests (`info()`); the owner adds its own facts with `note()`.
 * @typedef {{
 *   grids: number[],
 *   clinics: number[],
 *   workers: { id: number, lat: number, lng: number }[],
 *   alarms: { id: number, lat: number, lng: number }[],
 *   ownGridId: number | null,
 * }} DrawnInfo
 */
/** A map on screen, as createMap makes it. @typedef {Awaited<ReturnType<typeof createMap>>} MapHandle */

/** @type {Promise<Leaflet> | null} */
let leaflet = null;

/** @returns {Promise<Leaflet>} */
export function loadLeaflet() {
  leaflet ??= import("/vendor/leaflet/leaflet-src.esm.js");
  return leaflet;
}

/**
 * A tooltip's content as a text node in a span. Leaflet renders a string given to
 * bindTooltip as HTML, and grid, clinic and worker names, addresses and codes are
 * typed by people: a name like `<img src=x onerror=…>` would run as script in a
 * console that can read health data. An element is inserted as it is.
 * @param {string} text
 */
export function textTip(text) {
  return h("span", { class: "map-tip" }, text);
}

/**
 * @param {number | null} [alarmId]
 * @returns {Promise<MapLayers>}
 */
export function fetchLayers(alarmId = null) {
  return request("GET", alarmId === null ? "/api/map" : `/api/map?alarmId=${encodeURIComponent(alarmId)}`);
}

/**
 * Great-circle distance in metres: what the straight route line honestly is.
 * @param {Place} a
 * @param {Place} b
 */
export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(s));
}

/**
 * A Leaflet map in `container` with one group per layer. Returns the map's handle:
 * `draw(layers, focus)` replaces the vector layers, `info()` describes what is drawn
 * (for tests: window.anxinMap), `fit(points)` frames places, `resize()` after a show.
 * @param {HTMLElement} container
 * @param {{ notice: HTMLElement }} parts the tile notice above the map
 */
export async function createMap(container, { notice }) {
  const L = await loadLeaflet();
  // SVG, not canvas: each shape is an element with a class, for CSS and for tests.
  // No fades: every poll redraws the layers, and a fading copy would linger beside the new one.
  const map = L.map(container, {
    preferCanvas: false,
    zoomSnap: 0.5,
    attributionControl: false,
    fadeAnimation: false,
    zoomControl: false,
  });
  // Leaflet's own zoom control has English titles; ours follow the console's language.
  const zoom = L.control.zoom({ zoomInTitle: t("map.zoomIn"), zoomOutTitle: t("map.zoomOut") }).addTo(map);
  onLangChange(() => {
    for (const [cls, key] of [
      ["leaflet-control-zoom-in", "map.zoomIn"],
      ["leaflet-control-zoom-out", "map.zoomOut"],
    ]) {
      const button = zoom.getContainer()?.querySelector(`.${cls}`);
      button?.setAttribute("title", t(key));
      button?.setAttribute("aria-label", t(key));
    }
  });
  map.setView([37.59, 118.57], 13); // Kenli, until the first draw frames the real places
  const groups = {
    grids: L.layerGroup().addTo(map),
    clinics: L.layerGroup().addTo(map),
    workers: L.layerGroup().addTo(map),
    alarms: L.layerGroup().addTo(map),
    focus: L.layerGroup().addTo(map),
  };
  const roads = createRoadLayer(L, map);
  /** @type {TileLayer | null} */
  let tiles = null;
  // undefined, not null: the first draw must take even a null URL (no tile server, the default)
  // as news, or the map would never say that it has no backdrop.
  /** @type {string | null | undefined} */
  let tileUrl;
  /** @type {number | undefined} */
  let tileWait;
  /** The tiles' state as last shown (also in the container's data-tiles), for a change of language. @type {TileState | null} */
  let shownTiles = null;
  let drawn = emptyInfo();

  /** @param {string | null} url */
  function setTiles(url) {
    if (url === tileUrl) return;
    tileUrl = url;
    tiles?.remove();
    tiles = null;
    clearTimeout(tileWait);
    if (!url) return tileState("none");
    tileState("loading");
    let loaded = 0;
    tiles = L.tileLayer(url, { maxZoom: 19, crossOrigin: false })
      .on("tileload", () => {
        loaded += 1;
        clearTimeout(tileWait);
        tileState("ok");
      })
      // A failed tile is only a missing backdrop: the vector layers stay; say so once.
      .on("tileerror", () => {
        if (loaded === 0) tileState("failed");
      })
      .addTo(map);
    // A tile server behind a firewall that drops packets neither answers nor fails for minutes.
    tileWait = setTimeout(() => {
      if (loaded === 0) tileState("failed");
    }, TILE_WAIT_MS);
  }

  /** @param {TileState} state */
  function tileState(state) {
    shownTiles = state;
    container.dataset.tiles = state;
    const hidden = state === "ok" || state === "loading";
    const resized = notice.hidden !== hidden;
    notice.hidden = hidden;
    notice.dataset.state = state;
    notice.textContent = state === "failed" ? t("map.tiles.failed") : t("map.tiles.none");
    // The notice sits above the map, never over it: the map's box changed, so Leaflet measures it again.
    if (resized) map.invalidateSize({ pan: false });
  }
  onLangChange(() => {
    if (shownTiles) tileState(shownTiles);
  });

  /**
   * @param {MapLayers} layers
   * @param {DrawOptions} [options]
   */
  function draw(layers, { ownGridId = null, chosenWorkerId = null, chosenClinicId = null, onAlarm = null } = {}) {
    setTiles(layers.tileUrl);
    roads.update(layers.roadsVersion);
    for (const g of Object.values(groups)) g.clearLayers();
    drawn = emptyInfo();
    for (const grid of layers.grids) {
      const own = grid.id === ownGridId;
      L.geoJSON(grid.geometry, {
        style: {
          className: `map-grid${own ? " map-grid-own" : ""}`,
          color: own ? "#ffb020" : "#7d8fa3",
          weight: own ? 3 : 1.5,
          fillColor: own ? "#ffb020" : "#7d8fa3",
          fillOpacity: own ? 0.12 : 0.04,
        },
      })
        .bindTooltip(textTip(`${grid.code} · ${grid.name}`), { sticky: true })
        .addTo(groups.grids);
      drawn.grids.push(grid.id);
    }
    for (const c of layers.clinics) {
      const chosen = c.id === chosenClinicId;
      const icon = L.divIcon({
        className: `map-clinic${chosen ? " map-clinic-chosen" : ""}`,
        html: '<span aria-hidden="true"></span>',
        iconSize: chosen ? [24, 24] : [18, 18],
      });
      L.marker([c.lat, c.lng], { icon, keyboard: false, zIndexOffset: chosen ? 500 : 0 })
        .bindTooltip(textTip(`${t("map.clinic")}: ${c.name}`))
        .addTo(groups.clinics);
      drawn.clinics.push(c.id);
    }
    for (const w of layers.workers) {
      const chosen = w.id === chosenWorkerId;
      // The chosen worker is busy with this very alarm: shown as chosen, not as busy elsewhere.
      const busy = w.busyWithAlarmId !== null && !chosen;
      const cls = `map-worker${busy ? " map-worker-busy" : ""}${chosen ? " map-worker-chosen" : ""}`;
      L.circleMarker([w.lat, w.lng], {
        className: cls,
        radius: chosen ? 10 : 7,
        color: chosen ? "#ffffff" : "#0b0f14",
        weight: chosen ? 3 : 1.5,
        fillColor: busy ? "#b58cff" : "#4da3ff",
        fillOpacity: 0.95,
      })
        .bindTooltip(textTip(workerTip(w)))
        .addTo(groups.workers);
      drawn.workers.push({ id: w.id, lat: w.lat, lng: w.lng });
    }
    for (const a of layers.alarms) {
      const pin = L.circleMarker([a.lat, a.lng], {
        className: `map-alarm${a.acknowledged ? "" : " map-alarm-unacked"}`,
        radius: 9,
        color: "#ffffff",
        weight: 2,
        fillColor: a.acknowledged ? "#ff8a00" : "#e5202f",
        fillOpacity: 1,
      }).bindTooltip(textTip(`#${a.id} · ${t(`kind.${a.kind}`)} · ${a.address}`));
      if (onAlarm) pin.on("click", () => onAlarm(a.id));
      pin.addTo(groups.alarms);
      drawn.alarms.push({ id: a.id, lat: a.lat, lng: a.lng });
    }
    drawn.ownGridId = ownGridId;
    return { L, groups };
  }

  /** @param {MapWorker} w */
  function workerTip(w) {
    const state = w.busyWithAlarmId !== null ? t("map.worker.busy", { id: w.busyWithAlarmId }) : t("map.worker.free");
    return `${t("map.worker")}: ${w.name}${w.code ? ` (${w.code})` : ""} · ${state}`;
  }

  /**
   * @param {readonly (Place | null)[]} points the places to frame; null ones (not known) are skipped
   * @param {number} [maxZoom]
   */
  function fit(points, maxZoom = 16) {
    const pts = points.filter((p) => p !== null).map((p) => L.latLng(p.lat, p.lng));
    if (pts.length === 0) return;
    // Clear of the zoom control (top left, about 44 × 72 px): in the alarm's narrow map beside the
    // resident card, a place framed at the left edge would otherwise sit under its buttons.
    map.fitBounds(L.latLngBounds(pts), {
      paddingTopLeft: [56, 30],
      paddingBottomRight: [30, 30],
      maxZoom,
      animate: false,
    });
  }

  function fitGrids() {
    const bounds = L.featureGroup(groups.grids.getLayers()).getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], animate: false });
  }

  return {
    L,
    map,
    groups,
    draw,
    fit,
    fitGrids,
    resize: () => map.invalidateSize(),
    /**
     * Replaces the extra information the owner adds (household, route…) in info().
     * @param {Readonly<Record<string, unknown>>} extra
     */
    note: (extra) => Object.assign(drawn, extra),
    info: () => ({
      ...structuredClone(drawn),
      tiles: container.dataset.tiles ?? "none",
      roads: roads.info(),
      zoom: map.getZoom(),
    }),
  };
}

/** @returns {DrawnInfo} */
function emptyInfo() {
  return { grids: [], clinics: [], workers: [], alarms: [], ownGridId: null };
}

/**
 * The box a map sits in: the tile notice above the map itself.
 * @param {string} id the map element's id
 */
export function mapFrame(id) {
  const notice = h("p", { class: "map-notice", role: "status", hidden: true });
  const canvas = h("div", { class: "anxin-map", id });
  return { notice, canvas };
}

/**
 * A small legend: what each symbol means.
 * @param {readonly string[]} keys
 */
export function legend(keys) {
  return h(
    "ul",
    { class: "map-legend" },
    keys.map((k) => h("li", {}, h("span", { class: `sym sym-${k}`, "aria-hidden": "true" }), t(`map.legend.${k}`))),
  );
}

/** What a map shows tests: `info()` and Leaflet's map. @typedef {{ info: () => unknown, map: unknown }} MapHook */
/** @type {Record<string, MapHook>} */
const exposed = {};

/**
 * Test hook: the maps on screen and what they show (window.anxinMap).
 * @param {"detail" | "page"} name
 * @param {MapHook} hook
 */
export function expose(name, hook) {
  exposed[name] = hook;
  Object.assign(window, { anxinMap: exposed });
}
