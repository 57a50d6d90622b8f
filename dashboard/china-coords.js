// @ts-check
// WGS-84 (GPS, OpenStreetMap, the registry's coordinates) to the coordinate systems
// Chinese map apps expect: GCJ-02 (Amap/Gaode, Tencent) and BD-09 (Baidu). A WGS-84
// point handed to them unconverted lands a few hundred metres off in mainland China.
//
// The formulas are the standard published ones, as in the MIT-licensed reference
// implementations eviltransform (github.com/googollee/eviltransform) and
// coordtransform (github.com/wandergis/coordtransform):
// - WGS-84 → GCJ-02: the offset polynomials on the Krasovsky 1940 ellipsoid
//   (a = 6378245 m, e² = 0.00669342162296594323); no offset outside China.
// - GCJ-02 → BD-09: Baidu's rotation and shift (x_pi = π·3000/180, +0.0065 lng, +0.006 lat).
// Both agree with the providers' own conversion services to well under a metre
// at the reference points in tests/china-coords.test.ts.
//
// Points are { lat, lng } in degrees. Plain ES module: the worker page imports it,
// and so do the Node tests.

/** A point in degrees. @typedef {{ lat: number, lng: number }} LatLng */

const A = 6378245.0;
const EE = 0.006693421622965943; // 0.00669342162296594323 as published, to double precision
const X_PI = (Math.PI * 3000.0) / 180.0;

/**
 * The usual rough rectangle around China (as in eviltransform): points outside it
 * are not offset. It also takes in some neighbours' land (parts of Korea, Mongolia…);
 * the households served here are all in mainland China, where it is right.
 * @param {LatLng} point
 */
export function outOfChina({ lat, lng }) {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

/**
 * @param {number} x degrees of longitude east of 105°E
 * @param {number} y degrees of latitude north of 35°N
 */
function offsetLat(x, y) {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

/**
 * @param {number} x degrees of longitude east of 105°E
 * @param {number} y degrees of latitude north of 35°N
 */
function offsetLng(x, y) {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return ret;
}

/**
 * WGS-84 → GCJ-02 (Amap, Tencent). Unchanged outside China.
 * @param {LatLng} point
 * @returns {LatLng}
 */
export function wgs84ToGcj02(point) {
  const { lat, lng } = point;
  if (outOfChina(point)) return { lat, lng };
  let dLat = offsetLat(lng - 105.0, lat - 35.0);
  let dLng = offsetLng(lng - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: lat + dLat, lng: lng + dLng };
}

/**
 * GCJ-02 → BD-09 (Baidu). Baidu's shift applies everywhere; callers keep foreign points out.
 * @param {LatLng} point
 * @returns {LatLng}
 */
export function gcj02ToBd09({ lat, lng }) {
  const z = Math.sqrt(lng * lng + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
  const theta = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * X_PI);
  return { lat: z * Math.sin(theta) + 0.006, lng: z * Math.cos(theta) + 0.0065 };
}

/**
 * WGS-84 → BD-09 (Baidu), through GCJ-02. Unchanged outside China.
 * @param {LatLng} point
 * @returns {LatLng}
 */
export function wgs84ToBd09(point) {
  if (outOfChina(point)) return { lat: point.lat, lng: point.lng };
  return gcj02ToBd09(wgs84ToGcj02(point));
}
