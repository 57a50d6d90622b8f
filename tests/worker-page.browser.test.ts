/**
 * The community worker's phone page (/worker/) end to end: a real hub, a simulated
 * button pressing SOS over MQTT, the offered worker's phone in headless Chromium
 * (390×844, geolocation granted and faked by playwright), and an operator's live
 * feed over the realtime WebSocket with the admin's cookie. Who gets the offer is
 * read from the hub's own `dispatch_offers` rows, never assumed. The household's
 * Amap and Baidu links carry its coordinates converted by dashboard/china-coords.js
 * (checked against the providers' own conversions in tests/china-coords.test.ts).
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { type ConsoleFeed, openConsoleFeed } from "./support/console-feed.ts";
import { launchChromium } from "./support/console-page.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

interface LatLng {
  lat: number;
  lng: number;
}
// The dashboard is plain browser JavaScript without type declarations.
const coordsModule: string = "../dashboard/china-coords.js";
const coords = (await import(coordsModule)) as {
  wgs84ToGcj02(point: LatLng): LatLng;
  wgs84ToBd09(point: LatLng): LatLng;
};

const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "test-results");
const SHOW_MS = 8_000;
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
/** Where the faked phone is: in Kenli, but away from every seeded worker's home. */
const PHONE = { latitude: 37.5931, longitude: 118.5512 };

// Page-side callbacks run in Chromium; tsconfig has no DOM lib, so type only what they touch.
interface PageElement {
  parentElement: PageElement | null;
  textContent: string | null;
  closest(selector: string): PageElement | null;
  checkVisibility(): boolean;
  scrollIntoView(options: { block: string }): void;
}
declare const document: {
  documentElement: PageElement;
  querySelector(selector: string): PageElement | null;
  createTreeWalker(root: PageElement, whatToShow: number): { nextNode(): PageElement | null };
};
declare const NodeFilter: { SHOW_TEXT: number };

interface OfferRow {
  id: number;
  alarm_id: number;
  worker_id: number;
  status: string;
  note: string | null;
  code: string;
}

let hub: TestHub;
let browser: Browser;
let workerCodes: string[];
let feed: ConsoleFeed;
let adminCookie: string;
const buttons: SimulatedButton[] = [];
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
/** Every request of a phone's pages that found nothing (a missing file, or a /favicon.ico asked for). */
const missing: string[] = [];
/** Files a page loads by itself, which fail as a request (not a response) when missing. */
const PAGE_FILES = new Set(["stylesheet", "script", "image", "font"]);

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  hub = await startTestHub();
  const logins = JSON.parse(readFileSync(hub.hub.demoWorkersFile, "utf8")) as {
    workers: { username: string; password: string }[];
  };
  workerCodes = logins.workers.map((w) => w.username);
  if (!logins.workers[0]?.password) throw new Error("the test hub wrote no demo worker logins");

  // The operator's side: every alarm change the consoles are pushed.
  adminCookie = await hub.login();
  feed = await openConsoleFeed(hub.wsUrl, adminCookie);

  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const button of buttons) await button.stop();
  for (const context of contexts) await context.close();
  feed?.close();
  await browser?.close();
  await hub?.stop();
});

async function pressSos(deviceIndex: number): Promise<{ button: SimulatedButton; alarmId: number }> {
  const device = hub.demoDevices[deviceIndex];
  if (!device) throw new Error(`the test hub seeded no demo device #${deviceIndex}`);
  const button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
  buttons.push(button);
  await button.start({ timeoutMs: SHOW_MS });
  const ack = await button.press("sos");
  if (ack.alarmId === null) throw new Error("the hub acknowledged an SOS without an alarm id");
  return { button, alarmId: ack.alarmId };
}

function offers(alarmId: number): OfferRow[] {
  return hub.hub.db
    .prepare(
      "SELECT o.id, o.alarm_id, o.worker_id, o.status, o.note, w.code FROM dispatch_offers o JOIN workers w ON w.id = o.worker_id WHERE o.alarm_id = ? ORDER BY o.id",
    )
    .all(alarmId) as OfferRow[];
}

const openOffer = (alarmId: number) =>
  waitFor(() => offers(alarmId).find((o) => o.status === "offered"), SHOW_MS, `an open offer for alarm ${alarmId}`);

