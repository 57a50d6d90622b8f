// @ts-check
// The district's road centre lines under the console map's own layers: thin grey lines with each
// street's name, so a map without tiles (none configured, or none reachable: an offline command
// center) shows its streets rather than a blank background. map.css hides them once tiles show.
//
// The lines come from GET /api/map/roads, fetched once and again only when the roadsVersion of the
// /api/map poll moves; the alarm's map and the map page share one copy. Names are registry data:
// each label is a text node in an element marked as content, never HTML.

/** @import { MapRoads } from "../protocol/console/index.ts" */
/** @import { LatLng, LeafletMap, Marker, Point } from "/vendor/leaflet/leaflet-src.esm.js" */

import { h } from "./dom.js";
import { asApiError, request } from "./http.js";

/** Where a label may sit along its road: the middle, then either side of it. */
const LABEL_AT = [0.5, 0.35, 0.65, 0.2, 0.8];
/** Room kept between two labels, in pixels. */
const LABEL_GAP = 4;
/** Labels closer than this (pixels) crowd each other: a place farther off is worth leaving the middle for. */
const LABEL_ROOM = 150;
/** What leaving the middle costs, per unit of the road's length (pixels of room). */
const OFF_MIDDLE = 40;

/** Leaflet's module (types/leaflet.d.ts), as map.js loads it. @typedef {typeof import("/vendor/leaflet/leaflet-src.esm.js")} Leaflet */
/** One road of the hub's answer. @typedef {MapRoads["roads"][number]} Road */
/** A line's longest part, as points, and its projected length. @typedef {{ latLngs: LatLng[], length: number }} LinePart */
/** Projects a place onto the plane the labels are measured in. @typedef {(latLng: LatLng) => Point} Project */
/**
 * A place a label may sit at: the point along its road, the text's turn there, whether it is
 * written top to bottom, and how far along the road it is.
 * @typedef {{ latLng: LatLng, angle: number, vertical: boolean, fraction: number }} LabelSpot
 */
/** A label's box on screen. @typedef {{ left: number, right: number, top: number, bottom: number }} Box */
/** A label's size. @typedef {{ w: number, hgt: number }} Size */
/**
 * One road name on the map, with the places it may sit at and its size once measured.
 * @typedef {{
 *   name: string,
 *   marker: Marker,
 *   el: HTMLElement,
 *   candidates: LabelSpot[],
 *   sizes: { across: Size, vertical: Size } | null,
 *   visible: boolean,
 * }} RoadLabel
 */

/** The last roads fetched. @type {{ version: string, promise: Promise<MapRoads> } | null} */
let cached = null;

/** @param {string} version */
function fetchRoads(version) {
  if (cached?.version !== version) {
    /** @type {Promise<MapRoads>} */
    const answer = request("GET", "/api/map/roads");
    const promise = answer.catch((/** @type {unknown} */ err) => {
      if (cached?.promise === promise) cached = null; // the next poll tries again
      throw err;
    });
    cached = { version, promise };
  }
  return cached.promise;
}

/**
 * The longest part of a LineString or MultiLineString, as Leaflet points [lat, lng].
 * @param {Leaflet} L
 * @param {Road["geometry"]} geometry
 * @param {Project} project
 * @returns {LinePart}
 */
function longestPart(L, geometry, project) {
  // The hub checked each line's shape before serving it (hub/map/road-views.ts): positions are [lng, lat].
  const parts = /** @type {[number, number][][]} */ (
    geometry.type === "LineString" ? [geometry.coordinates] : geometry.coordinates
  );
  /** @type {LinePart} */
  let best = { latLngs: [], length: 0 };
  for (const part of parts) {
    const latLngs = part.map(([lng, lat]) => L.latLng(lat, lng));
    let length = 0;
    for (let i = 1; i < latLngs.length; i += 1) length += project(latLngs[i - 1]).distanceTo(project(latLngs[i]));
    if (length > best.length) best = { latLngs, length };
  }
  return best;
}

/**
 * The place `fraction` of the way along the line and the text's turn there: degrees clockwise,
 * kept upright. A steep road's name is written top to bottom (Chinese street names on maps are),
 * turned from the vertical by the road's lean. Mercator keeps angles, so they hold at every zoom.
 * @param {Leaflet} L
 * @param {LinePart} part
 * @param {number} fraction
 * @param {Project} project
 * @returns {LabelSpot}
 */
function alongLine(L, { latLngs, length }, fraction, project) {
  let left = length * fraction;
  for (let i = 1; i < latLngs.length; i += 1) {
    const a = project(latLngs[i - 1]);
    const b = project(latLngs[i]);
    const step = a.distanceTo(b);
    if (step === 0 || (left > step && i < latLngs.length - 1)) {
      left -= step;
      continue;
    }
    const k = Math.min(1, left / step);
    const at = L.point(a.x + (b.x - a.x) * k, a.y + (b.y - a.y) * k);
    // Projected y grows northwards, the screen's southwards.
    let angle = (Math.atan2(-(b.y - a.y), b.x - a.x) * 180) / Math.PI;
    if (angle > 90) angle -= 180;
    if (angle < -90) angle += 180;
    const vertical = Math.abs(angle) > 45;
    if (vertical) angle += angle > 0 ? -90 : 90;
    return { latLng: L.CRS.EPSG3857.unproject(at), angle, vertical, fraction };
  }
  return { latLng: latLngs[0], angle: 0, vertical: false, fraction };
}

/**
 * The screen box of a w×h label centred at `p` and turned by `angle` degrees.
 * @param {Point} p
 * @param {number} w
 * @param {number} hgt
 * @param {number} angle
 * @returns {Box}
 */
