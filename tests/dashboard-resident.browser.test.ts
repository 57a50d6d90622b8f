/**
 * The alarm detail's resident card in real Chromium against a real hub: a
 * simulated button presses SOS for a resident with allergies on file; an
 * operator opens the alarm and the card shows an initials avatar, the
 * resident's conditions, medications, allergies (in red), mobility, key holder
 * and access notes as the database has them. The health data is fetched once
 * per opened alarm: live refreshes of the detail (acknowledging it, a language
 * switch) add no audit row, while closing and opening it again is a new,
 * audited view. An admin sees the card redacted. Screenshots at 1366×768 and
 * on wall displays (1920×1080, 3840×2160) go to test-results/.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { CJK, I18N_KEY, interfaceText, launchChromium, RESULTS, waitForExpression } from "./support/console-page.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 8_000;
const OPERATOR = { username: "card-operator", password: "card-operator-pw" };
const CARD = "#detail-body .resident-card";

interface Resident {
  resident_id: number;
  name: string;
  conditions: string | null;
  medications: string | null;
  allergies: string | null;
  mobility: string | null;
  key_holder: string | null;
  access_notes: string | null;
}

let hub: TestHub;
let browser: Browser;
let button: SimulatedButton;
let alarmId = 0;
let resident: Resident;
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
  await createUser(hub, OPERATOR.username, "operator", OPERATOR.password);
  // A demo device whose resident has every health field and the household's access on file,
  // so each row of the card is compared with a real value (allergies included: the red row).
  const pick = hub.hub.db
    .prepare(
      `SELECT d.id AS device_id, r.id AS resident_id, r.name, r.conditions, r.medications, r.allergies, r.mobility,
              h.key_holder, h.access_notes
         FROM devices d JOIN households h ON h.id = d.household_id
         JOIN residents r ON r.id = (SELECT MIN(id) FROM residents WHERE household_id = h.id)
        WHERE r.conditions <> '' AND r.medications <> '' AND r.allergies NOT IN ('', '无') AND r.mobility <> ''
          AND h.key_holder <> '' AND h.access_notes <> ''
        ORDER BY d.id`,
    )
    .all() as (Resident & { device_id: string })[];
  const chosen = pick.find((p) => hub.demoDevices.some((d) => d.deviceId === p.device_id));
  const device = hub.demoDevices.find((d) => d.deviceId === chosen?.device_id);
  if (!chosen || !device) throw new Error("no demo resident with allergies and access notes on file");
  resident = chosen;
  button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
  await button.start({ timeoutMs: SHOW_MS });
  const ack = await button.press("sos");
  if (ack.alarmId === null) throw new Error("the hub acknowledged the press without an alarm id");
  alarmId = ack.alarmId;
  await hub.waitForPipeline(alarmId);
}, 60_000);

afterAll(async () => {
  await button?.stop();
  await browser?.close();
  await hub?.stop();
});

const healthViews = () =>
  (
    hub.hub.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'health_data_viewed' AND target = ?")
      .get(`resident:${resident.resident_id}`) as { n: number }
  ).n;
const lastAuditId = () => (hub.hub.db.prepare("SELECT MAX(id) AS id FROM audit_log").get() as { id: number }).id;
const auditActionsSince = (id: number) =>
  (hub.hub.db.prepare("SELECT action FROM audit_log WHERE id > ? ORDER BY id").all(id) as { action: string }[]).map(
    (r) => r.action,
  );
const fetches = (page: Page) => page.evaluate("window.anxinResidentHealth.fetches") as Promise<number>;
const fieldText = (page: Page, field: string) => page.textContent(`${CARD} dd[data-field="${field}"]`);

async function login(
  size: { width: number; height: number },
  who: { username: string; password: string },
): Promise<Page> {
  const context = await browser.newContext({ viewport: size, deviceScaleFactor: 1, locale: "zh-CN" });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", who.username);
  await page.fill("#login-password", who.password);
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="console"]', { timeout: 5000 });
  return page;
}

async function openAlarm(page: Page): Promise<void> {
  await page.click(`#queue .row[data-id="${alarmId}"]`);
  await page.waitForSelector(`${CARD} .resident-health[data-state="ok"]`, { timeout: SHOW_MS });
}

describe("resident card (browser)", () => {
  it("shows the resident's health data and access as stored, fetched once per opened alarm", async () => {
    const page = await login({ width: 1366, height: 768 }, OPERATOR);
    expect(await page.evaluate("getComputedStyle(document.documentElement).fontSize")).toBe("18px");
    const viewsBefore = healthViews();
    await openAlarm(page);
    expect(healthViews()).toBe(viewsBefore + 1);

    expect(await fieldText(page, "conditions")).toBe(resident.conditions);
    expect(await fieldText(page, "medications")).toBe(resident.medications);
    expect(await fieldText(page, "allergies")).toBe(resident.allergies);
    expect(await fieldText(page, "mobility")).toBe(resident.mobility);
    expect(await fieldText(page, "keyHolder")).toBe(resident.key_holder);
    expect(await fieldText(page, "accessNotes")).toBe(resident.access_notes);
    // Allergies on file: the row is marked, and drawn in red.
    const allergyEdge = await page.evaluate(
      `getComputedStyle(document.querySelector('${CARD} dd[data-field="allergies"]')).borderLeftColor`,
    );
    expect(await page.getAttribute(`${CARD} dd[data-field="allergies"]`, "class")).toContain("allergy-alert");
    expect(allergyEdge).toBe("rgb(229, 32, 47)");
    // The photo placeholder: initials from the name, labelled as a placeholder.
    expect(await page.textContent(`${CARD} .avatar`)).toBe([...resident.name].slice(-2).join(""));
    expect(await page.getAttribute(`${CARD} .avatar`, "aria-label")).toBe("暂无照片（占位）");

    // Live refreshes rebuild the card (acknowledging pushes the alarm back) but fetch nothing.
    const auditBefore = lastAuditId();
    await page.evaluate(`document.querySelector(${JSON.stringify(CARD)}).dataset.stale = "1"`);
    await page.click("#btn-ack");
    await page.waitForSelector(`${CARD}:not([data-stale])`, { timeout: SHOW_MS });
    await waitForExpression(
      page,
      `document.querySelector("#btn-ack").hidden && !!document.querySelector("#detail-body .status-line p")`,
      undefined,
      { timeout: SHOW_MS },
    );
    expect(await fieldText(page, "medications")).toBe(resident.medications);

    // English: every interface string of the card translated; still no new fetch.
    await page.click("#console-view .lang-switch");
    await waitForExpression(page, 'document.documentElement.lang === "en"');
    expect(await fieldText(page, "allergies")).toBe(resident.allergies);
    const english = await interfaceText(page, CARD);
    expect(english).toEqual(
      expect.arrayContaining(["Resident", "Conditions", "Medications", "Allergies", "Mobility", "Key holder"]),
    );
    expect(english.filter((text) => CJK.test(text) || I18N_KEY.test(text))).toEqual([]);
    expect(await page.getAttribute(`${CARD} .avatar`, "aria-label")).toBe("No photo on file (placeholder)");
    // The map's zoom buttons follow the language too.
    await page.waitForSelector("#detail-map .leaflet-control-zoom-in", { timeout: SHOW_MS });
    expect(await page.getAttribute("#detail-map .leaflet-control-zoom-in", "title")).toBe("Zoom in");
    expect(await page.getAttribute("#detail-map .leaflet-control-zoom-out", "title")).toBe("Zoom out");

    // Since the first fetch the log holds the acknowledgement alone: no health view from the refreshes.
    expect(auditActionsSince(auditBefore)).toEqual(["alarm_acknowledged"]);
    expect(healthViews()).toBe(viewsBefore + 1);
    expect(await fetches(page)).toBe(1);

    // By script: pushes keep rebuilding the card, so a located element may be detached mid-scroll.
    await page.evaluate(`document.querySelector(${JSON.stringify(CARD)}).scrollIntoView()`);
    await page.screenshot({ path: path.join(RESULTS, "resident-card.png") });

    // Closing and opening the alarm again is a new view: one more fetch, one more audit row.
    await page.click("#detail-close");
    await openAlarm(page);
    expect(await fetches(page)).toBe(2);
    expect(healthViews()).toBe(viewsBefore + 2);

    await page.click("#console-view .lang-switch");
    await waitForExpression(page, 'document.documentElement.lang === "zh-CN"');
    expect(await page.getAttribute("#detail-map .leaflet-control-zoom-in", "title")).toBe("放大");
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("shows an admin the key holder and access notes, the health data redacted and unaudited", async () => {
    const page = await login({ width: 1366, height: 768 }, { username: "admin", password: hub.adminPassword });
    const viewsBefore = healthViews();
    await openAlarm(page);
    expect(await page.textContent(`${CARD} .redacted`)).toBe("您的角色无权查看健康信息。");
    expect(await page.locator(`${CARD} dd[data-field="conditions"]`).count()).toBe(0);
    expect(await page.locator(`${CARD} dd[data-field="allergies"]`).count()).toBe(0);
    expect(await fieldText(page, "keyHolder")).toBe(resident.key_holder);
    expect(await fieldText(page, "accessNotes")).toBe(resident.access_notes);
    expect(healthViews()).toBe(viewsBefore);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("fits wall displays: 1920×1080 and 3840×2160", async () => {
    // The base type: 18px up to 1080p (as at 1366×768), doubled on a 4K wall so it reads like 1080p.
    for (const [name, size, rootPx] of [
      ["wall-1080p.png", { width: 1920, height: 1080 }, "18px"],
      ["wall-4k.png", { width: 3840, height: 2160 }, "36px"],
    ] as const) {
      const page = await login(size, OPERATOR);
      await openAlarm(page);
      expect(await page.evaluate("getComputedStyle(document.documentElement).fontSize")).toBe(rootPx);
      // The queue never stretches past what the 1080p layout gives it, in that size's pixels.
      const queueWidth = (await page.locator("#queue").boundingBox())?.width ?? 0;
      expect(queueWidth).toBeLessThanOrEqual((size.width / 1920) * 1100);
      await page.screenshot({ path: path.join(RESULTS, name) });
      await page.context().close();
    }
    expect(pageErrors).toEqual([]);
  });
});
