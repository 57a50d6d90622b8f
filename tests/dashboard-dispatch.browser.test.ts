/**
 * The operator console's dispatch card in real Chromium against a real hub: a
 * simulated button presses SOS, the hub ranks the on-duty workers and offers
 * the alarm to the first at once; the card must show that ranking, the chosen
 * worker and the offer. The operator then dispatches by hand (from the ranking,
 * then by searching on-duty workers): each time a new offer step appears and the
 * previous one is withdrawn, in the page and in the hub's own API. Finally,
 * with nobody on duty, the hub gives up at once and the card must say, loudly,
 * that the operator has to act.
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

interface Offer {
  id: number;
  worker: { id: number; code: string | null; name: string | null };
  status: string;
  offeredBy: string;
}
interface AlarmDetail {
  id: number;
  status: string;
  acknowledgedAt: string | null;
  worker: { id: number; name: string } | null;
  events: { type: string }[];
  dispatch: { ranking: { rank: number; workerId: number; busy: boolean }[]; offers: Offer[]; reason: string | null };
}
interface Worker {
  id: number;
  code: string;
  name: string;
  onDuty: boolean;
}

let hub: TestHub;
let browser: Browser;
let admin: string;
const buttons: SimulatedButton[] = [];
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  hub = await startTestHub({ twilio: false });
  admin = await hub.login();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const button of buttons) await button.stop();
  for (const context of contexts) await context.close();
  await browser?.close();
  await hub?.stop();
});

async function api<T>(method: string, url: string, body?: object): Promise<T> {
  const response = await fetch(`${hub.httpUrl}${url}`, {
    method,
    headers: { cookie: admin, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
const alarm = async (id: number) => (await api<{ alarm: AlarmDetail }>("GET", `/api/alarms/${id}`)).alarm;

async function openConsole(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", "admin");
  await page.fill("#login-password", hub.adminPassword);
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
  return page;
}

async function pressSos(deviceIndex: number): Promise<number> {
  const credential = hub.demoDevices[deviceIndex];
  if (!credential) throw new Error(`no demo device ${deviceIndex}`);
  const button = new SimulatedButton({
    mqttUrl: hub.mqttUrl,
    deviceId: credential.deviceId,
    secret: credential.secret,
  });
  buttons.push(button);
  await button.start({ timeoutMs: SHOW_MS });
  const ack = await button.press("sos");
  if (ack.alarmId === null) throw new Error("the hub acknowledged the press without an alarm id");
  await hub.waitForPipeline(ack.alarmId);
  return ack.alarmId;
}

/**
 * The whole card, then the 1366×768 console with the card scrolled into view. The
 * panel scrolls inside a 768-pixel window, so for the card alone the window is
 * made tall for a moment: a clipped element screenshot would hide the offers.
 */
async function shootCard(page: Page, file: string): Promise<void> {
  await page.setViewportSize({ width: 1366, height: 1500 });
  await page.locator("#dispatch-card").screenshot({ path: path.join(RESULTS, file) });
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.locator("#dispatch-card").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, file.replace("-card", "")) });
}

const offerStep = (n: number) => `#dispatch-card .offer-steps li:nth-child(${n})`;

/**
 * Visible interface text under `selector`, leaving out registry data (marked
 * data-content: names, addresses…) and text that declares its own language (the
 * hub's English reasons). A string, so the page-side code needs no DOM typings.
 */
async function interfaceText(page: Page, selector: string): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const texts = [];
    for (const root of document.querySelectorAll(${JSON.stringify(selector)})) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || !node.textContent.trim() || el.closest("[data-content]")) continue;
        const declared = el.closest("[lang]");
        if (declared && declared !== document.documentElement) continue;
        if (el.checkVisibility()) texts.push(node.textContent.trim());
      }
    }
    return texts;
  })()`)) as string[];
}

/** The event types dispatch writes; each must read as words in the timeline, never as its raw name. */
const DISPATCH_EVENTS = [
  "dispatch_ranked",
  "dispatch_refined",
  "clinic_selected",
  "clinic_unavailable",
  "offer_sent",
  "offer_accepted",
  "offer_declined",
  "offer_timed_out",
  "offer_withdrawn",
  "dispatch_exhausted",
  "on_scene",
];
async function untranslatedEvents(page: Page): Promise<string[]> {
  const raw: string[] = [];
  for (const type of DISPATCH_EVENTS) {
    for (const text of await page.locator(`#detail-body .timeline .ev-${type} .ev-type`).allTextContents()) {
      if (text.trim() === type || !text.trim()) raw.push(type);
    }
  }
  return raw;
}