const consoleSaw = (alarmId: number, status: string) =>
  waitFor(
    () => feed.alarms.find((a) => a.id === alarmId && a.status === status),
    SHOW_MS,
    `the console to see alarm ${alarmId} ${status}`,
  );

const feedbackIs = (button: SimulatedButton, state: string) =>
  waitFor(() => button.feedbackState === state, SHOW_MS, `the button's feedback ${state}`);

/** hash: as opened from the SMS link; geolocation false: location refused; loginShot: screenshot the form. */
interface PhoneOptions {
  hash?: string;
  geolocation?: boolean;
  loginShot?: string;
}

/** A fresh phone (own cookies and storage), signed in as `username` through the form. */
async function openPhone(username: string, options: PhoneOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "zh-CN",
    ...(options.geolocation === false ? {} : { permissions: ["geolocation"], geolocation: PHONE }),
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("response", (response) => {
    if (response.status() === 404) missing.push(response.url());
  });
  // The hub answers a missing file with a 404 in JSON, which Chromium refuses to read as a stylesheet
  // or script (nosniff): that shows as a failed request, with no response event.
  page.on("requestfailed", (request) => {
    if (PAGE_FILES.has(request.resourceType())) missing.push(`${request.url()}: ${request.failure()?.errorText}`);
  });
  await page.goto(`${hub.httpUrl}/worker/${options.hash ?? ""}`);
  await page.waitForSelector("#login-form", { state: "visible" });
  await page.fill("#login-username", username);
  await page.fill("#login-password", username === "admin" ? hub.adminPassword : hub.workerPassword(username));
  if (options.loginShot) await shot(page, options.loginShot);
  await page.click("#login-submit");
  if (username !== "admin") await page.waitForSelector('body[data-view="main"]', { timeout: SHOW_MS });
  return page;
}

/** The alarm's household: where it is (WGS-84, as registered) and what it is called. */
function householdOf(alarmId: number): { lat: number; lng: number; code: string; address: string } {
  return hub.hub.db
    .prepare(
      "SELECT h.lat, h.lng, h.code, h.address FROM alarms a JOIN households h ON h.id = a.household_id WHERE a.id = ?",
    )
    .get(alarmId) as { lat: number; lng: number; code: string; address: string };
}

/**
 * The card's Amap and Baidu links: each opens that app's web URI (which hands over to the
 * app when installed) at the household, in the app's own coordinate system, named by the
 * household, under the label `labels` of the page's language.
 */
async function expectChinaMapLinks(page: Page, alarmId: number, labels: { amap: string; baidu: string }) {
  const home = householdOf(alarmId);
  const near = (got: string | undefined, want: number) => Math.abs(Number(got) - want) < 1e-6;

  const amap = new URL((await page.getAttribute('#assignment-card a[data-nav="amap"]', "href")) ?? "");
  expect(`${amap.origin}${amap.pathname}`).toBe("https://uri.amap.com/navigation");
  const gcj = coords.wgs84ToGcj02(home);
  const [lng, lat, name] = (amap.searchParams.get("to") ?? "").split(",");
  expect({ lng: near(lng, gcj.lng), lat: near(lat, gcj.lat), name }).toEqual({
    lng: true,
    lat: true,
    name: `${home.code} ${home.address}`,
  });
  expect(amap.searchParams.get("callnative")).toBe("1");

  const baidu = new URL((await page.getAttribute('#assignment-card a[data-nav="baidu"]', "href")) ?? "");
  expect(`${baidu.origin}${baidu.pathname}`).toBe("https://api.map.baidu.com/marker");
  const bd = coords.wgs84ToBd09(home);
  const [bdLat, bdLng] = (baidu.searchParams.get("location") ?? "").split(",");
  expect({ lat: near(bdLat, bd.lat), lng: near(bdLng, bd.lng) }).toEqual({ lat: true, lng: true });
  expect(baidu.searchParams.get("coord_type")).toBe("bd09ll");
  expect(baidu.searchParams.get("title")).toBe(home.code);
  expect(baidu.searchParams.get("content")).toBe(home.address);

  // The conversion moved the point (Kenli is in China): the links are not the registry's WGS-84.
  expect(Math.abs(gcj.lng - home.lng) + Math.abs(gcj.lat - home.lat)).toBeGreaterThan(0.001);
  expect(await page.textContent('#assignment-card a[data-nav="amap"]')).toBe(labels.amap);
  expect(await page.textContent('#assignment-card a[data-nav="baidu"]')).toBe(labels.baidu);
  // Both are big buttons, side by side on the phone.
  const boxes = await Promise.all(
    ["amap", "baidu"].map((nav) => page.locator(`#assignment-card a[data-nav="${nav}"]`).boundingBox()),
  );
  expect(boxes.every((box) => box !== null && box.height >= 60)).toBe(true);
  expect(boxes[0]?.y).toBe(boxes[1]?.y);
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(RESULTS, `worker-${name}.png`) });

