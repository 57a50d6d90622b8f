/**
 * The family page as a relative sees it: a real hub, a press over MQTT, a
 * worker accepting and arriving through the worker API, and the relatives'
 * links opened from their SMS in headless Chromium on a phone (390×844), in
 * Chinese and in English. Screenshots land in test-results/family-*.png.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/console-page.ts";
import { CENTER_PHONE, type FamilyHub, startFamilyHub } from "./support/family-harness.ts";

const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "test-results");
const A = { name: "王建国", phone: "+8613900000501" };
const B = { name: "Li Ming", phone: "+8613900000502", language: "en" as const };
const DEVICE = 40;

// Page-side callbacks run in Chromium; tsconfig has no DOM lib, so type only what they touch.
declare const document: { documentElement: { scrollWidth: number; clientWidth: number } };

let hub: FamilyHub;
let browser: Browser;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  hub = await startFamilyHub();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await hub?.stop();
});

/** A fresh phone opening a link from its SMS; CSP refusals and script errors are collected as problems. */
async function phone(url: string, locale: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${message.location().url}: ${message.text()}`);
  });
  const response = await page.goto(url);
  problems.push(...(response && response.status() >= 500 ? [`HTTP ${response.status()}`] : []));
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(RESULTS, `family-${name}.png`), fullPage: true });
const text = (page: Page, selector: string) =>
  page
    .locator(selector)
    .textContent()
    .then((t) => t ?? "");
const fitsThePhone = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe("family page in Chromium on a phone", () => {
  it("shows each relative the alarm's progress in their language, then that all is well; a bad link says only that", async () => {
    await hub.giveRelatives(DEVICE, [A, B]);
    const alarmId = await hub.press(DEVICE);
    await hub.smsCount(A.phone, 1);
    await hub.smsCount(B.phone, 1);
    const worker = await hub.accept(alarmId);
    await hub.arrive(alarmId, worker.workerId);
    const residentName = (
      hub.th.hub.db
        .prepare("SELECT r.name FROM residents r JOIN alarms a ON a.resident_id = r.id WHERE a.id = ?")
        .get(alarmId) as { name: string }
    ).name;
    // As the relative opens it: the link is the last thing in their first SMS, pointing at the hub.
    const link = (phoneNumber: string) => `${hub.th.httpUrl}/f/${hub.tokenOf(phoneNumber)}`;

    const zh = await phone(link(A.phone), "zh-CN");
    expect(await text(zh, "h1")).toBe(`${residentName}的紧急呼叫`);
    expect(await text(zh, "[role=status]")).toBe(`社区工作人员${worker.name}已到达。`);
    expect(await zh.locator("li.done").count()).toBe(3);
    expect(await text(zh, 'li[data-step="on_the_way"]')).toContain(worker.name);
    expect(await text(zh, 'li[data-step="acknowledged"]')).toContain("尚未");
    const call = zh.locator("a.call");
    expect(await call.isVisible()).toBe(true);
    expect(await call.getAttribute("href")).toBe(`tel:${CENTER_PHONE.replace("-", "")}`);
    expect(await fitsThePhone(zh)).toBe(true);
    await shot(zh, "zh-arrived");

    const en = await phone(link(B.phone), "en-GB");
    expect(await text(en, "h1")).toBe(`${residentName}'s emergency call`);
    expect(await text(en, "[role=status]")).toBe(`Community worker ${worker.name} has arrived.`);
    expect(await text(en, "a.call")).toBe(`Call the command center ${CENTER_PHONE}`);
    expect(await fitsThePhone(en)).toBe(true);
    await shot(en, "en-arrived");

    // The worker finds it was not an emergency: reloading shows it, in each language.
    await hub.resolveAsWorker(alarmId, worker.workerId, "false_alarm");
    await en.reload();
    expect(await text(en, "[role=status]")).toBe("The call is closed: it was not an emergency, all is well.");
    expect(await text(en, 'li[data-step="closed"]')).toContain("Closed: all is well");
    await shot(en, "en-all-well");
    await zh.reload();
    expect(await text(zh, "[role=status]")).toBe("呼叫已解除：不是紧急情况，一切平安。");
    await shot(zh, "zh-all-well");

    const wrong = await phone(`${hub.th.httpUrl}/f/${"x".repeat(43)}`, "zh-CN");
    const shown = (await wrong.locator("main").textContent()) ?? "";
    expect(shown).toContain("此链接无效或已过期。");
    expect(shown).toContain("This link is not valid or has expired.");
    expect(shown).not.toContain(residentName);
    await shot(wrong, "invalid");

    // No script runs and nothing the CSP refused: the page is plain HTML and one hashed style. The one
    // complaint is Chromium noting the wrong link's 404 itself.
    expect(problems).toEqual([
      `${wrong.url()}: Failed to load resource: the server responded with a status of 404 (Not Found)`,
    ]);
  });
});
