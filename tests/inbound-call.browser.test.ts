/**
 * What an operator sees of alarms raised by phone calls (issue 14), in Debian's
 * Chromium at 1366×768, in both languages: an unplaced call shows its caller
 * ("unlocated: caller +86…", or that the number was withheld) instead of
 * "locating…", as text, and a placed call's detail names the caller, not a device.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openConsole } from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

describe("the console shows who called", () => {
  let th: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    th = await startTestHub();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await th?.stop();
  });

  it("names an unplaced caller in the queue and the detail, in zh-CN and English", async () => {
    // A number no household has, written as an attacker might: it is a caller ID, shown only as text.
    const stranger = "+8613700004242";
    expect((await th.twilioWebhooks().inboundCall({ from: stranger })).status).toBe(200);
    expect((await th.twilioWebhooks().inboundCall({ from: "anonymous" })).status).toBe(200);
    const ids = await th.hub.sql.all<{ id: number; caller: string | null }>(
      "SELECT id, caller FROM alarms WHERE source = 'voice' ORDER BY id",
    );
    expect(ids.map((row) => row.caller)).toEqual([stranger, null]);
    for (const row of ids) await th.waitForPipeline(row.id, 15_000);

    const errors: string[] = [];
    const page = await openConsole(browser, th, errors);
    const rowText = (id: number) => page.textContent(`#queue .row[data-id="${id}"] .locating`);
    const [unplaced, withheld] = ids;
    if (!unplaced || !withheld) throw new Error("two voice alarms expected");
    await page.waitForSelector(`#queue .row[data-id="${unplaced.id}"]`);
    expect(await rowText(unplaced.id)).toBe(`未定位：来电 ${stranger}`);
    expect(await rowText(withheld.id)).toBe("未定位：来电 号码未显示");
    await page.click(`#queue .row[data-id="${unplaced.id}"]`);
    await page.waitForSelector(".card dd");
    const facts = await page.$$eval(".card dt, .card dd", (cells) => cells.map((cell) => cell.textContent ?? ""));
    expect(facts.join("|")).toContain(`来电号码|${stranger}`);

    await page.click(".topbar .lang-switch");
    await page.waitForFunction(`document.documentElement.lang === "en"`);
    expect(await rowText(unplaced.id)).toBe(`Unlocated: caller ${stranger}`);
    expect(await rowText(withheld.id)).toBe("Unlocated: caller number withheld");
    expect(errors).toEqual([]);
  });
});
