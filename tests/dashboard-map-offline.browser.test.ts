/**
 * The console's map with no tile server configured (the hub's default: an
 * offline command center), in real Chromium at 1366×768 against a real hub with
 * the seeded demo district. The "tiles unavailable" notice must show, above the
 * map and never over it, in zh-CN and English; the district's road centre lines
 * must be drawn as thin lines under the map's own layers, with each street's
 * name as a text label (a name holding markup shows as that text and runs
 * nothing); a road imported while the console is open appears once the map's
 * poll sees the roads version move. Then the alarm's map card: the same notice
 * and roads. Screenshots of the map page in both languages go to test-results/.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium, openConsole, RESULTS, waitForExpression } from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 8_000;
const NOTICE_ZH = "底图不可用（未配置底图服务）：矢量地图";
const NOTICE_EN = "Tiles unavailable (no tile server configured): vector map";
const HOSTILE_NAME = '<img src=x onerror="window.roadXss=1">路';

interface RoadsInfo {
  version: string | null;
  lines: number;
  labels: { name: string; visible: boolean }[];
  failed: string | null;
}

let hub: TestHub;
let browser: Browser;
let button: SimulatedButton | null = null;
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await button?.stop();
  await browser?.close();
  await hub?.stop();
});

const count = (page: Page, selector: string) => page.locator(selector).count();
const roadsInfo = (page: Page, name: string) =>
  page.evaluate(`window.anxinMap?.${name}?.info().roads ?? null`) as Promise<RoadsInfo | null>;

function storedRoads(): { code: string; name: string }[] {
  return hub.hub.db.prepare("SELECT code, name FROM roads ORDER BY id").all() as { code: string; name: string }[];
}

function addRoad(code: string, name: string, line: [number, number][]): void {
  hub.hub.db
    .prepare("INSERT INTO roads (code, name, geometry, points, updated_at) VALUES (?, ?, ?, ?, ?)")
    .run(code, name, JSON.stringify({ type: "LineString", coordinates: line }), line.length, new Date().toISOString());
}

describe("map with no tile server configured (browser)", () => {
  it("says tiles are unavailable and draws the roads with their names under the map's layers, in both languages", async () => {
    expect(hub.hub.config.mapTileUrl).toBeNull();
    const seeded = storedRoads();
    expect(seeded.length).toBeGreaterThanOrEqual(5);
    const page = await openConsole(browser, hub, pageErrors);
    await page.click("#nav-map");
    await page.waitForSelector('#page-map-canvas[data-tiles="none"]', { timeout: SHOW_MS });
    await expect.poll(() => count(page, "#map-view path.map-road"), { timeout: SHOW_MS }).toBe(seeded.length);

    // The notice: shown, in Chinese, above the map and not over it.
    expect(await page.isVisible("#map-view .map-notice")).toBe(true);
    expect(await page.textContent("#map-view .map-notice")).toBe(NOTICE_ZH);
    const [notice, canvas] = await Promise.all(
      ["#map-view .map-notice", "#page-map-canvas"].map(async (s) => page.locator(s).boundingBox()),
    );
    expect(notice && canvas && notice.y + notice.height <= canvas.y).toBe(true);
    expect(canvas?.height).toBeGreaterThan(300);

    // Each road a thin line in the roads pane, which lies under the pane of the grids, workers and alarms.
    expect(await count(page, "#map-view .leaflet-roads-pane path.map-road")).toBe(seeded.length);
    expect(await count(page, "#map-view .leaflet-overlay-pane path.map-grid")).toBeGreaterThan(0);
    const z = (pane: string) =>
      page.evaluate(
        `Number(getComputedStyle(document.querySelector("#map-view .leaflet-${pane}-pane")).zIndex)`,
      ) as Promise<number>;
    expect(await z("roads")).toBeLessThan(await z("overlay"));
    expect(await z("roadLabels")).toBeLessThan(await z("overlay"));
    expect(await z("roads")).toBeGreaterThan(await z("tile"));
    expect(await page.locator("#map-view path.map-road").first().getAttribute("stroke-width")).toBe("3");

    // One label per street, as text marked as registry data; the map's state says the same.
    const names = [...new Set(seeded.map((r) => r.name))].sort();
    const labels = page.locator("#map-view .leaflet-roadLabels-pane .map-road-name[data-content]");
    expect((await labels.allTextContents()).sort()).toEqual(names);
    const info = await roadsInfo(page, "page");
    expect(info?.lines).toBe(seeded.length);
    expect(info?.labels.map((l) => l.name).sort()).toEqual(names);
    expect(info?.failed).toBeNull();
    // At this zoom the labels need not all fit, but the ones shown never overlap.
    const visible = info?.labels.filter((l) => l.visible) ?? [];
    expect(visible.length).toBeGreaterThanOrEqual(names.length / 2);
    const overlapping = await page.evaluate(`(() => {
      const boxes = [...document.querySelectorAll("#map-view .map-road-name:not(.map-road-name-hidden)")]
        .map((el) => el.getBoundingClientRect());
      let n = 0;
      for (let i = 0; i < boxes.length; i += 1)
        for (let j = i + 1; j < boxes.length; j += 1) {
          const a = boxes[i], b = boxes[j];
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) n += 1;
        }
      return n;
    })()`);
    expect(overlapping).toBe(0);
    await page.screenshot({ path: path.join(RESULTS, "map-offline-zh.png") });

    // English: the notice and the legend are translated; the street names stay as registered.
    await page.click(".topbar .lang-switch");
    await waitForExpression(page, 'document.documentElement.lang === "en"');
    expect(await page.textContent("#map-view .map-notice")).toBe(NOTICE_EN);
    expect(await page.textContent("#map-view .map-legend")).toContain("road");
    expect((await labels.allTextContents()).sort()).toEqual(names);
    await page.screenshot({ path: path.join(RESULTS, "map-offline-en.png") });
    await page.click(".topbar .lang-switch");
    await waitForExpression(page, 'document.documentElement.lang === "zh-CN"');
    expect(await page.textContent("#map-view .map-notice")).toBe(NOTICE_ZH);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("draws a road imported while the map is open, its name as text that runs nothing", async () => {
    const page = await openConsole(browser, hub, pageErrors);
    await page.click("#nav-map");
    await expect.poll(() => count(page, "#map-view path.map-road"), { timeout: SHOW_MS }).toBe(storedRoads().length);
    const before = (await roadsInfo(page, "page"))?.version;

    addRoad("T-XSS", HOSTILE_NAME, [
      [118.52, 37.585],
      [118.54, 37.595],
    ]);
    // Leave the page and come back: showing it again reads /api/map, whose roads version has moved.
    await page.click("#nav-alarms");
    await page.click("#nav-map");
    await expect.poll(() => count(page, "#map-view path.map-road"), { timeout: SHOW_MS }).toBe(storedRoads().length);
    expect((await roadsInfo(page, "page"))?.version).not.toBe(before);
    const label = page.locator("#map-view .map-road-name", { hasText: "onerror" });
    expect(await label.textContent()).toBe(HOSTILE_NAME);
    // A text node only: the markup is escaped, not parsed.
    expect(await label.innerHTML()).toBe('&lt;img src=x onerror="window.roadXss=1"&gt;路');
    expect(await count(page, "#map-view img")).toBe(0);
    expect(await page.evaluate("window.roadXss ?? null")).toBeNull();
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("the alarm's map card says the same and draws the same roads", async () => {
    const page = await openConsole(browser, hub, pageErrors);
    const device = hub.demoDevices[1];
    if (!device) throw new Error("the test hub seeded no demo devices");
    button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
    await button.start({ timeoutMs: SHOW_MS });
    const ack = await button.press("sos");
    if (ack.alarmId === null) throw new Error("the hub acknowledged the press without an alarm id");
    await hub.waitForPipeline(ack.alarmId);
    await page.click(`#queue .row[data-id="${ack.alarmId}"]`);
    await page.waitForSelector("#detail-map path.map-household", { timeout: SHOW_MS });
    await page.waitForSelector('#detail-map-canvas[data-tiles="none"]', { timeout: SHOW_MS });
    await expect.poll(() => count(page, "#detail-map path.map-road"), { timeout: SHOW_MS }).toBe(storedRoads().length);
    expect(await page.isVisible("#detail-map .map-notice")).toBe(true);
    expect(await page.textContent("#detail-map .map-notice")).toBe(NOTICE_ZH);
    expect(await count(page, "#detail-map .leaflet-overlay-pane path.map-household")).toBe(1);
    await page.locator("#detail-map").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(RESULTS, "map-offline-detail.png") });
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
