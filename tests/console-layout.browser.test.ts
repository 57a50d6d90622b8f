/**
 * The console at 1366×768 (a common command-center laptop), in zh-CN and English:
 * - the top bar is one line (it wrapped onto two and took 100 px from every page), for an
 *   administrator (the most tabs), while muted (the longest mute label) and while the browser
 *   blocks the sound (the enable button shown); its account menu works from the keyboard;
 * - an open alarm shows the resident card and the map without scrolling, beside the action bar
 *   (the fixed action form once took about 40% of the pane), before and after it is
 *   acknowledged, for an operator, who sees the resident's health rows too;
 * - the resolve dialog lays out each outcome as one line: radio, key, words
 *   (the global `label` column rule once stacked them).
 * Screenshots of each go to test-results/ in both languages.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium, openConsole, openUserMenu, RESULTS } from "./support/console-page.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

/** How long a view may take to show: generous, since a busy machine (CI, two suites at once) is slow, never a speed check. */
const SHOW_MS = 30_000;
const OPERATOR = { username: "layout-operator", password: "layout-operator-pw" };

let hub: TestHub;
let browser: Browser;
const buttons: SimulatedButton[] = [];
const pageErrors: string[] = [];
/** Demo devices whose resident has every health row and the household's access on file: the tallest card. */
let fullCards: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
  await createUser(hub, OPERATOR.username, "operator", OPERATOR.password);
  const rows = hub.hub.db
    .prepare(
      `SELECT d.id AS device_id FROM devices d JOIN households h ON h.id = d.household_id
         JOIN residents r ON r.id = (SELECT MIN(id) FROM residents WHERE household_id = h.id)
        WHERE r.conditions <> '' AND r.medications <> '' AND r.allergies <> '' AND r.mobility <> ''
          AND h.key_holder <> '' AND h.access_notes <> ''
        ORDER BY d.id`,
    )
    .all() as { device_id: string }[];
  fullCards = rows.map((r) => r.device_id).filter((id) => hub.demoDevices.some((d) => d.deviceId === id));
}, 60_000);

afterAll(async () => {
  for (const b of buttons) await b.stop();
  await browser?.close();
  await hub?.stop();
});

