/**
 * Stored script injection, part two (console-xss.browser.test.ts has the
 * names): every other free text that reaches a screen, including text that
 * comes from outside the center, in real Chromium against a real hub.
 *
 * Typed in the registry: the household's address, the resident's health data
 * and consent, a grid leader's name, a clinic's address, a gazetteer address
 * and its source. From outside: a button's firmware version (sent by the
 * device) and a relative's SMS reply (sent by anyone with a phone, through
 * Twilio's signed webhook). Typed by an operator: the resolution note.
 *
 * Then the pages that show them: the queue, the alarm detail with its map and
 * timeline, the map page (tooltips opened), the registry's household, grid,
 * clinic, gazetteer and device records, the devices page, the worker's page
 * and history. The test fails if a dialog opens, if an element a payload would
 * create exists, if any Content-Security-Policy violation is reported, or if a
 * page does not show its payloads as the literal text they are.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium, waitForExpression } from "./support/console-page.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

/** One payload per field, both classic shapes, so an element found names the field that let it through. */
const payload = (field: string) =>
  `<img src=x data-xss=${field} onerror=alert(1)>"><svg data-xss=${field} onload=alert(2)>`;
/** For fields of at most 64 characters (the firmware version). */
const short = (field: string) => `"><svg data-xss=${field} onload=alert(3)>`;
const INJECTED = "img[data-xss], svg[data-xss]";
const SHOW_MS = 10_000;

const P = {
  address: payload("address"),
  conditions: payload("conditions"),
  medications: payload("medications"),
  allergies: payload("allergies"),
  mobility: payload("mobility"),
  consentBy: payload("consentBy"),
  consentNote: payload("consentNote"),
  leader: payload("leader"),
  clinicAddress: payload("clinicAddr"),
  gazetteer: payload("gazetteer"),
  source: payload("source"),
  firmware: short("fw"),
  reply: payload("reply"),
  resolution: payload("resolution"),
};