function boxAt(p, w, hgt, angle) {
  const rad = (angle * Math.PI) / 180;
  const bw = Math.abs(w * Math.cos(rad)) + Math.abs(hgt * Math.sin(rad));
  const bh = Math.abs(w * Math.sin(rad)) + Math.abs(hgt * Math.cos(rad));
  return { left: p.x - bw / 2, right: p.x + bw / 2, top: p.y - bh / 2, bottom: p.y + bh / 2 };
}

/**
 * @param {Box} a
 * @param {Box} b
 */
function overlaps(a, b) {
  return (
    a.left < b.right + LABEL_GAP &&
    b.left < a.right + LABEL_GAP &&
    a.top < b.bottom + LABEL_GAP &&
    b.top < a.bottom + LABEL_GAP
  );
}

/**
 * The road layer of one map, in panes of its own between the tiles and the vector layers.
 * `update(version)` fetches and redraws when the version moved; `info()` says what is drawn.
 * @param {Leaflet} L
 * @param {LeafletMap} map
 */
export function createRoadLayer(L, map) {
  map.createPane("roadsPane");
  map.createPane("roadLabelsPane");
  const lines = L.layerGroup().addTo(map);
  const labels = L.layerGroup().addTo(map);
  /** @type {Project} */
  const project = (latLng) => L.CRS.EPSG3857.project(latLng);
  /** @type {string | null} */
  let drawnVersion = null;
  /** @type {RoadLabel[]} */
  let placed = [];
  /** The error code of the last fetch, null once one succeeded. @type {string | null} */
  let failed = null;

  /** @param {readonly Road[]} roads */
  function draw(roads) {
    lines.clearLayers();
    labels.clearLayers();
    /** One label per name, on its longest line. @type {Map<string, { part: LinePart }>} */
    const longest = new Map();
    for (const road of roads) {
      L.geoJSON(road.geometry, {
        pane: "roadsPane",
        interactive: false,
        style: { className: "map-road", color: "#59626c", weight: 3, opacity: 1 },
      }).addTo(lines);
      const part = longestPart(L, road.geometry, project);
      if (part.length > (longest.get(road.name)?.part.length ?? 0)) longest.set(road.name, { part });
    }
    placed = [...longest.entries()]
      .sort((a, b) => b[1].part.length - a[1].part.length)
      .map(([name, { part }]) => {
        const candidates = LABEL_AT.map((fraction) => alongLine(L, part, fraction, project));
        const el = h("span", { class: "map-road-name", content: true }, name);
        const icon = L.divIcon({ className: "map-road-label", html: el, iconSize: null });
        const marker = L.marker(candidates[0].latLng, {
          icon,
          pane: "roadLabelsPane",
          interactive: false,
          keyboard: false,
        });
        marker.addTo(labels);
        return { name, marker, el, candidates, sizes: null, visible: true };
      });
    place();
  }

  /**
   * Longest road first, each label at the place along its road that overlaps no label already
   * placed and keeps most room from them (near the middle when there is room); else hidden.
   * Again on every zoom: what fits changes with it.
   */
  function place() {
    /** @type {{ box: Box, at: Point }[]} */
    const taken = [];
    for (const label of placed) {
      const sizes = measured(label);
      /** @type {{ c: LabelSpot, at: Point, box: Box, score: number } | null} */
      let best = null;
      for (const c of label.candidates) {
        const { w, hgt } = c.vertical ? sizes.vertical : sizes.across;
        const at = map.latLngToContainerPoint(c.latLng);
        const box = boxAt(at, w, hgt, c.angle);
        if (taken.some((other) => overlaps(other.box, box))) continue;
        const room = Math.min(LABEL_ROOM, ...taken.map((other) => other.at.distanceTo(at)));
        const score = room - OFF_MIDDLE * Math.abs(c.fraction - 0.5);
        if (!best || score > best.score) best = { c, at, box, score };
      }
      label.visible = best !== null;
      label.el.classList.toggle("map-road-name-hidden", !best);
      if (!best) continue;
      taken.push(best);
      label.marker.setLatLng(best.c.latLng);
      label.el.classList.toggle("map-road-name-vertical", best.c.vertical);
      label.el.style.setProperty("transform", `translate(-50%, -50%) rotate(${best.c.angle.toFixed(1)}deg)`);
    }
  }
  map.on("zoomend resize", place);

  /**
   * A label's size written across and top to bottom, measured once it is on screen (zero while hidden).
   * @param {RoadLabel} label
   * @returns {{ across: Size, vertical: Size }}
   */
  function measured(label) {
    if (!label.sizes?.across.w) {
      const size = () => ({ w: label.el.offsetWidth, hgt: label.el.offsetHeight });
      label.el.classList.add("map-road-name-vertical");
      const vertical = size();
      label.el.classList.remove("map-road-name-vertical");
      label.sizes = { across: size(), vertical };
    }
    return label.sizes;
  }

  /** @param {string | undefined} version the map poll's roadsVersion */
  async function update(version) {
    if (version === undefined || version === drawnVersion) return;
    try {
      const answer = await fetchRoads(version);
      failed = null;
      if (answer.version === drawnVersion) return;
      drawnVersion = answer.version;
      draw(answer.roads);
    } catch (err) {
      // Only the streets are missing: everything else on the map is drawn; the next poll tries again.
      failed = asApiError(err).code;
    }
  }

  return {
    update,
    info: () => ({
      version: drawnVersion,
      lines: lines.getLayers().length,
      labels: placed.map((l) => ({ name: l.name, visible: l.visible })),
      failed,
    }),
  };
}
