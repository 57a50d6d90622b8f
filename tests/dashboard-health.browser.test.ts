/**
 * The console warns operators while the hub's database refuses writes (issue 11,
 * part 2), in real Chromium at 1366×768, in zh-CN and English. The operating
 * system really refuses the hub's file writes (tests/support/refuse-writes.ts):
 * an open console is told by push, a console opened meanwhile learns it from
 * /health, and the warning goes once writes work again.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CJK, launchChromium, openConsole, RESULTS, waitForExpression } from "./support/console-page.ts";
import { refuseFileWrites } from "./support/refuse-writes.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 15_000;
const VIEWPORT = { width: 1366, height: 768 };

let hub: TestHub;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false, env: { ANXIN_HEALTH_PROBE_S: "1" } });
  // Launched before any write is refused: Chromium keeps its own limits.
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

/** Where the banner is, whether all of it is on screen, and whether the page scrolls sideways. */
async function layout(page: Page) {
  return (await page.evaluate(`(() => {
    const r = document.getElementById("banner-db").getBoundingClientRect();
    const q = document.querySelector(".queue-head").getBoundingClientRect();
    return {
      top: r.top, bottom: r.bottom, left: r.left, right: r.right,
      queueHeadVisible: q.top >= r.bottom && q.bottom <= innerHeight,
      sideways: document.documentElement.scrollWidth > innerWidth,
    };
  })()`)) as {
    top: number;
    bottom: number;
    left: number;
    right: number;
    queueHeadVisible: boolean;
    sideways: boolean;
  };
}

describe("the console's warning when the database refuses writes", () => {
  it("shows a red banner on every console at 1366×768, in Chinese and English, and clears it on recovery", async () => {
    const open = await openConsole(browser, hub, pageErrors);
    // A second console, signed in now (signing in is a write): it reloads while writes are refused.
    const later = await openConsole(browser, hub, pageErrors);
    expect(await open.isHidden("#banner-db")).toBe(true);

    const shots: { name: string; png: Buffer }[] = [];
    const restore = refuseFileWrites();
    try {
      await open.waitForSelector('body[data-db-write="failed"] #banner-db:visible', { timeout: SHOW_MS });
      const zh = (await open.textContent("#banner-db")) ?? "";
      expect(zh).toMatch(CJK);
      expect(zh).toContain("数据库无法写入");
      expect(zh).toContain("SQLITE_IOERR_WRITE");
      expect(await open.getAttribute("#banner-db", "role")).toBe("alert");
      const box = await layout(open);
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.bottom).toBeLessThanOrEqual(VIEWPORT.height / 4);
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(VIEWPORT.width);
      expect(box.queueHeadVisible).toBe(true);
      expect(box.sideways).toBe(false);
      shots.push({ name: "db-write-warning-zh.png", png: await open.screenshot() });

      // The other pages show it too: it sits above them all.
      await open.click("#nav-devices");
      expect(await open.isVisible("#banner-db")).toBe(true);
      await open.click("#nav-alarms");

      await open.click(".topbar .lang-switch");
      await waitForExpression(open, `document.getElementById("banner-db").textContent.includes("refuses writes")`);
      const en = (await open.textContent("#banner-db")) ?? "";
      expect(en).not.toMatch(CJK);
      expect(en).toContain("new alarms cannot be stored");
      expect((await layout(open)).sideways).toBe(false);
      expect((await layout(open)).queueHeadVisible).toBe(true);
      shots.push({ name: "db-write-warning-en.png", png: await open.screenshot() });

      // Opened (reloaded) while refused: no push will come, /health tells it.
      await later.reload();
      await later.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
      await later.waitForSelector("#banner-db:visible", { timeout: SHOW_MS });
    } finally {
      restore();
    }
    for (const shot of shots) fs.writeFileSync(path.join(RESULTS, shot.name), shot.png);

    await open.waitForSelector('body[data-db-write="ok"]', { timeout: SHOW_MS });
    expect(await open.isHidden("#banner-db")).toBe(true);
    await later.waitForSelector("#banner-db", { state: "hidden", timeout: SHOW_MS });
    expect(pageErrors).toEqual([]);
  });
});