async function press(deviceId: string): Promise<number> {
  const device = hub.demoDevices.find((d) => d.deviceId === deviceId);
  if (!device) throw new Error(`no demo device ${deviceId}`);
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

/** The top bar's parts that start below its first line (none when it is one line), and the bar's height. */
async function wrapped(page: Page): Promise<{ below: Box[]; height: number }> {
  const bar = await box(page, ".topbar");
  const parts = await boxes(page, ".topbar > *, .topbar .controls > *");
  expect(parts.length).toBeGreaterThan(4);
  // Everything starts on the bar's first line: a wrapped part starts a line lower.
  return { below: parts.filter((p) => p.top > bar.top + 24), height: Math.round(bar.bottom - bar.top) };
}

/** Whether the element is wholly inside the detail body's visible box, the body not scrolled. */
async function inView(page: Page, selector: string) {
  const body = await box(page, "#detail-body");
  const card = await box(page, selector);
  return { selector, top: card.top >= body.top - 1, bottom: card.bottom <= body.bottom + 1 };
}

describe.each([
  ["zh-CN", "zh"],
  ["en", "en"],
])("the console at 1366×768 (%s)", (lang, suffix) => {
  let admin: Page;
  let page: Page;
  let alarmId: number;

  /** A console in this describe's language: the login click is its sound's gesture. */
  async function open(as?: { username: string; password: string }): Promise<Page> {
    const opened = await openConsole(browser, hub, pageErrors, as);
    if (lang === "en") await opened.click(".topbar .lang-switch");
    await opened.waitForSelector(`html[lang="${lang}"]`, { state: "attached", timeout: SHOW_MS });
    return opened;
  }

  beforeAll(async () => {
    admin = await open();
    page = await open(OPERATOR);
    const device = fullCards[lang === "en" ? 1 : 0];
    if (!device) throw new Error("no demo resident with every health row on file");
    alarmId = await press(device);
    await page.click(`#queue .row[data-id="${alarmId}"]`);
    await page.waitForSelector("#detail:not([hidden]) #detail-body .resident-card .resident-health[data-state='ok']", {
      timeout: SHOW_MS,
    });
    await page.waitForSelector("#detail-map", { timeout: SHOW_MS });
  }, 60_000);

  it("keeps the top bar on one line: every tab, muted, and with the sound blocked", async () => {
    await admin.waitForSelector("#nav-users:not([hidden])", { timeout: SHOW_MS });
    expect((await wrapped(admin)).below).toEqual([]);
    await admin.screenshot({ path: path.join(RESULTS, `console-layout-topbar-${suffix}.png`) });

    // The longest label the mute button has: "muted, n s left · unmute".
    await admin.click("#btn-mute");
    await admin.waitForSelector("#btn-mute[aria-pressed='true']", { timeout: SHOW_MS });
    expect((await wrapped(admin)).below).toEqual([]);
    await admin.click("#btn-mute");

    // A new tab has had no gesture: the sound is blocked and the enable button shows, in the mute button's place.
    const fresh = await admin.context().newPage();
    fresh.on("pageerror", (err) => pageErrors.push(err.message));
    await fresh.goto(hub.httpUrl);
    await fresh.waitForSelector('body[data-view="console"] #btn-sound:not([hidden])', { timeout: SHOW_MS });
    await fresh.waitForSelector(`html[lang="${lang}"]`, { state: "attached", timeout: SHOW_MS });
    expect(await fresh.isHidden("#btn-mute")).toBe(true);
    expect((await wrapped(fresh)).below).toEqual([]);
    await fresh.screenshot({ path: path.join(RESULTS, `console-layout-topbar-blocked-${suffix}.png`) });
    await fresh.close();
  }, 90_000);

  it("opens the account menu from the keyboard and closes it with Escape", async () => {
    // Tab order: the language switch, then the account's name.
    await page.focus(".topbar .lang-switch");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(`document.activeElement === document.querySelector("#user-menu > summary")`)).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#user-menu[open] #btn-logout", { state: "visible", timeout: SHOW_MS });
    // The menu's items follow its name; the desktop-alerts switch, when the browser can still be asked, among them.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.id")).toBe("btn-password");
    const items = await page.$$eval("#user-menu-items button:not([hidden])", (els) => els.map((el) => el.id));
    expect(items[0]).toBe("btn-password");
    expect(items.at(-1)).toBe("btn-logout");
    await page.screenshot({ path: path.join(RESULTS, `console-layout-menu-${suffix}.png`) });
    // Escape closes the menu only (the open alarm stays open) and gives the focus back to the name.
    await page.keyboard.press("Escape");
    expect(await page.evaluate(`document.getElementById("user-menu").open`)).toBe(false);
    expect(await page.evaluate(`document.activeElement === document.querySelector("#user-menu > summary")`)).toBe(true);
    expect(await page.isVisible("#detail")).toBe(true);
    // A click elsewhere closes it too.
    await page.click("#user-menu > summary");
    await page.waitForSelector("#user-menu[open]", { timeout: SHOW_MS });
    await page.click("#queue-heading");
    expect(await page.evaluate(`document.getElementById("user-menu").open`)).toBe(false);

    // Over the map page's map, whose Leaflet panes and controls sit at z-index 400 to 1000: every item
    // is what a click at its middle reaches.
    await admin.click("#nav-map");
    await admin.waitForSelector("#page-map-canvas.leaflet-container", { timeout: SHOW_MS });
    await openUserMenu(admin);
    const hits = (await admin.evaluate(`[...document.querySelectorAll("#user-menu-items button")]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => { const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        return el.id + (hit?.closest("button") === el ? "" : " is covered by " + hit?.className); })`)) as string[];
    expect(hits).toContain("btn-logout");
    expect(hits.filter((hit) => hit.includes("covered"))).toEqual([]);
    await admin.screenshot({ path: path.join(RESULTS, `console-layout-menu-map-${suffix}.png`) });
    await admin.keyboard.press("Escape");
    await admin.click("#nav-alarms");
  }, 90_000);

  it("shows the resident card and the map of an open alarm without scrolling", async () => {
    expect(await page.evaluate(`document.getElementById("detail-body").scrollTop`)).toBe(0);
    expect(await page.isVisible("#btn-ack")).toBe(true);
    for (const selector of ["#detail-body .resident-card", "#detail-map"]) {
      expect(await inView(page, selector)).toEqual({ selector, top: true, bottom: true });
    }
    // Side by side, not one under the other.
    const resident = await box(page, "#detail-body .resident-card");
    const map = await box(page, "#detail-map");
    expect(map.left).toBeGreaterThan(resident.right - 1);
    // The action bar is one row: acknowledge, resolve and the note box.
    const row = await boxes(page, "#btn-ack, #btn-resolve, #note-text");
    expect(row).toHaveLength(3);
    const middles = row.map((b) => (b.top + b.bottom) / 2);
    expect(Math.max(...middles) - Math.min(...middles)).toBeLessThan(8);
    // Nothing of it is cut off at the pane's right edge (the note's button included).
    const pane = await box(page, "#detail");
    const cut = (await boxes(page, ".detail-foot button, .detail-foot textarea")).filter((b) => b.right > pane.right);
    expect(cut).toEqual([]);
    await page.screenshot({ path: path.join(RESULTS, `console-layout-detail-${suffix}.png`) });
  }, 90_000);

  it("still shows both once the alarm is acknowledged (the status line above them)", async () => {
    await page.click("#btn-ack");
    await page.waitForSelector(`#queue .row[data-id="${alarmId}"][data-unacked="false"]`, { timeout: SHOW_MS });
    await page.waitForSelector("#detail-body .status-line p", { timeout: SHOW_MS });
    expect(await page.isHidden("#btn-ack")).toBe(true);
    for (const selector of ["#detail-body .status-line", "#detail-body .resident-card", "#detail-map"]) {
      expect(await inView(page, selector)).toEqual({ selector, top: true, bottom: true });
    }
    await page.screenshot({ path: path.join(RESULTS, `console-layout-acknowledged-${suffix}.png`) });
  }, 90_000);

  it("lays out each outcome of the resolve dialog on one line", async () => {
    // The action bar's resolve button opens the same dialog as the r key.
    await page.click("#btn-resolve");
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
    await page.waitForSelector(".resolve-dialog", { state: "detached", timeout: SHOW_MS });
    await page.keyboard.press("r");
    await page.waitForSelector(".resolve-dialog[open]", { timeout: SHOW_MS });
    await page.keyboard.press("Escape");
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
