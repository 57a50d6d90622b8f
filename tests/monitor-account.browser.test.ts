/**
 * The MQTT monitor role in the console, in real Chromium at 1366×768, against a
 * real hub: an administrator creates a monitor account on the Users page (in
 * English); the monitor signs in, chooses their own password, and then sees
 * only a card saying what the account is for (in Chinese) — with its own
 * password change and sign-out, and no console pages. With that password it
 * logs in to the broker.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CJK, I18N_KEY, interfaceText, launchChromium, RESULTS } from "./support/console-page.ts";
import { mqttLoginResult } from "./support/hostile-clients.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 8_000;
const OWN = "monitor's own sentence";
let hub: TestHub;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

async function newPage(lang: "zh-CN" | "en"): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: lang });
  await context.addInitScript(`localStorage.setItem("anxin.lang", ${JSON.stringify(lang)})`);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  return page;
}

async function signIn(page: Page, username: string, password: string, view: string): Promise<void> {
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", username);
  await page.fill("#login-password", password);
  await page.click("#login-submit");
  await page.waitForSelector(`body[data-view="${view}"]`, { timeout: SHOW_MS });
}

const detail = "#users-detail";
const field = (name: string) => `${detail} .field[data-field="${name}"]`;

describe("monitor accounts (browser)", () => {
  let oneTime = "";

  it("are offered on the Users page, and created like any account (English)", async () => {
    const page = await newPage("en");
    await signIn(page, "admin", hub.adminPassword, "console");
    await page.click("#nav-users");
    await page.click("#users-new");
    await page.waitForSelector(`${detail}[data-mode="create"]`, { timeout: SHOW_MS });
    const label = await page.textContent(`${field("role")} select option[value="monitor"]`);
    expect(label).toBe("MQTT monitor");
    await page.selectOption(`${field("role")} select`, "monitor");
    expect(await page.isHidden(field("workerId"))).toBe(true);
    await page.fill(`${field("username")} input`, "mon.web");
    await page.fill(`${field("displayName")} input`, "Monitoring");
    await page.click(`${detail} button[type="submit"]`);
    await page.waitForSelector("#one-time-panel", { timeout: SHOW_MS });
    oneTime = (await page.textContent("#one-time-password")) ?? "";
    await page.click("#one-time-done");
    await page.waitForSelector('#users-table tbody tr[data-username="mon.web"][data-state="mustChange"]', {
      timeout: SHOW_MS,
    });
    expect(await page.textContent('#users-table tbody tr[data-username="mon.web"]')).toContain("MQTT monitor");
  }, 60_000);

  it("show a monitor only what the account is for, once its password is its own (zh-CN)", async () => {
    // The one-time password opens no broker login.
    expect(
      await mqttLoginResult(hub.hub.mqttPort, "127.0.0.1", {
        clientId: "mon.web",
        username: "mon.web",
        password: oneTime,
      }),
    ).toBe(5);
    const page = await newPage("zh-CN");
    await signIn(page, "mon.web", oneTime, "password");
    await page.fill("#pw-required-current", oneTime);
    await page.fill("#pw-required-next", OWN);
    await page.fill("#pw-required-repeat", OWN);
    await page.click("#pw-required-submit");
    await page.waitForSelector('body[data-view="monitor"]', { timeout: SHOW_MS });
    expect(await page.isHidden("#console-view")).toBe(true);
    expect(await page.textContent("#monitor-title")).toBe("设备消息监控账号");
    const texts = await interfaceText(page, "#monitor-view");
    expect(texts.filter((text) => I18N_KEY.test(text))).toEqual([]);
    expect(texts.some((text) => CJK.test(text))).toBe(true);
    await page.screenshot({ path: path.join(RESULTS, "monitor-account-zh.png") });
    expect(
      await mqttLoginResult(hub.hub.mqttPort, "127.0.0.1", { clientId: "mon.web", username: "mon.web", password: OWN }),
    ).toBe("connected");

    // Its own password change is there, and signing out returns to the form.
    await page.click("#monitor-password");
    await page.waitForSelector("#password-dialog", { timeout: SHOW_MS });
    await page.click("#password-cancel");
    await page.click("#monitor-logout");
    await page.waitForSelector('body[data-view="login"]', { timeout: SHOW_MS });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
