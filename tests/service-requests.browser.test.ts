/**
 * Service requests in real Chromium against a real hub: a simulated button
 * presses `service` over MQTT; the grid worker the hub chose (read from its
 * own rows) sees the request on the worker page and marks it done there; the
 * operator console's service card follows, and for a second request the
 * operator re-assigns it and marks it done from the card. Both pages must read
 * fully in English after a language switch.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium } from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "test-results");
const SHOW_MS = 8_000;
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

interface RequestRow {
  id: number;
  status: string;
  worker_id: number | null;
}

let hub: TestHub;
let browser: Browser;
const buttons: SimulatedButton[] = [];
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const button of buttons) await button.stop();
  for (const context of contexts) await context.close();
  await browser?.close();
  await hub?.stop();
});

async function pressService(deviceIndex: number): Promise<number> {
  const credential = hub.demoDevices[deviceIndex];
  if (!credential) throw new Error(`no demo device ${deviceIndex}`);
  const button = new SimulatedButton({
    mqttUrl: hub.mqttUrl,
    deviceId: credential.deviceId,
    secret: credential.secret,
  });
  buttons.push(button);
  await button.start({ timeoutMs: SHOW_MS });
  const ack = await button.press("service");
  if (ack.alarmId === null) throw new Error("the hub acknowledged the press without an alarm id");
  await hub.waitForPipeline(ack.alarmId);
  return ack.alarmId;
}

const requestOf = (alarmId: number) =>
  hub.hub.db
    .prepare("SELECT id, status, worker_id FROM service_requests WHERE alarm_id = ?")
    .get(alarmId) as RequestRow;
const codeOf = (workerId: number) =>
  (hub.hub.db.prepare("SELECT code FROM workers WHERE id = ?").get(workerId) as { code: string }).code;
const alarmStatus = (alarmId: number) =>
  (hub.hub.db.prepare("SELECT status, outcome FROM alarms WHERE id = ?").get(alarmId) as {
    status: string;
    outcome: string | null;
  }) ?? null;

async function newPage(viewport: { width: number; height: number }, mobile: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: "zh-CN", isMobile: mobile, hasTouch: mobile });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  return page;
}

async function openConsole(): Promise<Page> {
  const page = await newPage({ width: 1366, height: 768 }, false);
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", "admin");
  await page.fill("#login-password", hub.adminPassword);
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
  return page;
}

async function openPhone(code: string): Promise<Page> {
  const page = await newPage({ width: 390, height: 844 }, true);
  await page.goto(`${hub.httpUrl}/worker/`);
  await page.fill("#login-username", code);
  await page.fill("#login-password", hub.workerPassword(code));
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="main"]', { timeout: SHOW_MS });
  return page;
}

/** Visible interface text under `selector`, leaving out registry data (data-content). */
async function interfaceText(page: Page, selector: string): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const texts = [];
    for (const root of document.querySelectorAll(${JSON.stringify(selector)})) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || !node.textContent.trim() || el.closest("[data-content]")) continue;
        if (el.checkVisibility()) texts.push(node.textContent.trim());
      }
      for (const option of root.querySelectorAll("option")) texts.push(option.textContent.replace(/^[^·]*·/, ""));
    }
    return texts;
  })()`)) as string[];
}

/** Both languages of a page's dictionaries have the same keys (loaded in the page, as in use). */
async function dictionaryKeys(page: Page, module: string): Promise<Record<string, string[]>> {
  return (await page.evaluate(
    `import(${JSON.stringify(module)}).then(({ dictionaries }) =>
      Object.fromEntries(Object.entries(dictionaries).map(([lang, d]) => [lang, Object.keys(d).sort()])))`,
  )) as Record<string, string[]>;
}

describe("service requests (browser)", () => {
  it("the grid worker marks the request done on the worker page, and the console card follows", async () => {
    const console_ = await openConsole();
    const alarmId = await pressService(5);
    const request = requestOf(alarmId);
    if (request.worker_id === null) throw new Error("the hub did not route the request");
    const code = codeOf(request.worker_id);

    // The console: the alarm's card shows the request, assigned to that worker.
    await console_.click(`#queue .row[data-id="${alarmId}"]`);
    await console_.waitForSelector('#service-card[data-status="assigned"]', { timeout: SHOW_MS });
    expect(await console_.textContent("#service-card .service-worker")).toContain(code);
    expect(await console_.textContent("#service-card h3")).toContain(`服务请求 #${request.id}`);
    // Routed through its request: the dispatch card offers no "offer to this worker" buttons for it.
    expect(await console_.locator("#detail-body .rank-row .pick").count()).toBe(0);
    await console_.locator("#service-card").screenshot({ path: path.join(RESULTS, "service-card-assigned.png") });

    // The worker's phone: the request with its Done button.
    const phone = await openPhone(code);
    const item = `#service-list li[data-request-id="${request.id}"]`;
    await phone.waitForSelector(`#service-requests:not([hidden]) ${item}`, { timeout: SHOW_MS });
    expect(await phone.textContent(item)).toContain(hub.demoDevices[5]?.address ?? "?");
    // The way there in the apps workers use (their coordinates are checked in worker-page.browser.test.ts).
    expect(await phone.getAttribute(`${item} a[data-nav="amap"]`, "href")).toMatch(
      /^https:\/\/uri\.amap\.com\/navigation\?to=1\d\d\./,
    );
    expect(await phone.getAttribute(`${item} a[data-nav="baidu"]`, "href")).toMatch(
      /^https:\/\/api\.map\.baidu\.com\/marker\?location=\d\d\./,
    );
    expect(await phone.getAttribute(`${item} a[data-nav="geo"]`, "href")).toMatch(/^geo:\d/);
    await phone.locator(item).scrollIntoViewIfNeeded();
    await phone.screenshot({ path: path.join(RESULTS, "worker-service-request.png") });
    const workerKeys = await dictionaryKeys(phone, "/worker/i18n.js");
    expect(workerKeys.en).toEqual(workerKeys["zh-CN"]);

    // English on the phone: the request's interface text has no Chinese left.
    await phone.click(".topbar .lang-switch");
    await phone.waitForSelector('html[lang="en"]');
    const english = await interfaceText(phone, "#service-requests");
    expect(english.length).toBeGreaterThan(4);
    expect(english.filter((text) => CJK.test(text))).toEqual([]);
    expect(await phone.textContent(`${item} [data-service-done]`)).toBe("Done");

    await phone.fill(`${item} textarea`, "replaced the kitchen light bulb");
    await phone.click(`${item} [data-service-done]`);
    await phone.waitForSelector('#feedback[data-kind="ok"]', { timeout: SHOW_MS });
    await phone.waitForSelector("#service-requests[hidden]", { state: "attached", timeout: SHOW_MS });
    expect(requestOf(alarmId).status).toBe("done");
    expect(alarmStatus(alarmId)).toEqual({ status: "resolved", outcome: "real" });

    // The console follows through the realtime push: done, by the worker, with the note; no actions left.
    await console_.waitForSelector('#service-card[data-status="done"]', { timeout: SHOW_MS });
    const card = (await console_.textContent("#service-card")) ?? "";
    expect(card).toContain(code);
    expect(card).toContain("replaced the kitchen light bulb");
    expect(await console_.isVisible("#service-card .service-actions")).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("the operator re-assigns a request from the card and marks it done", async () => {
    const console_ = await openConsole();
    const alarmId = await pressService(9);
    const before = requestOf(alarmId);
    await console_.click(`#queue .row[data-id="${alarmId}"]`);
    await console_.waitForSelector('#service-card[data-status="assigned"] #service-worker:not([disabled])', {
      timeout: SHOW_MS,
    });
    // The choice lists other workers only, the household's grid first.
    const options = await console_.$$eval("#service-worker option", (els) =>
      els.map((el) => ({ value: el.getAttribute("value"), sameGrid: el.getAttribute("data-same-grid") })),
    );
    expect(options.map((o) => Number(o.value))).not.toContain(before.worker_id);
    expect(options[0]?.sameGrid).toBe("true");
    const target = options.find((o) => o.sameGrid === "false")?.value;
    if (!target) throw new Error("no worker from another grid offered");

    await console_.selectOption("#service-worker", target);
    await console_.click("#service-assign");
    await console_.waitForSelector(`#service-card[data-status="assigned"]`, { timeout: SHOW_MS });
    await expect
      .poll(() => console_.textContent("#service-card .service-worker"), { timeout: SHOW_MS })
      .toContain(codeOf(Number(target)));
    expect(requestOf(alarmId)).toMatchObject({ status: "assigned", worker_id: Number(target) });

    await console_.fill("#service-note", "resolved by phone");
    await console_.click("#service-done");
    await console_.waitForSelector('#service-card[data-status="done"]', { timeout: SHOW_MS });
    expect(alarmStatus(alarmId)).toEqual({ status: "resolved", outcome: "real" });
    expect(await console_.textContent("#service-card")).toContain("resolved by phone");
    // The timeline reads the service events as words.
    for (const type of ["service_request_opened", "service_request_assigned", "service_request_done"]) {
      const label = (await console_.locator(`#detail-body .timeline .ev-${type} .ev-type`).first().textContent()) ?? "";
      expect(label.trim()).not.toBe(type);
    }
    await console_.locator("#service-card").screenshot({ path: path.join(RESULTS, "service-card-done.png") });

    await console_.click(".topbar .lang-switch");
    await console_.waitForSelector('html[lang="en"]');
    const english = await interfaceText(console_, "#service-card");
    expect(english.length).toBeGreaterThan(3);
    expect(english.filter((text) => CJK.test(text))).toEqual([]);
    const keys = await dictionaryKeys(console_, "/i18n.js");
    expect(keys.en).toEqual(keys["zh-CN"]);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
