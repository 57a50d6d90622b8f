/**
 * The Devices page in real Chromium against a real hub: a button that dies
 * (socket destroyed, the broker fires its Last Will) appears as an offline
 * fault without a reload, counted on the nav tab and in an amber strip above
 * the alarm queue, with no alarm sound; a low-battery heartbeat shows a
 * maintenance task, apart from the faults; the device's health opens beside
 * them and "test now" makes a real test request that the button answers; both
 * languages read right; and the fault leaves the page when the button returns.
 * "Last seen" carries the day when it is not today, and the page says which
 * zone its times are in.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import {
  CJK,
  I18N_KEY,
  interfaceText,
  launchChromium,
  openConsole,
  RESULTS,
  toneState,
} from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

/** The promise is 60 s from cause to screen; the Will makes it immediate here. */
const SHOW_MS = 15_000;
const AMBER = "rgb(255, 176, 32)";
const DEVICE_TEXT = "#devices-view, #nav-devices";

let hub: TestHub;
let browser: Browser;
const buttons: SimulatedButton[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false, env: { ANXIN_LOW_BATTERY_PERCENT: "20" } });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const b of buttons) await b.stop();
  await browser?.close();
  await hub?.stop();
});

function demo(index: number) {
  const device = hub.demoDevices[index];
  if (!device) throw new Error(`no demo device ${index}`);
  return device;
}

async function startButton(index: number, battery = 90): Promise<SimulatedButton> {
  const { deviceId, secret } = demo(index);
  const button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId, secret, battery, heartbeatIntervalMs: 200 });
  buttons.push(button);
  await button.start({ timeoutMs: 5000 });
  return button;
}

const faultRow = (deviceId: string) => `#dev-faults tr[data-device-id="${deviceId}"]`;
const taskRow = (deviceId: string) => `#dev-maint tr[data-device-id="${deviceId}"]`;

async function untranslated(page: Page): Promise<string[]> {
  return (await interfaceText(page, DEVICE_TEXT)).filter((text) => I18N_KEY.test(text));
}

