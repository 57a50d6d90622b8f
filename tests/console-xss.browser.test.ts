/**
 * Stored script injection, in real Chromium against a real hub. Every name a
 * person can type into the registry (grids, clinics, workers, the household's
 * key holder and access notes, the resident, the relatives), a staff member's
 * display name and a note on an alarm hold an HTML payload. Then an SOS is
 * pressed and every page that shows them is visited: the queue, the alarm
 * detail with its map (every tooltip opened), the map page, the registry
 * lists and forms, history, the audit log, devices, KPIs, users, the worker's
 * page and the family page. The test fails if any dialog opens, if any element
 * the payload would have created exists, or if the payload is not shown as
 * the literal text it is.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium, waitForExpression } from "./support/console-page.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

/** A payload per field, so a dialog names the field that let it through. */
const payload = (field: string) => `<img src=x data-xss=${field} onerror=alert(1)>"'><b>${field}</b>`;
/** For the 50-character relation field. */
const SHORT_PAYLOAD = "<img src=x data-xss=rel onerror=alert(9)>";
/** Anything the payloads would create if they were parsed as HTML. */
const INJECTED = "img[data-xss], img[src='x'], b";
const SHOW_MS = 10_000;

describe("the console shows every typed name as text (browser)", () => {
  let th: TestHub;
  let browser: Browser;
  let admin: string;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  let alarmId = 0;
  let offeredWorker = { id: 0, code: "" };
  let relativePhone = "";
  let button: SimulatedButton;

  const api = async (method: "GET" | "POST" | "PATCH" | "PUT", url: string, payload?: object) => {
    const response = await th.hub.app.inject({
      method,
      url,
      headers: { cookie: admin },
      ...(payload ? { payload } : {}),
    });
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };

  beforeAll(async () => {
    th = await startTestHub();
    admin = await th.login();
    const db = th.hub.db;
    for (const g of db.prepare("SELECT id FROM grids").all() as { id: number }[]) {
      await api("PATCH", `/api/registry/grids/${g.id}`, { name: payload(`grid${g.id}`) });
    }
    for (const c of db.prepare("SELECT id FROM clinics").all() as { id: number }[]) {
      await api("PATCH", `/api/registry/clinics/${c.id}`, { name: payload(`clinic${c.id}`) });
    }
    for (const w of db.prepare("SELECT id FROM workers").all() as { id: number }[]) {
      await api("PATCH", `/api/registry/workers/${w.id}`, { name: payload(`worker${w.id}`) });
    }
    const device = th.demoDevices[0];
    if (!device) throw new Error("no demo device");
    const home = db
      .prepare(
        "SELECT h.id AS household, r.id AS resident FROM devices d JOIN households h ON h.id = d.household_id JOIN residents r ON r.household_id = h.id WHERE d.id = ? ORDER BY r.id LIMIT 1",
      )
      .get(device.deviceId) as { household: number; resident: number };
    await api("PATCH", `/api/registry/households/${home.household}`, {
      keyHolder: payload("keyHolder"),
      accessNotes: payload("accessNotes"),
    });
    await api("PATCH", `/api/registry/residents/${home.resident}`, { name: payload("resident") });
    const relatives: unknown = await api("GET", `/api/registry/residents/${home.resident}/relatives`);
    const list = (Array.isArray(relatives) ? relatives : (relatives as { items: unknown[] }).items) as {
      id: number;
      phone: string;
    }[];
    for (const [i, r] of list.entries()) {
      await api("PATCH", `/api/registry/relatives/${r.id}`, { name: payload(`relative${i}`), relation: SHORT_PAYLOAD });
    }
    relativePhone = list[0]?.phone ?? "";
    await createUser(th, "xss.operator", "operator", "xss-operator-pass-1");
    const users = (await api("GET", "/api/users")).users as { id: number; username: string }[];
    const operator = users.find((u) => u.username === "xss.operator");
    await api("PATCH", `/api/users/${operator?.id}`, { displayName: payload("dn") });

    button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: device.deviceId, secret: device.secret });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    alarmId = ack.alarmId ?? 0;
    await th.waitForPipeline(alarmId);
    await api("POST", `/api/alarms/${alarmId}/notes`, { text: payload("note") });
    const offer = await waitFor(
      () =>
        db
          .prepare(
            "SELECT w.id, w.code FROM dispatch_offers o JOIN workers w ON w.id = o.worker_id WHERE o.alarm_id = ? AND o.status = 'offered'",
          )
          .get(alarmId) as { id: number; code: string } | undefined,
      5000,
      "the offer",
    );
    offeredWorker = offer;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await button?.stop();
    await browser?.close();
    await th?.stop();
  });

  async function newPage(viewport = { width: 1366, height: 768 }): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: "zh-CN" });
    const page = await context.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(`${page.url()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("pageerror", (err) => pageErrors.push(err.message));
    return page;
  }

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(th.httpUrl);
    await page.fill("#login-username", username);
    await page.fill("#login-password", password);
    await page.click("#login-submit");
    await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
  }

  /** Opens every Leaflet tooltip on the page, as an operator hovering over each marker and outline would. */
  async function openEveryTooltip(page: Page): Promise<number> {
    return (await page.evaluate(`(() => {
      const layers = document.querySelectorAll(".leaflet-interactive");
      for (const el of layers) el.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
      return document.querySelectorAll(".leaflet-tooltip").length;
    })()`)) as number;
  }

  async function expectNothingInjected(page: Page, where: string): Promise<void> {
    expect({ where, injected: await page.locator(INJECTED).count() }).toEqual({ where, injected: 0 });
    expect({ where, dialogs }).toEqual({ where, dialogs: [] });
  }

  it("never runs a typed name as markup, on any console page, the worker page or the family page", async () => {
    const page = await newPage();
    await signIn(page, "xss.operator", "xss-operator-pass-1");
    await page.waitForSelector(`#queue .row[data-id="${alarmId}"]`, { timeout: SHOW_MS });
    // Shown, and shown as the text it is.
    expect(await page.textContent(`#queue .row[data-id="${alarmId}"]`)).toContain(payload("resident"));
    await expectNothingInjected(page, "queue");

    await page.click(`#queue .row[data-id="${alarmId}"]`);
    await page.waitForSelector("#detail-body .timeline", { timeout: SHOW_MS });
    await page.waitForSelector("#detail-body .resident-card", { timeout: SHOW_MS });
    await page.waitForSelector("#detail-body .leaflet-interactive", { state: "attached", timeout: SHOW_MS });
    expect(await page.textContent("#detail-body")).toContain(payload("note"));
    expect(await openEveryTooltip(page)).toBeGreaterThan(3);
    const tips = await page.$$eval(".leaflet-tooltip", (els) => els.map((e) => e.textContent ?? ""));
    expect(tips.some((text) => text.includes(payload(`worker${offeredWorker.id}`)))).toBe(true);
    await expectNothingInjected(page, "alarm detail");

    for (const hash of [
      "#/map",
      "#/registry/households",
      "#/registry/workers",
      "#/registry/clinics",
      "#/registry/grids",
      "#/registry/devices",
      "#/history",
      "#/devices",
      "#/kpi",
    ]) {
      await page.goto(`${th.httpUrl}/${hash}`);
      await page.waitForLoadState("networkidle");
      if (hash === "#/map") {
        await page.waitForSelector("#map-view .leaflet-interactive", { state: "attached", timeout: SHOW_MS });
        expect(await openEveryTooltip(page)).toBeGreaterThan(10);
      }
      await expectNothingInjected(page, hash);
    }
    // A record's form shows the names in inputs, and the household's relatives list.
    const household = th.hub.db
      .prepare("SELECT household_id FROM devices WHERE id = ?")
      .get(th.demoDevices[0]?.deviceId) as { household_id: number };
    await page.goto(`${th.httpUrl}/#/registry/households/${household.household_id}`);
    await page.waitForLoadState("networkidle");
    await expectNothingInjected(page, "household form");

    // Administrators: the audit log (which quotes names) and the users page (display names).
    const adminPage = await newPage();
    await signIn(adminPage, "admin", th.adminPassword);
    for (const hash of ["#/audit", "#/users"]) {
      await adminPage.goto(`${th.httpUrl}/${hash}`);
      await adminPage.waitForLoadState("networkidle");
      await expectNothingInjected(adminPage, hash);
    }
    // The users page renders its list after the request settles: wait for the name, then look again.
    await waitForExpression(
      adminPage,
      `document.body.textContent.includes(${JSON.stringify(payload("dn"))})`,
      undefined,
      { timeout: SHOW_MS },
    );
    await expectNothingInjected(adminPage, "#/users with its list");

    // The worker who was offered the alarm, on a phone.
    const workerPage = await newPage({ width: 390, height: 844 });
    await workerPage.goto(`${th.httpUrl}/worker/`);
    await workerPage.fill("#login-username", offeredWorker.code);
    await workerPage.fill("#login-password", th.workerPassword(offeredWorker.code));
    await workerPage.click("#login-submit");
    await waitForExpression(
      workerPage,
      `document.body.textContent.includes(${JSON.stringify(payload("accessNotes"))})`,
      undefined,
      { timeout: SHOW_MS },
    );
    await expectNothingInjected(workerPage, "worker page");

    // A relative's family page (server-rendered): the resident's and the worker's names as text.
    const sms = await waitFor(
      () => th.twilio?.messages.find((m) => m.to === relativePhone && m.body.includes("/f/")),
      5000,
      "the first SMS with the family link",
    );
    const token = /\/f\/([A-Za-z0-9_-]{43})/.exec(sms.body)?.[1];
    const familyPage = await newPage({ width: 390, height: 844 });
    await familyPage.goto(`${th.httpUrl}/f/${token}`);
    expect(await familyPage.textContent("body")).toContain(payload("resident"));
    await expectNothingInjected(familyPage, "family page");

    expect(pageErrors).toEqual([]);
  }, 120_000);
});