/** Visible interface text, leaving out registry data (data-content) and text declaring its own language. */
function visibleInterfaceText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = document.querySelector("#main-view");
    const texts: string[] = [];
    if (!root) return texts;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !node.textContent?.trim() || el.closest("[data-content]") || !el.checkVisibility()) continue;
      const declared = el.closest("[lang]");
      if (declared && declared !== document.documentElement) continue;
      texts.push(node.textContent.trim());
    }
    return texts;
  });
}

describe("worker page (browser)", () => {
  it("takes an offer from the SMS link through accept, arrival and resolution", async () => {
    const { button, alarmId } = await pressSos(0);
    const offer = await openOffer(alarmId);
    const device = hub.demoDevices[0];

    const phone = await openPhone(offer.code, { hash: `#/offers/${offer.id}`, loginShot: "login" });
    await phone.waitForSelector(`#assignment[data-state="offered"] #assignment-card[data-offer-id="${offer.id}"]`, {
      timeout: SHOW_MS,
    });
    const card = (await phone.textContent("#assignment-card")) ?? "";
    expect(card).toContain(device?.resident);
    expect(card).toContain(device?.address);
    expect(await phone.getAttribute('a[data-nav="geo"]', "href")).toMatch(/^geo:-?\d/);
    expect(await phone.getAttribute('a[data-nav="osm"]', "href")).toContain("openstreetmap.org");
    await expectChinaMapLinks(phone, alarmId, { amap: "高德地图", baidu: "百度地图" });
    expect(await phone.textContent(".countdown")).toMatch(/\d:\d\d/);
    expect(await phone.isVisible(".health .withheld")).toBe(true);
    expect(await phone.isVisible("#link-notice")).toBe(false);

    // Position sharing reaches the hub: the worker's row moves to where the phone is.
    await phone.waitForSelector('#position-status[data-state="shared"]', { timeout: SHOW_MS });
    const position = () =>
      hub.hub.db.prepare("SELECT lat, lng FROM workers WHERE id = ?").get(offer.worker_id) as {
        lat: number;
        lng: number;
      };
    await waitFor(() => Math.abs(position().lat - PHONE.latitude) < 1e-6, SHOW_MS, "the shared position");
    expect(position().lng).toBeCloseTo(PHONE.longitude, 6);
    await shot(phone, "offer");

    await phone.click('[data-action="accept"]');
    await phone.waitForSelector('#assignment[data-state="accepted"]', { timeout: SHOW_MS });
    await phone.waitForSelector('#feedback[data-kind="ok"]', { timeout: SHOW_MS });
    await feedbackIs(button, "dispatched");
    await consoleSaw(alarmId, "accepted");
    // Now the alarm is the worker's: health details are shown, and the SMS link is used up.
    await phone.waitForSelector(".health .fields, .health .muted:not(.withheld):not(.loading)", { timeout: SHOW_MS });
    expect(await phone.evaluate(() => document.querySelector(".health .withheld") === null)).toBe(true);
    // Seeing them was one audited view, however often the page polls its assignment afterwards.
    const residentId = (
      hub.hub.db.prepare("SELECT resident_id FROM alarms WHERE id = ?").get(alarmId) as { resident_id: number }
    ).resident_id;
    const healthViews = () =>
      (
        hub.hub.db
          .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'health_data_viewed' AND target = ?")
          .get(`resident:${residentId}`) as { n: number }
      ).n;
    expect(healthViews()).toBe(1);
    expect(new URL(phone.url()).hash).toBe("");
    await shot(phone, "accepted");
    await phone.evaluate(() => document.querySelector(".health")?.scrollIntoView({ block: "center" }));
    await shot(phone, "accepted-health");

    // On the way: a move of a few hundred metres is shared (throttled, so within seconds, not at once).
    const moved = { latitude: PHONE.latitude + 0.003, longitude: PHONE.longitude };
    await phone.context().setGeolocation(moved);
    await waitFor(() => Math.abs(position().lat - moved.latitude) < 1e-6, SHOW_MS, "the moved position");
    expect(healthViews()).toBe(1);

    // A reload keeps the session and the assignment, and looking again is a second view.
    await phone.reload();
    await phone.waitForSelector('#assignment[data-state="accepted"]', { timeout: SHOW_MS });
    await waitFor(() => healthViews() === 2, SHOW_MS, "the second, audited view after a reload");

    await phone.click('[data-action="arrived"]');
    await phone.waitForSelector('#assignment[data-state="on_scene"] #resolve-form:not([hidden])', { timeout: SHOW_MS });
    await feedbackIs(button, "arrived");
    await consoleSaw(alarmId, "on_scene");

    // Both dictionaries have the same keys (checked in the page, which loads them as it would in use).
    // A string, not a function: vitest would rewrite a dynamic import() inside a function.
    const keys = (await phone.evaluate(
      `import("/worker/i18n.js").then(({ dictionaries }) =>
        Object.fromEntries(Object.entries(dictionaries).map(([lang, d]) => [lang, Object.keys(d).sort()])))`,
    )) as Record<string, string[]>;
    expect(keys.en).toEqual(keys["zh-CN"]);

    // English, then back: no interface text in Chinese is left.
    await phone.click(".topbar .lang-switch");
    expect(await phone.getAttribute("html", "lang")).toBe("en");
    const english = await visibleInterfaceText(phone);
    expect(english.length).toBeGreaterThan(10);
    expect(english.filter((text) => CJK.test(text))).toEqual([]);
    await expectChinaMapLinks(phone, alarmId, { amap: "Amap", baidu: "Baidu Maps" });
    await shot(phone, "on-scene-en");
    await phone.click(".topbar .lang-switch");
    expect(await phone.getAttribute("html", "lang")).toBe("zh-CN");

    const note = "老人在卫生间滑倒，已扶起，无明显外伤，已通知女儿";
    await phone.check('input[name="outcome"][value="real"]');
    // A note of only spaces is refused at the field, in the page's language, and nothing is sent.
    await phone.fill("#resolve-note", "   ");
    await phone.click('[data-action="resolve"]');
    expect(await phone.evaluate('document.getElementById("resolve-note").validationMessage')).toBe(
      "请填写处理情况：只有空格不算填写。",
    );
    expect(hub.hub.db.prepare("SELECT status FROM alarms WHERE id = ?").get(alarmId)).toEqual({ status: "on_scene" });
    await phone.fill("#resolve-note", note);
    await shot(phone, "on-scene");
    await phone.click('[data-action="resolve"]');
    await phone.waitForSelector('#assignment[data-state="none"]', { timeout: SHOW_MS });
    await phone.waitForSelector('#feedback[data-kind="ok"]', { timeout: SHOW_MS });
    await consoleSaw(alarmId, "resolved");
    await feedbackIs(button, "closed");
    const closed = hub.hub.db.prepare("SELECT status, outcome FROM alarms WHERE id = ?").get(alarmId);
    expect(closed).toEqual({ status: "resolved", outcome: "real" });
    const resolved = hub.hub.db
      .prepare("SELECT detail FROM alarm_events WHERE alarm_id = ? AND type = 'resolved'")
      .get(alarmId) as { detail: string } | undefined;
    expect(resolved?.detail).toContain(note);
    await shot(phone, "resolved");
    expect(pageErrors).toEqual([]);
    expect(missing).toEqual([]);
  }, 90_000);

  it("shows nothing to other workers, passes a declined offer on, and switches duty", async () => {
    const { alarmId } = await pressSos(1);
    const offer = await openOffer(alarmId);
    const idle = hub.hub.db
      .prepare(
        `SELECT id, code FROM workers WHERE on_duty = 1
           AND id NOT IN (SELECT worker_id FROM dispatch_offers WHERE status = 'offered')
           AND id NOT IN (SELECT worker_id FROM alarms WHERE worker_id IS NOT NULL AND status IN ('accepted', 'on_scene'))
         ORDER BY id LIMIT 1`,
      )
      .get() as { id: number; code: string };

    // Another worker, whose phone refuses location: no assignment, and a plain notice about location.
    const other = await openPhone(idle.code, { geolocation: false });
    await other.waitForSelector('#assignment[data-state="none"] #assignment-empty:not([hidden])', { timeout: SHOW_MS });
    await other.waitForSelector('#position-status[data-state="denied"]', { timeout: SHOW_MS });
    await shot(other, "idle-denied");
    await other.click("#duty-toggle");
    await other.waitForSelector('body[data-duty="off"] #position-status[data-state="off"]', { timeout: SHOW_MS });
    expect(hub.hub.db.prepare("SELECT on_duty FROM workers WHERE id = ?").get(idle.id)).toEqual({ on_duty: 0 });
    await shot(other, "off-duty");
    await other.click("#duty-toggle");
    await other.waitForSelector('body[data-duty="on"]', { timeout: SHOW_MS });

    // The offered worker declines with a reason: the hub asks the next one at once.
    const phone = await openPhone(offer.code);
    await phone.waitForSelector(`#assignment-card[data-offer-id="${offer.id}"]`, { timeout: SHOW_MS });
    await phone.click('[data-action="decline"]');
    await phone.fill("#decline-reason", "正在处理另一位老人");
    await shot(phone, "decline");
    await phone.click('[data-action="decline-confirm"]');
    await phone.waitForSelector('#assignment[data-state="none"]', { timeout: SHOW_MS });
    await phone.waitForSelector('#feedback[data-kind="ok"]', { timeout: SHOW_MS });
    const next = await openOffer(alarmId);
    expect(next.id).not.toBe(offer.id);
    expect(next.worker_id).not.toBe(offer.worker_id);
    // Stored as a coded reason (JSON), the worker's words its param.
    expect(offers(alarmId).find((o) => o.id === offer.id)).toMatchObject({
      status: "declined",
      note: JSON.stringify({ code: "offer_declined", params: { note: "正在处理另一位老人" } }),
    });

    // An operator hands the alarm to the idle worker, whose open page picks it up by itself.
    const handed = await fetch(`${hub.httpUrl}/api/alarms/${alarmId}/dispatch`, {
      method: "POST",
      headers: { cookie: adminCookie, "content-type": "application/json" },
      body: JSON.stringify({ workerId: idle.id }),
    });
    expect(handed.status).toBe(200);
    const { offer: byHand } = (await handed.json()) as { offer: { id: number } };
    await other.waitForSelector(`#assignment[data-state="offered"] #assignment-card[data-offer-id="${byHand.id}"]`, {
      timeout: SHOW_MS,
    });
    await other.waitForSelector('#feedback[data-kind="info"]', { timeout: SHOW_MS });

    // The old SMS link now says plainly that the offer is gone.
    await phone.goto(`${hub.httpUrl}/worker/#/offers/${offer.id}`);
    await phone.waitForSelector("#link-notice:not([hidden])", { timeout: SHOW_MS });
    expect(pageErrors).toEqual([]);
    expect(missing).toEqual([]);
  }, 90_000);

  it("refuses operator accounts and signs a worker out", async () => {
    const admin = await openPhone("admin");
    await admin.waitForSelector("#login-error:not([hidden])", { timeout: SHOW_MS });
    expect(await admin.getAttribute("body", "data-view")).toBe("login");

    const phone = await openPhone(workerCodes.at(-1) ?? "");
    await phone.click("#btn-logout");
    await phone.waitForSelector('body[data-view="login"], #feedback[data-kind="error"]', { timeout: SHOW_MS });
    // Said this way so a refused logout fails with the hub's own words.
    const refusal = (await phone.isVisible("#feedback")) ? await phone.textContent("#feedback") : null;
    expect({ view: await phone.getAttribute("body", "data-view"), refusal }).toEqual({ view: "login", refusal: null });
    await phone.reload();
    await phone.waitForSelector('body[data-view="login"]', { timeout: SHOW_MS });
    expect(pageErrors).toEqual([]);
    expect(missing).toEqual([]);
  }, 60_000);
});
