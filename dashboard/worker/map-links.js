// @ts-check
// Links that open the household in the map apps workers in China actually use.
// The registry's coordinates are WGS-84; Amap wants GCJ-02 and Baidu BD-09, so each
// link carries coordinates converted for its app (../china-coords.js) and says which
// system they are in, rather than leaving the app to guess.
//
// Both are the providers' documented *web* URIs, not app schemes (amapuri://,
// baidumap://): on a phone with the app installed they hand over to it, and on any
// other phone (or a desktop) they open the provider's web map instead of failing.
//
// - Amap, route planning (lbs.amap.com/api/uri-api/guide/travel/route):
//   https://uri.amap.com/navigation?to=lng,lat,name&mode=car&src=…&callnative=1
//   `to` is "lng,lat[,name]" in GCJ-02 (Amap's own system, the default); with no
//   `from`, the route starts at the phone's own position. callnative=1 asks the
//   page to open the Amap app. mode=car is the default; walking or riding is one tap
//   in the app. The marker URI (…/marker, with coordinate=gaode) would only show
//   the point, one tap further from a route.
// - Baidu, marker (lbsyun.baidu.com URI API, web "marker" service):
//   https://api.map.baidu.com/marker?location=lat,lng&title=…&content=…&output=html&coord_type=bd09ll&src=…
//   Baidu's web route URI (…/direction) requires an origin, which the page may not
//   have; the marker's info window offers the routes there (驾车, 公交). coord_type=bd09ll says
//   the coordinates are Baidu's own (also its default); output=html is required
//   for a web page; src is required, in Baidu's "webapp.company.app" form.
//
// Both web URIs would also take WGS-84 (coordinate=wgs84, coord_type=wgs84) and convert on
// the provider's side; converting here hands each app its own system, with a conversion
// checked against the providers' own answers (tests/china-coords.test.ts).
//
// Coordinates have six decimals (about 0.1 m; neither provider takes more).
// Names are registry text: they only ever go into the URL, encoded, never into markup.

import { wgs84ToBd09, wgs84ToGcj02 } from "../china-coords.js";

const SOURCE = "anxin";
const BAIDU_SOURCE = "webapp.anxin.worker";

/** @param {number} n */
const fixed = (n) => n.toFixed(6);

/**
 * Amap splits `to` on commas, and "|" separates points and fields in both providers' URIs: keep both out of names.
 * @param {string} text
 */
function clean(text) {
  return text.replace(/[,|]/g, " ").replace(/\s+/g, " ").trim();
}

/**
 * A household to open in a map app: WGS-84 coordinates (none when it was never placed),
 * and the code and address it is named by.
 * @typedef {{
 *   lat: number | null | undefined,
 *   lng: number | null | undefined,
 *   householdCode?: string | null,
 *   address?: string | null,
 * }} MapPlace
 */

/**
 * The Amap and Baidu links for a household at WGS-84 `lat`/`lng`, named by its code
 * and address; null without coordinates.
 * @param {MapPlace} place
 * @returns {{ amap: string, baidu: string } | null}
 */
export function chinaMapLinks({ lat, lng, householdCode, address }) {
  if (lat === null || lat === undefined || lng === null || lng === undefined) return null;
  const code = clean(householdCode ?? "");
  const where = clean(address ?? "");
  const name = [code, where].filter(Boolean).join(" ");

  const gcj = wgs84ToGcj02({ lat, lng });
  const to = `${fixed(gcj.lng)},${fixed(gcj.lat)}${name ? `,${encodeURIComponent(name)}` : ""}`;
  const amap = `https://uri.amap.com/navigation?to=${to}&mode=car&src=${SOURCE}&callnative=1`;

  const bd = wgs84ToBd09({ lat, lng });
  const baidu =
    `https://api.map.baidu.com/marker?location=${fixed(bd.lat)},${fixed(bd.lng)}` +
    `&title=${encodeURIComponent(code || where)}&content=${encodeURIComponent(where || code)}` +
    `&output=html&coord_type=bd09ll&src=${BAIDU_SOURCE}`;

  return { amap, baidu };
}
