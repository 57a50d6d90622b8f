/**
 * The live queue with many alarms, in real Chromium against a real hub: 300
 * open alarms (written into SQLite, see queue-fixtures.ts) are listed in the
 * queue's order (SOS before service; escalated, then not yet taken, then pressed again,
 * higher; then the oldest first), each with its clock and the hub's own stage
 * deadline. The console stays responsive: `a` acknowledges the top alarm and a
 * second console, logged in as another operator, shows who took it; `r`
 * resolves through the outcome dialog. Screenshots of the queue and the detail
 * are written at 1366×768.
 */
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, RESULTS, waitForExpression } from "./support/console-page.ts";
import { expectedOrder, type FixtureAlarm, insertOpenAlarms } from "./support/queue-fixtures.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 10_000;
/** Longer than every fixture alarm's age, so the deadline watcher leaves them alone. */
const ACK_S = 3600;
const ARRIVAL_S = 7200;
const RESOLUTION_S = 14_400;
const COUNT = 300;

let hub: TestHub;
let browser: Browser;
let fixture: FixtureAlarm[] = [];
let overdueId = 0;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({
    twilio: false,
    env: {
      ANXIN_ACK_DEADLINE_S: String(ACK_S),
      ANXIN_ARRIVAL_DEADLINE_S: String(ARRIVAL_S),
      ANXIN_RESOLUTION_DEADLINE_S: String(RESOLUTION_S),
    },
  });
  fixture = insertOpenAlarms(hub.hub.db, COUNT);
  // One acknowledged service call past its resolution deadline, already marked overdue
  // (as the watcher would have), so the watcher does not change it under the test.
  const [extra] = insertOpenAlarms(hub.hub.db, 2, { now: Date.now() - (RESOLUTION_S + 300) * 1000, spreadS: 1 }).filter(
    (a) => a.kind === "service" && a.acknowledged,
  );
  if (!extra) throw new Error("the fixture made no acknowledged service call");
  overdueId = extra.id;
  hub.hub.db.prepare("DELETE FROM alarms WHERE id > ? AND id != ?").run(fixture.at(-1)?.id ?? 0, overdueId);
  hub.hub.db
    .prepare("INSERT INTO alarm_escalations (alarm_id, kind, level, at) VALUES (?, 'resolution', 1, ?)")
    .run(overdueId, new Date().toISOString());
  fixture.push(extra);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await hub?.stop();
});

async function login(username: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", username);
  await page.fill("#login-password", password);
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
  return page;
}

const row = (id: number) => `#queue .row[data-id="${id}"]`;
const ids = (page: Page) =>
  page.$$eval("#queue .row[data-id]", (rows) => rows.map((r) => Number(r.getAttribute("data-id"))));

