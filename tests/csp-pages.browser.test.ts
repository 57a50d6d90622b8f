/**
 * Pages that load from somewhere other than the hub's own files, under the
 * hub's Content-Security-Policy in real Chromium:
 *
 * - The map's tiles. The usual tile URL template names a subdomain (`{s}`),
 *   which Leaflet fills with a, b or c tile by tile, so the policy must let
 *   all three serve images, not only the first. The tile server here is a
 *   local one under `*.localhost` (Chromium sends every such name to the
 *   loopback), so a, b and c are three real origins.
 * - The API docs (Swagger UI), which have their own, slightly wider, policy.
 *
 * Each test fails on any policy violation on its page, and checks that the
 * page really shows what it is for.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openConsole, waitForExpression } from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 10_000;
/** A 1×1 PNG: enough for the browser to count a tile as loaded. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

/** Every Content-Security-Policy violation Chromium reports on `page`. */
function watchViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

describe("pages that load from elsewhere, under the CSP (browser)", () => {
  let th: TestHub;
  let browser: Browser;
  let tileServer: http.Server;
  /** Host header of every tile request the tile server answered. */
  const tileHosts: string[] = [];
  let tilePort = 0;

  beforeAll(async () => {
    tileServer = http.createServer((request, response) => {
      tileHosts.push(String(request.headers.host));
      response.writeHead(200, { "content-type": "image/png", "cache-control": "no-store" });
      response.end(PNG);
    });
    await new Promise<void>((resolve) => tileServer.listen(0, "127.0.0.1", resolve));
    tilePort = (tileServer.address() as AddressInfo).port;
    th = await startTestHub({
      twilio: false,
      env: { ANXIN_MAP_TILE_URL: `http://{s}.tiles.localhost:${tilePort}/{z}/{x}/{y}.png` },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await th?.stop();
    tileServer?.close();
  });

  it("loads the map's tiles from every subdomain the tile URL names", async () => {
    const errors: string[] = [];
    const page = await openConsole(browser, th, errors);
    const violations = watchViolations(page);
    await page.goto(`${th.httpUrl}/#/map`);
    await page.waitForSelector("#map-view .leaflet-interactive", { state: "attached", timeout: SHOW_MS });
    // A map page shows a dozen tiles or more; Leaflet spreads them over a, b and c.
    await waitForExpression(page, `document.querySelectorAll("#map-view img.leaflet-tile").length >= 6`, undefined, {
      timeout: SHOW_MS,
    });
    await waitForExpression(
      page,
      `[...document.querySelectorAll("#map-view img.leaflet-tile")].every((t) => t.complete)`,
      undefined,
      { timeout: SHOW_MS },
    );
    const tiles = (await page.evaluate(`[...document.querySelectorAll("#map-view img.leaflet-tile")].map((t) => ({
      host: new URL(t.src).hostname,
      loaded: t.classList.contains("leaflet-tile-loaded"),
    }))`)) as { host: string; loaded: boolean }[];
    const hosts = [...new Set(tiles.map((t) => t.host))].sort();
    expect(hosts).toEqual(["a.tiles.localhost", "b.tiles.localhost", "c.tiles.localhost"]);
    expect({ notLoaded: tiles.filter((t) => !t.loaded).map((t) => t.host), violations }).toEqual({
      notLoaded: [],
      violations: [],
    });
    // The tile server saw requests for each, so nothing was refused before it left the browser.
    expect([...new Set(tileHosts.map((h) => h.split(":")[0]))].sort()).toEqual(hosts);
    // With tiles, the map says nothing about them and the road lines (a backdrop for no tiles) step aside.
    await page.waitForSelector('#page-map-canvas[data-tiles="ok"]', { timeout: SHOW_MS });
    expect(await page.isVisible("#map-view .map-notice")).toBe(false);
    await expect.poll(() => page.locator("#map-view path.map-road").count(), { timeout: SHOW_MS }).toBeGreaterThan(0);
    expect(
      await page.evaluate(`getComputedStyle(document.querySelector("#map-view .leaflet-roads-pane")).display`),
    ).toBe("none");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("shows the API docs under their own policy, with no violation", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations = watchViolations(page);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    const response = await page.goto(`${th.httpUrl}/docs/`);
    expect(response?.headers()["content-security-policy"]).toContain("style-src 'self' 'unsafe-inline'");
    // The operations are rendered from the OpenAPI document (fetched from the hub).
    await page.waitForSelector(".swagger-ui .opblock", { timeout: SHOW_MS });
    expect(await page.locator(".swagger-ui .opblock").count()).toBeGreaterThan(10);
    await page.click(".swagger-ui .opblock-summary >> nth=0");
    await page.waitForSelector(".swagger-ui .opblock-body", { timeout: SHOW_MS });
    expect({ violations, errors }).toEqual({ violations: [], errors: [] });
    await context.close();
  });
});