describe("the console shows every other free text as text, from inside or outside (browser)", () => {
  let th: TestHub;
  let browser: Browser;
  let admin: string;
  let alarmId = 0;
  let button: SimulatedButton;
  let deviceId = "";
  let householdId = 0;
  let gridId = 0;
  let clinicId = 0;
  let offeredWorker = "";
  const dialogs: string[] = [];
  const violations: string[] = [];
  const pageErrors: string[] = [];

  const api = async (method: "GET" | "POST" | "PATCH", url: string, body?: object) => {
    const response = await th.hub.app.inject({
      method,
      url,
      headers: { cookie: admin },
      ...(body ? { payload: body } : {}),
    });
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };

  beforeAll(async () => {
    th = await startTestHub();
    admin = await th.login();
    const db = th.hub.db;
    const device = th.demoDevices[0];
    if (!device) throw new Error("no demo device");
    deviceId = device.deviceId;
    const home = db
      .prepare(
        `SELECT h.id, h.lat, h.lng, h.grid_id AS grid, r.id AS resident FROM devices d
         JOIN households h ON h.id = d.household_id JOIN residents r ON r.household_id = h.id
         WHERE d.id = ? ORDER BY r.id LIMIT 1`,
      )
      .get(deviceId) as { id: number; lat: number; lng: number; grid: number; resident: number };
    householdId = home.id;
    gridId = home.grid;
    // The point is given with the address, so the household stays where it is on the map.
    await api("PATCH", `/api/registry/households/${home.id}`, { address: P.address, lat: home.lat, lng: home.lng });
    await api("PATCH", `/api/registry/residents/${home.resident}`, {
      conditions: P.conditions,
      medications: P.medications,
      allergies: P.allergies,
      mobility: P.mobility,
      consent: {
        givenBy: P.consentBy,
        relation: "self",
        at: new Date().toISOString(),
        method: "written",
        note: P.consentNote,
      },
    });
    await api("PATCH", `/api/registry/grids/${gridId}`, { leaderName: P.leader });
    for (const c of db.prepare("SELECT id FROM clinics").all() as { id: number }[]) {
      await api("PATCH", `/api/registry/clinics/${c.id}`, { address: P.clinicAddress });
      clinicId = c.id;
    }
    await api("POST", "/api/registry/gazetteer", {
      address: P.gazetteer,
      lat: home.lat,
      lng: home.lng,
      source: P.source,
    });
    await createUser(th, "xss.fields", "operator", "xss-fields-pass-1");

    button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId,
      secret: device.secret,
      firmware: P.firmware,
      heartbeatIntervalMs: 100,
    });
    await button.start({ timeoutMs: 5000 });
    // The version a button reports comes with its heartbeats.
    await waitFor(
      () => db.prepare("SELECT 1 FROM devices WHERE id = ? AND firmware = ?").get(deviceId, P.firmware),
      5000,
      "the reported firmware",
    );
    alarmId = (await button.press("sos")).alarmId ?? 0;
    await th.waitForPipeline(alarmId);
    // The first relative texted answers with markup instead of a confirmation.
    const sms = await waitFor(
      () => th.twilio?.messages.find((m) => m.body.includes("/f/")),
      5000,
      "the relative's SMS",
    );
    const reply = await th.twilioWebhooks().inboundSms({ from: sms.to, body: P.reply });
    expect(reply.status).toBe(200);
    await waitFor(
      () => db.prepare("SELECT 1 FROM alarm_events WHERE alarm_id = ? AND type = 'relative_replied'").get(alarmId),
      5000,
      "the reply on the timeline",
    );
    offeredWorker = await waitFor(
      () =>
        (
          db
            .prepare(
              "SELECT w.code FROM dispatch_offers o JOIN workers w ON w.id = o.worker_id WHERE o.alarm_id = ? AND o.status = 'offered'",
            )
            .get(alarmId) as { code: string } | undefined
        )?.code,
      5000,
      "the offer",
    );
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
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy/i.test(message.text()))
        violations.push(message.text());
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

  /** What a person reads on the page: its text, every field's value and every tooltip. */
  const SHOWN = `(() => [document.body.innerText,
    ...[...document.querySelectorAll("input, textarea")].map((e) => e.value),
    ...[...document.querySelectorAll(".leaflet-tooltip")].map((e) => e.textContent)].join("\\n"))()`;

  /** Waits until every one of `texts` is shown literally, then checks nothing was injected. */
  async function expectShownAsText(page: Page, where: string, texts: string[]): Promise<void> {
    const all = JSON.stringify(texts);
    await waitForExpression(page, `${all}.every((t) => ${SHOWN}.includes(t))`, undefined, { timeout: SHOW_MS }).catch(
      async () => {
        const shown = (await page.evaluate(SHOWN)) as string;
        expect({ where, missing: texts.filter((t) => !shown.includes(t)) }).toEqual({ where, missing: [] });
      },
    );
    expect({ where, injected: await page.locator(INJECTED).count(), dialogs, violations }).toEqual({
      where,
      injected: 0,
      dialogs: [],
      violations: [],
    });
  }

  async function openEveryTooltip(page: Page, root: string): Promise<void> {
    await page.waitForSelector(`${root} .leaflet-interactive`, { state: "attached", timeout: SHOW_MS });
    await page.evaluate(`(() => {
      for (const el of document.querySelectorAll(${JSON.stringify(`${root} .leaflet-interactive`)}))
        el.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    })()`);
  }

  it("never runs free text as markup: registry records, a device's firmware, a relative's reply, a resolution note", async () => {
    const page = await newPage();
    await signIn(page, "xss.fields", "xss-fields-pass-1");
    await page.waitForSelector(`#queue .row[data-id="${alarmId}"]`, { timeout: SHOW_MS });
    await expectShownAsText(page, "queue", [P.address]);

    await page.click(`#queue .row[data-id="${alarmId}"]`);
    await page.waitForSelector("#detail-body .resident-card", { timeout: SHOW_MS });
    await openEveryTooltip(page, "#detail-body");
    await expectShownAsText(page, "alarm detail", [
      P.address,
      P.conditions,
      P.medications,
      P.allergies,
      P.mobility,
      P.reply,
    ]);

    await page.goto(`${th.httpUrl}/#/map`);
    await openEveryTooltip(page, "#map-view");
    await expectShownAsText(page, "#/map", [P.address]);

    const records: [string, string[]][] = [
      [`#/registry/households/${householdId}`, [P.address, P.conditions, P.consentBy, P.consentNote]],
      [`#/registry/grids/${gridId}`, [P.leader]],
      [`#/registry/clinics/${clinicId}`, [P.clinicAddress]],
      ["#/registry/gazetteer", [P.gazetteer]],
      [`#/registry/devices/${deviceId}`, [P.firmware, P.address]],
      [`#/devices/${deviceId}`, [P.firmware]],
    ];
    for (const [hash, texts] of records) {
      await page.goto(`${th.httpUrl}/${hash}`);
      await expectShownAsText(page, hash, texts);
    }

    // The worker offered the alarm reads the address on a phone.
    const workerPage = await newPage({ width: 390, height: 844 });
    await workerPage.goto(`${th.httpUrl}/worker/`);
    await workerPage.fill("#login-username", offeredWorker);
    await workerPage.fill("#login-password", th.workerPassword(offeredWorker));
    await workerPage.click("#login-submit");
    await expectShownAsText(workerPage, "worker page", [P.address]);

    // Closed with a note: history lists it, and its detail shows the note.
    await api("POST", `/api/alarms/${alarmId}/resolve`, { outcome: "false_alarm", note: P.resolution });
    await page.goto(`${th.httpUrl}/#/history`);
    await expectShownAsText(page, "#/history", [P.address]);
    await page.click(`#history-view tr[data-id="${alarmId}"]`);
    await page.waitForSelector("#detail-body .timeline", { timeout: SHOW_MS });
    await expectShownAsText(page, "closed alarm detail", [P.resolution, P.reply]);

    expect(pageErrors).toEqual([]);
  }, 120_000);
});
