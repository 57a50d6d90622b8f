/**
 * The console's map in real Chromium against a real hub whose tile server is
 * unreachable (ANXIN_MAP_TILE_URL points at a closed local port), as in an
 * offline command center. A simulated button presses SOS; the alarm's map must
 * still show, as vector layers: the household at its stored point, its grid
 * outlined, every on-duty worker with a position (as many markers as the
 * database has), the clinics, the chosen worker and clinic highlighted, the
 * straight route line, the "tiles unavailable" notice, and the registry's road
 * centre lines in place of the missing tiles. Then the map page
 * (#/map): every grid, the open alarm's pin, and a click on it opens the alarm.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium, openConsole, RESULTS, waitForExpression } from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 8_000;
const DEAD_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png";

interface Point {
  lat: number;
  lng: number;
}
interface MapInfo {
  grids: number[];
  clinics: number[];
  workers: (Point & { id: number })[];
  alarms: (Point & { id: number })[];
  ownGridId: number | null;
  household: Point | null;
  chosenWorkerId: number | null;
  chosenClinicId: number | null;
  route: Point[] | null;
  tiles: string;
}

let hub: TestHub;
let browser: Browser;
let button: SimulatedButton;
let alarmId = 0; // the SOS pressed in the first test, still open in the second
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false, env: { ANXIN_MAP_TILE_URL: DEAD_TILES } });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await button?.stop();
  await browser?.close();
  await hub?.stop();
});

const mapInfo = (page: Page, name: string) =>
  page.evaluate(`window.anxinMap?.${name}?.info() ?? null`) as Promise<MapInfo | null>;
const count = (page: Page, selector: string) => page.locator(selector).count();

function dbRows() {
  const db = hub.hub.db;
  return {
    grids: (db.prepare("SELECT id FROM grids ORDER BY id").all() as { id: number }[]).map((r) => r.id),
    clinics: (db.prepare("SELECT id FROM clinics ORDER BY id").all() as { id: number }[]).map((r) => r.id),
    workers: db
      .prepare("SELECT id, lat, lng FROM workers WHERE on_duty = 1 AND lat IS NOT NULL ORDER BY id")
      .all() as (Point & { id: number })[],
  };
}

describe("map with the tile server unreachable (browser)", () => {
  it("shows the household, its grid, workers, clinics and the route line as vector layers", async () => {
    const page = await openConsole(browser, hub, pageErrors);
    const device = hub.demoDevices[0];
    if (!device) throw new Error("the test hub seeded no demo devices");
    button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
    await button.start({ timeoutMs: SHOW_MS });
    const ack = await button.press("sos");
    if (ack.alarmId === null) throw new Error("the hub acknowledged the press without an alarm id");
    alarmId = ack.alarmId;
    await hub.waitForPipeline(alarmId);
    const alarm = hub.hub.db
      .prepare(
        `SELECT a.worker_id, a.clinic_id, h.lat, h.lng, h.grid_id FROM alarms a
           JOIN households h ON h.id = a.household_id WHERE a.id = ?`,
      )
      .get(alarmId) as { worker_id: number; clinic_id: number; lat: number; lng: number; grid_id: number };
    expect(alarm.worker_id).not.toBeNull();
    expect(alarm.clinic_id).not.toBeNull();

    await page.click(`#queue .row[data-id="${alarmId}"]`);
    await page.waitForSelector("#detail-map path.map-household", { timeout: SHOW_MS });
    await page.waitForSelector('#detail-map-canvas[data-tiles="failed"]', { timeout: SHOW_MS });
    await page.waitForSelector("#detail-map path.map-route", { timeout: SHOW_MS });

    const info = await mapInfo(page, "detail");
    if (!info) throw new Error("the detail map exposed no state");
    const db = dbRows();
    expect(info.household?.lat).toBeCloseTo(alarm.lat, 9);
    expect(info.household?.lng).toBeCloseTo(alarm.lng, 9);
    expect(info.ownGridId).toBe(alarm.grid_id);
    expect(info.grids).toEqual(db.grids);
    expect(info.clinics).toEqual(db.clinics);
    expect(info.workers).toEqual(db.workers);
    expect(info.chosenWorkerId).toBe(alarm.worker_id);
    expect(info.chosenClinicId).toBe(alarm.clinic_id);
    const chosen = db.workers.find((w) => w.id === alarm.worker_id);
    expect(info.route).toEqual([
      { lat: alarm.lat, lng: alarm.lng },
      { lat: chosen?.lat, lng: chosen?.lng },
    ]);

    // The same, as drawn SVG and marker elements (not only the map's model).
    expect(await count(page, "#detail-map path.map-household")).toBe(1);
    expect(await count(page, "#detail-map path.map-grid")).toBe(db.grids.length);
    expect(await count(page, "#detail-map path.map-grid-own")).toBe(1);
    expect(await count(page, "#detail-map path.map-worker")).toBe(db.workers.length);
    expect(await count(page, "#detail-map path.map-worker-chosen")).toBe(1);
    expect(await count(page, "#detail-map .map-clinic")).toBe(db.clinics.length);
    expect(await count(page, "#detail-map .map-clinic-chosen")).toBe(1);
    expect(await count(page, "#detail-map path.map-route")).toBe(1);
    await page.locator("#detail-map").scrollIntoViewIfNeeded();
    // The household's pin really sits at its stored point: Leaflet's projection of it.
    const pinAt = await page.evaluate(`(() => {
      const m = window.anxinMap.detail.map;
      const p = m.latLngToContainerPoint([${alarm.lat}, ${alarm.lng}]);
      const box = m.getContainer().getBoundingClientRect();
      const el = document.elementFromPoint(box.left + p.x, box.top + p.y);
      return el?.getAttribute("class") ?? "";
    })()`);
    expect(pinAt).toContain("map-household");

    // No tiles: the notice says so, and the route says it is a straight line.
    expect(await page.isVisible("#detail-map .map-notice")).toBe(true);
    expect(await page.textContent("#detail-map .map-notice")).toBe("底图不可用：矢量地图");
    expect(await page.textContent("#detail-map .map-route-note")).toMatch(/直线距离.*公里/);
    expect(await count(page, "#detail-map img.leaflet-tile-loaded")).toBe(0);
    // Nor any backdrop but the registry's roads: their lines are drawn instead.
    const roads = (hub.hub.db.prepare("SELECT COUNT(*) AS n FROM roads").get() as { n: number }).n;
    expect(roads).toBeGreaterThan(0);
    await expect.poll(() => count(page, "#detail-map path.map-road"), { timeout: SHOW_MS }).toBe(roads);
    expect(
      await page.evaluate(`getComputedStyle(document.querySelector("#detail-map .leaflet-roads-pane")).display`),
    ).not.toBe("none");

    await page.screenshot({ path: path.join(RESULTS, "map-detail.png") });

    // English: the notice and the route line are translated.
    await page.click("#console-view .lang-switch");
    await waitForExpression(page, 'document.documentElement.lang === "en"');
    expect(await page.textContent("#detail-map .map-notice")).toBe("Tiles unavailable: vector map");
    expect(await page.textContent("#detail-map .map-route-tip")).toMatch(/^straight line \d+\.\d km$/);
    await page.click("#console-view .lang-switch");
    await waitForExpression(page, 'document.documentElement.lang === "zh-CN"');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("the map page shows every grid, the workers and the open alarm, whose pin opens it", async () => {
    expect(alarmId).toBeGreaterThan(0);
    const page = await openConsole(browser, hub, pageErrors);
    await page.click("#nav-map");
    await page.waitForSelector('body[data-page="map"] #map-view[data-alarms="1"]', { timeout: SHOW_MS });
    await page.waitForSelector('#page-map-canvas[data-tiles="failed"]', { timeout: SHOW_MS });
    expect(await page.textContent("#nav-map")).toBe("地图");
    expect(await page.isVisible("#alarms-view")).toBe(false);

    const db = dbRows();
    const info = await mapInfo(page, "page");
    if (!info) throw new Error("the map page exposed no state");
    const household = hub.hub.db
      .prepare("SELECT h.lat, h.lng FROM alarms a JOIN households h ON h.id = a.household_id WHERE a.id = ?")
      .get(alarmId) as Point;
    expect(info.grids).toEqual(db.grids);
    expect(info.clinics).toEqual(db.clinics);
    expect(info.workers).toEqual(db.workers);
    expect(info.alarms).toEqual([{ id: alarmId, lat: household.lat, lng: household.lng }]);
    expect(await count(page, "#map-view path.map-grid")).toBe(db.grids.length);
    expect(await count(page, "#map-view path.map-worker")).toBe(db.workers.length);
    // The worker the SOS was offered to is busy with it.
    expect(await count(page, "#map-view path.map-worker-busy")).toBe(1);
    expect(await count(page, "#map-view .map-clinic")).toBe(db.clinics.length);
    expect(await count(page, "#map-view path.map-alarm-unacked")).toBe(1);
    expect(await page.textContent("#map-counts")).toBe(
      `${db.grids.length} 个网格 · ${db.workers.length} 名在岗人员 · ${db.clinics.length} 家医疗机构 · 1 起未结警情`,
    );
    await page.screenshot({ path: path.join(RESULTS, "map-page.png") });

    // The pin opens its alarm on the Alarms page.
    await page.click("#map-view path.map-alarm", { force: true });
    await page.waitForSelector(`body[data-page="alarms"] #detail:not([hidden]) #detail-map path.map-household`, {
      timeout: SHOW_MS,
    });
    expect(await page.textContent("#detail-title")).toContain(`#${alarmId}`);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
