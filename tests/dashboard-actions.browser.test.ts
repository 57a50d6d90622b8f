/**
 * The detail panel's actions in real Chromium against a real hub: a note added
 * on one console shows on another's timeline with its author; the alarm is
 * resolved with an outcome; its follow-up visit is scheduled (an overdue date is
 * flagged, the stored due date is the chosen one) and recorded (`followed_up`);
 * the resolved alarm is reached again from the history page; English leaves
 * nothing untranslated.
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
  waitForExpression,
} from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 8_000;
let hub: TestHub;
let browser: Browser;
let button: SimulatedButton | null = null;
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await button?.stop();
  await browser?.close();
  await hub?.stop();
});

const row = (id: number) => `#queue .row[data-id="${id}"]`;

interface StoredAlarm {
  status: string;
  outcome: string | null;
  follow_up_due_at: string | null;
  followed_up_at: string | null;
}
const stored = (id: number) =>
  hub.hub.db
    .prepare("SELECT status, outcome, follow_up_due_at, followed_up_at FROM alarms WHERE id = ?")
    .get(id) as StoredAlarm;

/** What a `datetime-local` value means in the page's own time zone, as the hub stores it (UTC ISO). */
const isoInPage = (page: Page, local: string) =>
  page.evaluate(`new Date(${JSON.stringify(local)}).toISOString()`) as Promise<string>;

async function openAlarm(page: Page, id: number): Promise<void> {
  await page.click(row(id));
  await page.waitForSelector("#detail:not([hidden]) #detail-body .timeline", { timeout: SHOW_MS });
}

/** Timeline entries of one type, as "author | detail" lines. */
const timeline = (page: Page, type: string) =>
  page.$$eval(`#detail-body .timeline .ev-${type}`, (items) =>
    items.map((li) => `${li.querySelector(".actor")?.textContent} | ${li.querySelector(".ev-detail")?.textContent}`),
  );

