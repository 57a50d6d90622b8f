// @ts-check
// "How to get there" for a household, shared by the assignment card and the service
// requests: Amap and Baidu first (the apps most phones in China have, each given
// coordinates in its own system: map-links.js), then any other map app through a
// WGS-84 geo: URI, then OpenStreetMap in the browser when the hub gives its link.
//
// The web links open in a new tab, so the page (with its countdown and buttons)
// stays where it is when the worker comes back from the map.

/** @import { MapPlace } from "./map-links.js" */

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { chinaMapLinks } from "./map-links.js";

/**
 * @param {string} href
 * @param {string} nav which link it is (data-nav, read by the tests)
 * @param {string} cls
 * @param {string} label
 */
function external(href, nav, cls, label) {
  return h("a", { class: cls, href, target: "_blank", rel: "noopener noreferrer", dataset: { nav } }, label);
}

/**
 * The links for a household at WGS-84 lat/lng; null when it has no coordinates.
 * @param {MapPlace & { geoUri?: string | null, osmUrl?: string | null }} place
 */
export function navLinks({ lat, lng, householdCode, address, geoUri, osmUrl }) {
  const china = chinaMapLinks({ lat, lng, householdCode, address });
  if (!china && !geoUri && !osmUrl) return null;
  return h(
    "div",
    { class: "nav-links" },
    h("p", { class: "nav-heading" }, t("where.navigate")),
    china &&
      h(
        "div",
        { class: "nav-apps" },
        external(china.amap, "amap", "btn btn-big btn-nav", t("where.amap")),
        external(china.baidu, "baidu", "btn btn-big btn-nav", t("where.baidu")),
      ),
    geoUri && h("a", { class: "btn", href: geoUri, dataset: { nav: "geo" } }, t("where.otherApp")),
    osmUrl && external(osmUrl, "osm", "btn btn-link", t("where.osm")),
  );
}