describe("live queue (browser)", () => {
  it("orders 300 open alarms by priority then age, with the hub's deadlines, and stays responsive", async () => {
    const first = await login("admin", hub.adminPassword);
    await waitForExpression(first, `document.querySelectorAll("#queue .row").length === ${fixture.length}`, undefined, {
      timeout: SHOW_MS,
    });
    expect(await ids(first)).toEqual(expectedOrder(fixture));
    // The rule's edges, spelled out: an SOS on top, service calls at the bottom.
    const order = expectedOrder(fixture);
    const byId = new Map(fixture.map((a) => [a.id, a]));
    expect(byId.get(order[0] ?? 0)?.kind).toBe("sos");
    expect(byId.get(order.at(-1) ?? 0)?.kind).toBe("service");

    // Deadlines come from the hub's configuration: acknowledgement for an unacknowledged alarm,
    // arrival for an acknowledged SOS, resolution for an acknowledged service call.
    await first.waitForSelector(`${row(order[0] ?? 0)} .deadline`, { timeout: SHOW_MS });
    // The last unacknowledged one in the queue: `a` and `r` below take the first ones, not this.
    const unacked = [...order]
      .reverse()
      .map((id) => byId.get(id))
      .find((a) => a && !a.acknowledged);
    const ackedSos = fixture.find((a) => a.acknowledged && a.kind === "sos");
    if (!unacked || !ackedSos) throw new Error("fixture lacks an unacknowledged alarm or an acknowledged SOS");
    for (const [alarm, stage, seconds] of [
      [unacked, "ack", ACK_S],
      [ackedSos, "arrival", ARRIVAL_S],
      [byId.get(overdueId), "resolution", RESOLUTION_S],
    ] as const) {
      if (!alarm) throw new Error("missing fixture alarm");
      const deadline = await first.$eval(`${row(alarm.id)} .deadline`, (el) => ({
        ...(el as unknown as { dataset: Record<string, string> }).dataset,
      }));
      expect(deadline.stage).toBe(stage);
      expect(Number(deadline.at)).toBe(Date.parse(alarm.receivedAt) + seconds * 1000);
    }
    // "Left" in time, "overdue" past it: said in words, and coloured.
    expect(await first.textContent(`${row(unacked.id)} .deadline`)).toMatch(/^确认剩 \d\d:\d\d$/);
    expect(await first.getAttribute(`${row(unacked.id)} .deadline`, "data-level")).toBe("ok");
    expect(await first.textContent(`${row(overdueId)} .deadline`)).toMatch(/^结案超时 0[45]:\d\d$/);
    expect(await first.getAttribute(`${row(overdueId)} .deadline`, "data-level")).toBe("over");
    // A call pressed three times says so in words.
    const urgent = fixture.find((a) => a.pressCount >= 3);
    if (!urgent) throw new Error("fixture lacks a triple press");
    expect(await first.textContent(`${row(urgent.id)} .badge.prio`)).toBe("按了 3 次");

    // A second console, another operator. `a` on the first acknowledges the top unacknowledged
    // alarm; both show who took it, and no row was lost or duplicated.
    await createUser(hub, "zhang", "operator", "operator-password-1");
    const second = await login("zhang", "operator-password-1");
    await second.waitForSelector(row(order[0] ?? 0), { timeout: SHOW_MS });
    const top = order.find((id) => !byId.get(id)?.acknowledged) ?? 0;
    await second.keyboard.press("a");
    for (const page of [first, second]) {
      await page.waitForSelector(`${row(top)}[data-unacked="false"]`, { timeout: SHOW_MS });
      expect(await page.textContent(`${row(top)} .ack-by`)).toBe("zhang");
      expect(await page.$$eval("#queue .row", (rows) => rows.length)).toBe(fixture.length);
    }
    // Acknowledged, its next deadline is the arrival (an SOS), and it moves below the alarms nobody has taken.
    expect(await first.getAttribute(`${row(top)} .deadline`, "data-stage")).toBe("arrival");
    const after = expectedOrder(fixture.map((a) => (a.id === top ? { ...a, acknowledged: true } : a)));
    expect(after).not.toEqual(order);
    await expect.poll(() => ids(first), { timeout: SHOW_MS }).toEqual(after);
    await first.screenshot({ path: path.join(RESULTS, "queue.png") });

    // Enter opens the selected alarm; the detail at 1366×768.
    await first.keyboard.press("j");
    await first.keyboard.press("Enter");
    await first.waitForSelector("#detail:not([hidden]) #detail-body .card", { timeout: SHOW_MS });
    expect(await first.textContent("#detail-title")).toContain(`#${after[0]}`);
    await first.waitForSelector("#detail-body .resident-card, #detail-body .card", { timeout: SHOW_MS });
    await first.screenshot({ path: path.join(RESULTS, "alarm-detail.png") });

    // `r` resolves the open alarm: the dialog asks for the outcome (key 2: false alarm).
    await first.keyboard.press("r");
    await first.waitForSelector("dialog.resolve-dialog[open]", { timeout: SHOW_MS });
    expect(await first.isDisabled("#resolve-yes")).toBe(true);
    await first.keyboard.press("2");
    expect(await first.isDisabled("#resolve-yes")).toBe(false);
    await first.click("#resolve-yes");
    for (const page of [first, second]) {
      await page.waitForSelector(row(after[0] ?? 0), { state: "detached", timeout: SHOW_MS });
    }
    const stored = hub.hub.db.prepare("SELECT status, outcome FROM alarms WHERE id = ?").get(after[0]);
    expect(stored).toEqual({ status: "resolved", outcome: "false_alarm" });
    // The help line lists the shortcuts, in both languages.
    expect(await first.textContent(".help")).toContain("r 结案");
    await first.click(".topbar .lang-switch");
    expect(await first.textContent(".help")).toContain("r resolve");
    expect(await first.textContent(`${row(unacked.id)} .deadline`)).toMatch(/^Ack: \d\d:\d\d left$/);
    await first.click(".topbar .lang-switch");

    expect(pageErrors).toEqual([]);
  }, 120_000);
});
