/**
 * The console at 1366×768 (a common command-center laptop), in zh-CN and English:
 * - the resolve dialog lays out each outcome as one line: radio, key, words
 *   (the global `label` column rule once stacked them).
 * Screenshots of each go to test-results/ in both languages.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium, openConsole, RESULTS } from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 10_000;

let hub: TestHub;
let browser: Browser;
const buttons: SimulatedButton[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const b of buttons) await b.stop();
  await browser?.close();
  await hub?.stop();
});

async function press(index: number): Promise<number> {
  const device = hub.demoDevices[index];
  if (!device) throw new Error(`no demo device ${index}`);
  const button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
  buttons.push(button);
  await button.start({ timeoutMs: 5000 });
  const ack = await button.press("sos");
  if (ack.alarmId === null) throw new Error("the hub stored no alarm");
  await hub.waitForPipeline(ack.alarmId);
  return ack.alarmId;
}

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** The boxes of the elements matching `selector` that are shown (page-side code as a string: no DOM lib here). */
async function boxes(page: Page, selector: string): Promise<Box[]> {
  return (await page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; })`)) as Box[];
}

async function box(page: Page, selector: string): Promise<Box> {
  const [found] = await boxes(page, selector);
  if (!found) throw new Error(`${selector} is not shown`);
  return found;
}

describe.each([
  ["zh-CN", "zh"],
  ["en", "en"],
])("the console at 1366×768 (%s)", (lang, suffix) => {
  let page: Page;
  let alarmId: number;

  beforeAll(async () => {
    page = await openConsole(browser, hub, pageErrors);
    if (lang === "en") await page.click(".topbar .lang-switch");
    await page.waitForSelector(`html[lang="${lang}"]`, { state: "attached", timeout: SHOW_MS });
    alarmId = await press(lang === "en" ? 1 : 0);
    await page.click(`#queue .row[data-id="${alarmId}"]`);
    await page.waitForSelector("#detail:not([hidden]) #detail-body .resident-card", { timeout: SHOW_MS });
    await page.waitForSelector("#detail-map", { timeout: SHOW_MS });
  }, 60_000);

  it("lays out each outcome of the resolve dialog on one line", async () => {
    await page.click("#btn-ack");
    await page.waitForSelector(`#queue .row[data-id="${alarmId}"][data-unacked="false"]`, { timeout: SHOW_MS });
    await page.keyboard.press("r");
    await page.waitForSelector(".resolve-dialog[open] .outcome-choice", { timeout: SHOW_MS });
    const choices = await boxes(page, ".resolve-dialog[open] .outcome-choice");
    const radios = await boxes(page, ".resolve-dialog[open] .outcome-choice input");
    const keys = await boxes(page, ".resolve-dialog[open] .outcome-choice kbd");
    expect(choices.length).toBe(3);
    choices.forEach((choice, i) => {
      const radio = radios[i];
      const key = keys[i];
      if (!radio || !key) throw new Error("an outcome without its radio or key");
      // Side by side: the key is right of the radio, and both sit within the choice's one line.
      expect(key.left).toBeGreaterThan(radio.right - 1);
      expect(choice.bottom - choice.top).toBeLessThan(2 * (key.bottom - key.top) + 4);
    });
    await page.screenshot({ path: path.join(RESULTS, `console-layout-resolve-${suffix}.png`) });
    await page.keyboard.press("Escape");
    expect(pageErrors).toEqual([]);
  });
});