describe("alarm detail actions (browser)", () => {
  it("adds notes, resolves, schedules and records the follow-up visit", async () => {
    const first = await openConsole(browser, hub, pageErrors);
    const second = await openConsole(browser, hub, pageErrors);
    const device = hub.demoDevices[0];
    if (!device) throw new Error("the test hub seeded no demo devices");
    button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
    await button.start({ timeoutMs: SHOW_MS });
    const alarmId = (await button.press("sos")).alarmId;
    if (alarmId === null) throw new Error("the hub acknowledged the press without an alarm id");
    for (const page of [first, second]) {
      await page.waitForSelector(row(alarmId), { timeout: SHOW_MS });
      await openAlarm(page, alarmId);
    }

    // A blank note is refused on the spot; nothing is posted.
    await first.fill("#note-text", "   ");
    await first.click("#btn-note");
    expect(await first.isVisible("#note-error")).toBe(true);
    expect(await timeline(first, "note_added")).toEqual([]);

    // A note on the open alarm: the box clears, and the other console's timeline shows it with its author.
    await first.fill("#note-text", "Daughter called back, on her way");
    await first.click("#btn-note");
    await waitForExpression(first, `document.querySelector("#note-text").value === ""`, undefined, {
      timeout: SHOW_MS,
    });
    expect(await first.isVisible("#note-error")).toBe(false);
    await second.waitForSelector("#detail-body .timeline .ev-note_added", { timeout: SHOW_MS });
    expect(await timeline(second, "note_added")).toEqual(["admin | Daughter called back, on her way"]);

    // Resolve with an outcome (the action bar's button asks in the resolve dialog): the follow-up card
    // appears and the note box stays.
    await first.click("#btn-resolve");
    await first.check('.resolve-dialog[open] input[value="real"]');
    await first.click("#resolve-yes");
    await first.waitForSelector("#detail .badge.state-resolved", { timeout: SHOW_MS });
    await first.waitForSelector("#follow-up-card #fu-plan-form", { state: "visible", timeout: SHOW_MS });
    expect(stored(alarmId)).toMatchObject({ status: "resolved", outcome: "real", follow_up_due_at: null });
    expect(await first.isVisible("#note-form")).toBe(true);
    expect(await first.isVisible("#detail-actions")).toBe(false);

    // A visit planned in the past is overdue at once: the card says so.
    await first.fill("#fu-due", "2020-01-06T09:00");
    await first.click("#btn-fu-plan");
    await first.waitForSelector("#follow-up-card .fu-overdue", { timeout: SHOW_MS });
    expect(stored(alarmId).follow_up_due_at).toBe(await isoInPage(first, "2020-01-06T09:00"));
    await first.screenshot({ path: path.join(RESULTS, "alarm-actions-overdue.png") });

    // Re-planned for later: stored exactly, shown, no longer overdue.
    await first.fill("#fu-due", "2031-03-04T10:30");
    await first.click("#btn-fu-plan");
    await first.waitForSelector("#follow-up-card .fu-overdue", { state: "detached", timeout: SHOW_MS });
    const dueIso = await isoInPage(first, "2031-03-04T10:30");
    expect(stored(alarmId).follow_up_due_at).toBe(dueIso);
    expect(await first.textContent("#follow-up-card .fu-due")).toContain("2031");
    expect(await first.textContent("#follow-up-card .fu-state")).not.toMatch(/null|undefined/);
    await waitForExpression(
      first,
      `document.querySelectorAll("#detail-body .timeline .ev-follow_up_planned").length === 2`,
      undefined,
      { timeout: SHOW_MS },
    );

    // A note on the resolved alarm works too.
    await first.fill("#note-text", "Will visit with the grid worker");
    await first.click("#btn-note");
    await waitForExpression(
      second,
      `document.querySelectorAll("#detail-body .timeline .ev-note_added").length === 2`,
      undefined,
      { timeout: SHOW_MS },
    );

    // English: nothing on the panel is left in Chinese or shown as a key.
    await first.click(".topbar .lang-switch");
    expect(await first.getAttribute("html", "lang")).toBe("en");
    const english = await interfaceText(first, "#detail");
    const placeholders = (await first.$$eval("#detail textarea[placeholder]", (els) =>
      els.map((e) => e.getAttribute("placeholder")),
    )) as string[];
    expect(english).toEqual(expect.arrayContaining(["Follow-up visit", "Schedule visit", "Record visit", "Add note"]));
    expect([...english, ...placeholders].filter((s) => CJK.test(s) || I18N_KEY.test(s))).toEqual([]);
    await first.screenshot({ path: path.join(RESULTS, "alarm-actions.png") });

    // Record the visit: the alarm is followed up, at the time the operator entered.
    await first.fill("#fu-note", "Resident well, daughter staying the week");
    await first.fill("#fu-visited", "2031-03-04T11:15");
    await first.click("#btn-fu-record");
    await first.waitForSelector("#detail .badge.state-followed_up", { timeout: SHOW_MS });
    expect(stored(alarmId)).toMatchObject({
      status: "followed_up",
      followed_up_at: await isoInPage(first, "2031-03-04T11:15"),
    });
    expect(await first.isVisible("#fu-record-form")).toBe(false);
    expect(await first.textContent("#follow-up-card .fu-state")).toContain("Visited at");

    // The closed alarm is out of the queue; the history page opens it again.
    await second.click("#detail-close");
    await second.click("#nav-history");
    await second.waitForSelector(`#hist-table tr[data-id="${alarmId}"]`, { timeout: SHOW_MS });
    await second.click(`#hist-table tr[data-id="${alarmId}"]`);
    await second.waitForSelector("#detail:not([hidden]) .badge.state-followed_up", { timeout: SHOW_MS });
    expect(await timeline(second, "followed_up")).toEqual([
      expect.stringMatching(/^admin \| .*Resident well, daughter staying the week$/),
    ]);
    expect(await second.isVisible("#note-form")).toBe(true);

    expect(pageErrors).toEqual([]);
  }, 90_000);
});