describe("dispatch card (browser)", () => {
  it("shows the hub's ranking and offer, and re-dispatches by hand from the ranking and by search", async () => {
    const page = await openConsole();
    const alarmId = await pressSos(0);
    const before = await alarm(alarmId);
    const first = before.dispatch.offers[0];
    if (!first) throw new Error("the hub made no offer for an SOS");
    expect(first.status).toBe("offered");
    expect(before.acknowledgedAt).toBeNull();

    // The queue row: still unacknowledged, and already offered to the hub's choice.
    const row = `#queue .row[data-id="${alarmId}"]`;
    await page.waitForSelector(`${row}[data-unacked="true"][data-dispatch="offered"]`, { timeout: SHOW_MS });
    expect(await page.textContent(`${row} .badge.dispatch`)).toContain(first.worker.name ?? "?");

    // The card: the ranking with the chosen worker marked, and the offer_sent step.
    await page.click(row);
    await page.waitForSelector(`#dispatch-card .rank-row[data-current="true"][data-worker-id="${first.worker.id}"]`, {
      timeout: SHOW_MS,
    });
    expect(await page.locator("#dispatch-card .rank-row").count()).toBe(before.dispatch.ranking.length);
    expect(await page.getAttribute(offerStep(1), "data-status")).toBe("offered");
    expect(await page.getAttribute(offerStep(1), "data-worker-id")).toBe(String(first.worker.id));
    expect(await page.textContent("#dispatch-card .chosen")).toContain(first.worker.name ?? "?");
    expect(await page.locator("#detail-body .timeline .ev-offer_sent").count()).toBe(1);
    expect(await untranslatedEvents(page)).toEqual([]);
    await shootCard(page, "dashboard-dispatch-card.png");

    // By hand, from the ranking: the next free worker. A confirmation comes first.
    const next = before.dispatch.ranking.find((r) => r.workerId !== first.worker.id && !r.busy);
    if (!next) throw new Error("the ranking has no second free worker");
    await page.click(`#dispatch-card .rank-row[data-worker-id="${next.workerId}"] button.pick`);
    await page.waitForSelector("#dispatch-card .dispatch-confirm:not([hidden])", { timeout: SHOW_MS });
    expect(await page.textContent("#dispatch-card .dispatch-confirm")).toContain(first.worker.name ?? "?");
    await page.click("#dispatch-confirm");
    await page.waitForSelector(`${offerStep(2)}[data-status="offered"][data-worker-id="${next.workerId}"]`, {
      timeout: SHOW_MS,
    });
    await page.waitForSelector(`${offerStep(1)}[data-status="withdrawn"]`, { timeout: SHOW_MS });
    const afterPick = await alarm(alarmId);
    expect(afterPick.dispatch.offers.map((o) => [o.worker.id, o.status, o.offeredBy])).toEqual([
      [first.worker.id, "withdrawn", "system"],
      [next.workerId, "offered", "user:admin"],
    ]);
    expect(afterPick.worker?.id).toBe(next.workerId);
    expect(afterPick.events.map((e) => e.type)).toContain("offer_withdrawn");
    await page.waitForSelector("#detail-body .timeline .ev-offer_withdrawn", { timeout: SHOW_MS });
    expect(await untranslatedEvents(page)).toEqual([]);
    await shootCard(page, "dashboard-dispatch-card-reassigned.png");

    // By hand, by searching on-duty workers: one the ranking does not hold.
    const onDuty = await api<{ items: Worker[] }>("GET", "/api/registry/workers?onDuty=true&limit=100");
    const ranked = new Set(before.dispatch.ranking.map((r) => r.workerId));
    const outsider = onDuty.items.find((w) => !ranked.has(w.id));
    if (!outsider) throw new Error("every on-duty worker is ranked");
    await page.fill("#dispatch-search", outsider.code);
    await page.click(`#dispatch-results li[data-worker-id="${outsider.id}"] button.pick`);
    await page.click("#dispatch-confirm");
    await page.waitForSelector(`${offerStep(3)}[data-status="offered"][data-worker-id="${outsider.id}"]`, {
      timeout: SHOW_MS,
    });
    await page.waitForSelector(`${offerStep(2)}[data-status="withdrawn"]`, { timeout: SHOW_MS });
    expect(await page.textContent("#dispatch-msg")).toContain(outsider.name);
    const afterSearch = await alarm(alarmId);
    expect(afterSearch.dispatch.offers.map((o) => o.status)).toEqual(["withdrawn", "withdrawn", "offered"]);
    expect(afterSearch.dispatch.offers[2]?.worker.id).toBe(outsider.id);
    // The queue row follows, without a reload.
    await expect.poll(() => page.textContent(`${row} .badge.dispatch`), { timeout: SHOW_MS }).toContain(outsider.name);

    // English: the card and the timeline have no interface text left in Chinese.
    await page.click(".topbar .lang-switch");
    await page.waitForSelector('html[lang="en"]');
    const english = await interfaceText(page, "#dispatch-card, #detail-body .timeline, #queue");
    expect(english.length).toBeGreaterThan(20);
    expect(english.filter((text) => CJK.test(text))).toEqual([]);
    expect(await untranslatedEvents(page)).toEqual([]);
    // The title keeps the two facts apart, and says what the resident's button shows: nobody acknowledged,
    // a worker asked but not accepted, so the button still says only that the call was received.
    expect(await page.textContent("#detail-title .ack")).toBe("Unacknowledged");
    expect(await page.textContent("#detail-title .state")).toBe("Worker asked");
    expect(await page.textContent("#detail-title .button-state")).toBe("Button: call received");
    expect(await page.getAttribute("#detail-title .button-state", "data-state")).toBe("received");
    await page.screenshot({ path: path.join(RESULTS, "dashboard-dispatch-en.png") });

    // Both languages have every key (checked in the page, as the console loads them).
    const keys = (await page.evaluate(
      `import("/i18n.js").then(({ dictionaries }) =>
        Object.fromEntries(Object.entries(dictionaries).map(([lang, d]) => [lang, Object.keys(d).sort()])))`,
    )) as Record<string, string[]>;
    expect(keys.en).toEqual(keys["zh-CN"]);
    // Including the ones this press never produced (refined, declined, timed out, on scene…).
    expect(DISPATCH_EVENTS.filter((type) => !keys.en?.includes(`event.${type}`))).toEqual([]);
    await page.click(".topbar .lang-switch");
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("warns loudly when nobody is left to ask, and lets the operator dispatch by hand", async () => {
    const page = await openConsole();
    // Everybody off duty: the hub ranks nobody and records dispatch_exhausted at once.
    const onDuty = await api<{ items: Worker[] }>("GET", "/api/registry/workers?onDuty=true&limit=100");
    for (const w of onDuty.items) await api("PATCH", `/api/registry/workers/${w.id}`, { onDuty: false });
    const alarmId = await pressSos(1);
    const stuck = await alarm(alarmId);
    expect(stuck.events.map((e) => e.type)).toContain("dispatch_exhausted");
    expect(stuck.dispatch.offers).toEqual([]);

    await page.click(`#queue .row[data-id="${alarmId}"]`);
    await page.waitForSelector("#dispatch-card.exhausted .dispatch-exhausted", { timeout: SHOW_MS });
    // The card (with its warning) comes first, right under the status line.
    const order = await page.locator("#detail-body > *").evaluateAll((els) => els.map((el) => el.id || el.className));
    expect(order.indexOf("dispatch-card")).toBe(1);
    expect(await page.isVisible("#detail-body .timeline .ev-dispatch_exhausted")).toBe(true);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-dispatch-exhausted.png") });

    // Someone comes back on duty; the operator finds them and sends them.
    const back = onDuty.items[0];
    if (!back) throw new Error("no worker to bring back");
    await api("PATCH", `/api/registry/workers/${back.id}`, { onDuty: true });
    await page.fill("#dispatch-search", back.code);
    await page.click(`#dispatch-results li[data-worker-id="${back.id}"] button.pick`);
    await page.click("#dispatch-confirm");
    await page.waitForSelector(`${offerStep(1)}[data-status="offered"][data-worker-id="${back.id}"]`, {
      timeout: SHOW_MS,
    });
    await page.waitForSelector("#dispatch-card:not(.exhausted)", { timeout: SHOW_MS });
    expect(await page.locator(".dispatch-exhausted").count()).toBe(0);
    expect((await alarm(alarmId)).dispatch.offers.map((o) => [o.worker.id, o.status])).toEqual([[back.id, "offered"]]);
    for (const w of onDuty.items) await api("PATCH", `/api/registry/workers/${w.id}`, { onDuty: true });

    // On the registry page the waiting alarms stay loud (banner, tab count, sound), and `a` acknowledges nothing.
    const open = (await api<{ alarms: AlarmDetail[] }>("GET", "/api/alarms")).alarms;
    const waiting = open.filter((a) => a.acknowledgedAt === null).length;
    await page.click("#nav-registry");
    await page.waitForSelector("#reg-unacked:not([hidden])", { timeout: SHOW_MS });
    expect(await page.textContent("#nav-unacked")).toBe(String(waiting));
    expect(await page.getAttribute("body", "data-sound")).toBe("playing");
    await page.keyboard.press("a");
    await page.click("#nav-alarms");
    await page.waitForSelector("#alarms-view:not([hidden])", { timeout: SHOW_MS });
    expect((await alarm(alarmId)).acknowledgedAt).toBeNull();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