describe("Devices page (browser)", () => {
  it("shows faults and maintenance live, in both languages, drills a device, and clears a fault when the device returns", async () => {
    const cookie = await hub.login();
    const page = await openConsole(browser, hub, pageErrors);
    await page.click("#nav-devices");
    await page.waitForSelector('body[data-page="devices"] #dev-faults-empty', { timeout: SHOW_MS });
    expect(await page.isVisible("#nav-faults")).toBe(false);
    // Set once, read at the end: still there means the page was never reloaded.
    await page.evaluate("window.sameDocument = true");

    // A device dies: its socket is destroyed, the broker publishes its Will.
    const dying = demo(0);
    (await startButton(0)).kill();
    await page.waitForSelector(`${faultRow(dying.deviceId)}[data-kind="offline"]`, { timeout: SHOW_MS });
    const cells = await page.$$eval(`${faultRow(dying.deviceId)} td`, (tds) => tds.map((td) => td.textContent ?? ""));
    expect(cells[0]).toBe("离线");
    expect(cells[1]).toBe(dying.deviceId);
    expect(cells[2]).toContain(dying.household);
    expect(cells[2]).toContain(dying.address);
    expect(cells[3]).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(cells[4]).toMatch(/^\d{2}:\d{2}$/);
    expect(await page.textContent("#nav-faults")).toBe("1");
    // Not an emergency: nothing sounds, nothing joins the alarm queue.
    expect(await toneState(page)).toMatchObject({ sound: "idle", level: "none", gain: 0 });
    expect(await page.locator("#queue .row").count()).toBe(0);

    // An operator on the alarm queue sees it too, in amber.
    await page.click("#nav-alarms");
    await page.waitForSelector("#dev-strip:visible", { timeout: SHOW_MS });
    expect(await page.textContent("#dev-strip")).toContain("1 台离线");
    expect(await page.evaluate(`getComputedStyle(document.getElementById("dev-strip")).borderTopColor`)).toBe(AMBER);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-devices-strip.png") });
    await page.click("#dev-strip");
    await page.waitForSelector('body[data-page="devices"]', { timeout: SHOW_MS });

    // A low battery is a maintenance task, listed apart from the faults.
    const weak = demo(1);
    await startButton(1, 15);
    await page.waitForSelector(`${taskRow(weak.deviceId)}[data-kind="low_battery"]`, { timeout: SHOW_MS });
    expect(await page.textContent(`${taskRow(weak.deviceId)} td:first-child`)).toBe("更换电池");
    expect(await page.textContent(`${taskRow(weak.deviceId)} .dev-battery`)).toBe("15 %");
    expect(await page.locator(faultRow(weak.deviceId)).count()).toBe(0);
    expect(await page.textContent("#nav-faults")).toBe("2");

    // Its health opens beside the lists; "test now" asks the device for a test press, which it makes.
    await page.click(`${taskRow(weak.deviceId)} .dev-household`);
    await page.waitForSelector(`#dev-health[data-device-id="${weak.deviceId}"][data-state="ready"]`, {
      timeout: SHOW_MS,
    });
    expect(await page.evaluate("location.hash")).toBe(`#/devices/${weak.deviceId}`);
    expect(await page.textContent('#dev-health [data-fact="battery"]')).toBe("15 %");
    // Heard from today: the time alone, on the center's clock, whose zone the page names.
    expect(await page.textContent('#dev-health [data-fact="lastSeen"] time')).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(await page.textContent("#dev-zone")).toBe("时间按 Asia/Shanghai 时区");
    expect(await page.getAttribute("#dev-health", "data-test-status")).toBe("none");
    await page.click("#dev-drill");
    await page.waitForSelector("#dev-drill-result:visible", { timeout: SHOW_MS });
    expect(await page.textContent("#dev-drill-result")).toContain("已发出测试请求");
    await page.waitForSelector('#dev-health[data-test-status="completed"]', { timeout: SHOW_MS });
    const healthResponse = await fetch(`${hub.httpUrl}/api/devices/${weak.deviceId}/health`, { headers: { cookie } });
    expect(((await healthResponse.json()) as { lastTest: unknown }).lastTest).toMatchObject({
      trigger: "drill",
      requestedBy: "user:admin",
      status: "completed",
    });
    expect(await page.textContent("#dev-health .dev-test")).toContain("已完成");

    // Chinese throughout, no key left showing.
    expect(await page.textContent("#nav-devices")).toContain("设备");
    expect(await untranslated(page)).toEqual([]);
    expect((await interfaceText(page, "#dev-health dt")).every((text) => CJK.test(text))).toBe(true);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-devices.png") });

    // English: the same lists, in English words, nothing Chinese left outside registry data.
    await page.click(".topbar .lang-switch");
    await page.waitForSelector('html[lang="en"]');
    expect(await page.textContent(`${faultRow(dying.deviceId)} td:first-child`)).toBe("Offline");
    expect(await page.textContent(`${taskRow(weak.deviceId)} td:first-child`)).toBe("Replace battery");
    expect(await page.textContent("#dev-health .dev-test")).toContain("Completed");
    const english = await interfaceText(page, DEVICE_TEXT);
    expect(english.length).toBeGreaterThan(30);
    expect(english.filter((text) => CJK.test(text))).toEqual([]);
    expect(await untranslated(page)).toEqual([]);
    expect(await page.textContent("#dev-zone")).toBe("Times in Asia/Shanghai");
    await page.screenshot({ path: path.join(RESULTS, "dashboard-devices-en.png") });

    // Both languages have the same keys.
    const keys = (await page.evaluate(`Promise.all([import("/i18n-devices-en.js"), import("/i18n-devices-zh.js")])
      .then(([en, zh]) => [Object.keys(en.devicesEn).sort(), Object.keys(zh.devicesZh).sort()])`)) as string[][];
    expect(keys[0]).toEqual(keys[1]);

    // The dead device comes back: its fault leaves the page, live.
    await startButton(0);
    await page.waitForSelector(faultRow(dying.deviceId), { state: "detached", timeout: SHOW_MS });
    await page.waitForSelector("#dev-faults-empty", { timeout: SHOW_MS });
    expect(await page.textContent("#nav-faults")).toBe("1");
    expect(await page.evaluate("window.sameDocument")).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("shows the day (and the year, not this year's) beside a last-seen time that is not today, in both languages", async () => {
    // Last heard on 3 June 2025 at 00:30 in Shanghai (16:30 UTC the day before): a day, and a year, not today's.
    const quiet = demo(2);
    hub.hub.db
      .prepare("UPDATE devices SET last_seen_at = ? WHERE id = ?")
      .run("2025-06-02T16:30:00.000Z", quiet.deviceId);
    const page = await openConsole(browser, hub, pageErrors);
    await page.goto(`${hub.httpUrl}/#/devices/${quiet.deviceId}`);
    const lastSeen = '#dev-health [data-fact="lastSeen"]';
    await page.waitForSelector(`#dev-health[data-device-id="${quiet.deviceId}"][data-state="ready"]`, {
      timeout: SHOW_MS,
    });
    expect(await page.textContent(`${lastSeen} time`)).toBe("2025/06/03 00:30:00");
    expect(await page.getAttribute(`${lastSeen} time`, "datetime")).toBe("2025-06-02T16:30:00.000Z");
    expect(await page.textContent(lastSeen)).toMatch(/^2025\/06\/03 00:30:00 · \d+ 天 /);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-devices-last-seen.png") });
    await page.click(".topbar .lang-switch");
    await page.waitForSelector('html[lang="en"]');
    expect(await page.textContent(`${lastSeen} time`)).toBe("06/03/2025, 00:30:00");
    expect(await page.textContent(lastSeen)).toMatch(/^06\/03\/2025, 00:30:00 · \d+ d /);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-devices-last-seen-en.png") });
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
