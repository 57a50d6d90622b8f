/**
 * The worker page's coordinate conversion (dashboard/china-coords.js, run in Node)
 * against reference points published by the map providers' own conversion services
 * and by a package that checked its formulas against them, and the Amap and Baidu
 * links built from it (dashboard/worker/map-links.js).
 */
import { describe, expect, it } from "vitest";

interface LatLng {
  lat: number;
  lng: number;
}
interface ChinaCoords {
  outOfChina(point: LatLng): boolean;
  wgs84ToGcj02(point: LatLng): LatLng;
  gcj02ToBd09(point: LatLng): LatLng;
  wgs84ToBd09(point: LatLng): LatLng;
}
interface MapLinks {
  chinaMapLinks(place: {
    lat: number | null;
    lng: number | null;
    householdCode?: string;
    address?: string;
  }): { amap: string; baidu: string } | null;
}
// The dashboard is plain browser JavaScript without type declarations.
const coordsModule: string = "../dashboard/china-coords.js";
const linksModule: string = "../dashboard/worker/map-links.js";
const coords = (await import(coordsModule)) as ChinaCoords;
const links = (await import(linksModule)) as MapLinks;

/** Metres between two nearby points (equirectangular: exact enough over a few hundred metres). */
function metres(a: LatLng, b: LatLng): number {
  const rad = Math.PI / 180;
  const x = (b.lng - a.lng) * rad * Math.cos(((a.lat + b.lat) / 2) * rad);
  const y = (b.lat - a.lat) * rad;
  return Math.hypot(x, y) * 6_371_000;
}

/**
 * WGS-84 → GCJ-02 as answered by Amap's own conversion service
 * (restapi.amap.com/v3/assistant/coordinate/convert?coordsys=gps):
 * - the example in Amap's documentation (lbs.amap.com/api/webservice/guide/api/convert,
 *   request locations=116.481499,39.990475|116.481499,39.990375; its published response
 *   "116.487585177952,39.991754014757;116.487585177952,39.991653917101");
 * - Beijing railway station, the answer recorded in the asesgeo R package's tests
 *   (github.com/madlogos/asesgeo, tests/testthat/test_conv_coord.R, "convCoord with gaode api").
 */
const AMAP_SERVICE: { name: string; wgs: LatLng; gcj: LatLng }[] = [
  {
    name: "Amap's documented example, first point",
    wgs: { lat: 39.990475, lng: 116.481499 },
    gcj: { lat: 39.991754014757, lng: 116.487585177952 },
  },
  {
    name: "Amap's documented example, second point",
    wgs: { lat: 39.990375, lng: 116.481499 },
    gcj: { lat: 39.991653917101, lng: 116.487585177952 },
  },
  {
    name: "Beijing railway station, as Amap's service converts it",
    wgs: { lat: 39.90105, lng: 116.42079 },
    gcj: { lat: 39.902445203994, lng: 116.427020941841 },
  },
];

/**
 * Beijing railway station in all three systems, to five decimals (about a metre), from the
 * geoChina R package's documentation (CRAN, geoChina 1.3.0, `conv`), which states that its
 * results and Baidu's conversion API's are the same.
 */
const BEIJING_STATION = {
  wgs: { lat: 39.90105, lng: 116.42079 },
  gcj: { lat: 39.90245, lng: 116.42703 },
  bd: { lat: 39.90851, lng: 116.43351 },
};

/** A few metres: far below the several hundred metres the conversion is for. */
const TOLERANCE_M = 2;

describe("WGS-84 to the coordinate systems of Chinese map apps", () => {
  it.each(AMAP_SERVICE)("matches Amap's own conversion: $name", ({ wgs, gcj }) => {
    const got = coords.wgs84ToGcj02(wgs);
    expect(metres(got, gcj)).toBeLessThan(TOLERANCE_M);
    // The offset being corrected is hundreds of metres: the check is not passed by leaving the point alone.
    expect(metres(wgs, gcj)).toBeGreaterThan(100);
  });

  it("matches the published GCJ-02 and BD-09 coordinates of Beijing railway station", () => {
    const gcj = coords.wgs84ToGcj02(BEIJING_STATION.wgs);
    expect(metres(gcj, BEIJING_STATION.gcj)).toBeLessThan(TOLERANCE_M);
    const bd = coords.wgs84ToBd09(BEIJING_STATION.wgs);
    expect(metres(bd, BEIJING_STATION.bd)).toBeLessThan(TOLERANCE_M);
    expect(metres(coords.gcj02ToBd09(BEIJING_STATION.gcj), BEIJING_STATION.bd)).toBeLessThan(TOLERANCE_M);
    // Baidu's system is a further shift from GCJ-02, not the same coordinates.
    expect(metres(BEIJING_STATION.gcj, BEIJING_STATION.bd)).toBeGreaterThan(500);
  });

  it("leaves points outside China where they are", () => {
    for (const point of [
      { lat: 51.50073, lng: -0.12463 }, // London
      { lat: -33.85678, lng: 151.21529 }, // Sydney
      { lat: 35.68124, lng: 139.76712 }, // Tokyo
    ]) {
      expect(coords.outOfChina(point)).toBe(true);
      expect(coords.wgs84ToGcj02(point)).toEqual(point);
      expect(coords.wgs84ToBd09(point)).toEqual(point);
    }
    expect(coords.outOfChina(BEIJING_STATION.wgs)).toBe(false);
  });
});

describe("the Amap and Baidu links of a household", () => {
  const household = {
    lat: BEIJING_STATION.wgs.lat,
    lng: BEIJING_STATION.wgs.lng,
    householdCode: "KL-H001",
    address: "垦利区幸福路 8 号, 3 单元|201",
  };

  it("gives Amap a route to the GCJ-02 point and Baidu a marker at the BD-09 point, named by the household", () => {
    const made = links.chinaMapLinks(household);
    if (!made) throw new Error("no links for a household with coordinates");

    const amap = new URL(made.amap);
    expect(`${amap.origin}${amap.pathname}`).toBe("https://uri.amap.com/navigation");
    const [lng, lat, name, ...rest] = (amap.searchParams.get("to") ?? "").split(",");
    expect(rest).toEqual([]);
    expect(metres({ lat: Number(lat), lng: Number(lng) }, BEIJING_STATION.gcj)).toBeLessThan(TOLERANCE_M);
    // The address's comma would have split Amap's "lng,lat,name": it is left out of the name.
    expect(name).toBe("KL-H001 垦利区幸福路 8 号 3 单元 201");
    expect(amap.searchParams.get("callnative")).toBe("1");
    expect(amap.searchParams.get("src")).toBeTruthy();

    const baidu = new URL(made.baidu);
    expect(`${baidu.origin}${baidu.pathname}`).toBe("https://api.map.baidu.com/marker");
    const [bdLat, bdLng] = (baidu.searchParams.get("location") ?? "").split(",").map(Number);
    expect(metres({ lat: bdLat ?? 0, lng: bdLng ?? 0 }, BEIJING_STATION.bd)).toBeLessThan(TOLERANCE_M);
    expect(baidu.searchParams.get("coord_type")).toBe("bd09ll");
    expect(baidu.searchParams.get("output")).toBe("html");
    expect(baidu.searchParams.get("title")).toBe("KL-H001");
    expect(baidu.searchParams.get("content")).toBe("垦利区幸福路 8 号 3 单元 201");
    expect(baidu.searchParams.get("src")).toMatch(/^webapp\./);
  });

  it("gives no links for a household without coordinates", () => {
    expect(links.chinaMapLinks({ ...household, lat: null, lng: null })).toBeNull();
  });
});
