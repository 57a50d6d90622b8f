/**
 * The console and the worker page declare their icon in the HTML itself, so a
 * browser never falls back to asking for /favicon.ico (which the hub does not
 * have: the request answers 404 and shows in the browser's console).
 *
 * Headless Chromium fetches no favicons at all, so the fallback request cannot be
 * watched here. What is checked instead is what decides it: the served HTML, before
 * any script runs, names an icon; that icon loads as an image under the page's
 * Content-Security-Policy; and nothing the page loads is missing.
 *
 * Static HTML includes nothing, so what the two heads share is written in both: the
 * same charset, theme colour and icon, and the shared stylesheet (dashboard/base.css)
 * linked first. The last test keeps them alike.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const PAGES = [
  { name: "the console", path: "/", viewport: { width: 1366, height: 768 } },
  { name: "the worker page", path: "/worker/", viewport: { width: 390, height: 844 } },
];

describe("page icons (browser)", () => {
  it.each(PAGES)("$name names its icon in its HTML, the icon loads, and no file is missing", async (page_) => {
    // As served, before any script has run.
    const html = await (await fetch(`${hub.httpUrl}${page_.path}`)).text();
    const head = html.slice(0, html.indexOf("</head>"));
    expect(head).toMatch(/<link rel="icon" type="image\/svg\+xml" href="data:image\/svg\+xml,[^"]+"/);

    const context = await browser.newContext({ viewport: page_.viewport, locale: "zh-CN" });
    const page = await context.newPage();
    const missing: string[] = [];
    const errors: string[] = [];
    page.on("response", (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    // A missing stylesheet or script (a 404 in JSON, refused under nosniff) fails as a request instead.
    page.on("requestfailed", (request) => missing.push(`${request.url()}: ${request.failure()?.errorText}`));
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`${hub.httpUrl}${page_.path}`);
    await page.waitForSelector("#login-form", { state: "visible" });
    // The icon is a real image, and the policy's img-src lets it in (a refusal would be an error event).
    const loaded = await page.evaluate(`new Promise((resolve) => {
      const image = new Image();
      image.onload = () => resolve(image.naturalWidth > 0);
      image.onerror = () => resolve(false);
      image.src = document.querySelector('link[rel="icon"]').href;
    })`);
    expect({ loaded, missing, errors }).toEqual({ loaded: true, missing: [], errors: [] });
    await context.close();
  });

  it("gives both pages the same head: charset, theme colour, icon, and base.css linked first", async () => {
    const heads = await Promise.all(
      PAGES.map(async ({ path }) => {
        const url = `${hub.httpUrl}${path}`;
        const html = await (await fetch(url)).text();
        const head = html.slice(0, html.indexOf("</head>"));
        const tag = (pattern: RegExp) => head.match(pattern)?.[0] ?? null;
        const sheets = [...head.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map(
          (m) => new URL(m[1] ?? "", url).href,
        );
        return {
          charset: tag(/<meta charset="[^"]*" \/>/),
          themeColor: tag(/<meta name="theme-color" content="[^"]*" \/>/),
          icon: tag(/<link rel="icon" [^>]*>/),
          firstSheet: sheets[0] ?? null,
        };
      }),
    );
    const [console_, worker] = heads;
    expect(console_).toEqual({
      charset: '<meta charset="utf-8" />',
      themeColor: expect.stringContaining("#0b0f14"),
      icon: expect.stringContaining("data:image/svg+xml,"),
      firstSheet: `${hub.httpUrl}/base.css`,
    });
    expect(worker).toEqual(console_);
    expect((await fetch(`${hub.httpUrl}/base.css`)).headers.get("content-type")).toMatch(/^text\/css/);
  });
});
