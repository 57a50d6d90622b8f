/**
 * The console under a burst, in real Chromium against a real hub: hundreds of
 * alarms pushed at once arrive as a few `alarms` frames and the queue renders
 * once per frame, not once per alarm; the tone starts once; escalations that
 * rise together re-alert once per frame; a hidden tab gets a few desktop
 * notifications per frame, not hundreds; and a console that reloads (as after
 * being closed for falling behind) lists every open alarm, past the API's
 * page of 1,000.
 *
 * Alarms are written straight into SQLite (queue-fixtures.ts) and announced on
 * the hub's bus, as the pipeline's stages announce theirs.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, toneState, waitForExpression, waitForTone } from "./support/console-page.ts";
import { insertOpenAlarms } from "./support/queue-fixtures.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 30_000;
const BURST = 400;

let hub: TestHub;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** How many alarms each `alarms` frame the page received carried, in order. */
const alarmFrames: number[] = [];

beforeAll(async () => {
  // Deadlines longer than any fixture alarm's age: nothing escalates unless the test says so.
  hub = await startTestHub({
    twilio: false,
    env: { ANXIN_ACK_DEADLINE_S: "86400", ANXIN_ARRIVAL_DEADLINE_S: "86400", ANXIN_RESOLUTION_DEADLINE_S: "172800" },
  });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("websocket", (socket) =>
    socket.on("framereceived", ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { type: string; alarms?: unknown[] };
      if (frame.type === "alarms") alarmFrames.push(frame.alarms?.length ?? 0);
    }),
  );
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", "admin");
  await page.fill("#login-password", hub.adminPassword);
  // The click is the gesture that lets the tone play.
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
  await waitForExpression(
    page,
    "window.anxinQueue.renders > 0 && document.querySelector('#banner-rt').hidden",
    undefined,
    {
      timeout: SHOW_MS,
    },
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const rows = (page: Page) => page.evaluate("document.querySelectorAll('#queue .row').length") as Promise<number>;
const renders = (page: Page) => page.evaluate("window.anxinQueue.renders") as Promise<number>;

describe("console under a burst (browser)", () => {
  it("shows a burst of 400 alarms from a few frames, rendering once per frame, and starts the tone once", async () => {
    expect(await rows(page)).toBe(0);
    await waitForTone(page, "idle", "none");
    const before = { renders: await renders(page), tone: await toneState(page), frames: alarmFrames.length };
    const loopsBefore = (await page.evaluate("window.anxinSound.loops")) as number;

    const alarms = insertOpenAlarms(hub.hub.db, BURST);
    for (const alarm of alarms) hub.hub.bus.emit("alarm.changed", { alarmId: alarm.id, change: "created" });
    await waitForExpression(page, `document.querySelectorAll('#queue .row').length === ${BURST}`, undefined, {
      timeout: SHOW_MS,
    });

    const frames = alarmFrames.slice(before.frames);
    expect(frames.reduce((sum, n) => sum + n, 0)).toBe(BURST);
    expect(frames.length).toBeLessThan(BURST / 10);
    // One render per frame (and none per alarm); the page may render for other reasons too, but not hundreds.
    const rendered = (await renders(page)) - before.renders;
    expect(rendered).toBeGreaterThanOrEqual(1);
    expect(rendered).toBeLessThanOrEqual(frames.length);
    // Some fixture alarms are escalated: the loud pattern, started once for the whole burst.
    await waitForTone(page, "playing", "escalated");
    expect((await page.evaluate("window.anxinSound.loops")) as number).toBe(loopsBefore + 1);
    // First sightings are not rises: nothing re-alerts.
    expect((await toneState(page)).reAlerts).toBe(before.tone.reAlerts);

    // 300 of them miss a deadline together: one re-alert per frame that carries rises, not one per alarm.
    const raised = alarms.slice(0, 300);
    const framesBefore = alarmFrames.length;
    const reAlertsBefore = (await toneState(page)).reAlerts;
    const raise = hub.hub.db.prepare("UPDATE alarms SET escalation_level = escalation_level + 1 WHERE id = ?");
    for (const alarm of raised) {
      raise.run(alarm.id);
      hub.hub.bus.emit("alarm.changed", { alarmId: alarm.id, change: "escalated" });
    }
    await waitForExpression(
      page,
      `document.querySelectorAll('#queue .row.row-reflash').length === ${raised.length}`,
      undefined,
      { timeout: SHOW_MS },
    );
    const riseFrames = alarmFrames.length - framesBefore;
    const reAlerts = (await toneState(page)).reAlerts - reAlertsBefore;
    expect(reAlerts).toBeGreaterThanOrEqual(1);
    expect(reAlerts).toBeLessThanOrEqual(riseFrames);
    expect(riseFrames).toBeLessThan(raised.length / 10);
    expect(pageErrors).toEqual([]);
  });

  it("notifies a hidden console of the first three new alarms of a frame, and of the rest together", async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
    await context.grantPermissions(["notifications"], { origin: hub.httpUrl });
    const other = await context.newPage();
    other.on("pageerror", (err) => pageErrors.push(err.message));
    // Counts the notifications the page creates, keeping the real one underneath.
    await other.addInitScript(`(() => {
      const Real = window.Notification;
      window.__notifications = [];
      window.Notification = class extends Real {
        constructor(title, options) {
          super(title, options);
          window.__notifications.push({ title, tag: options?.tag });
        }
      };
    })()`);
    await other.goto(hub.httpUrl);
    await other.fill("#login-username", "admin");
    await other.fill("#login-password", hub.adminPassword);
    await other.click("#login-submit");
    await other.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
    const before = await rows(other);
    await waitForExpression(
      other,
      `document.querySelectorAll('#queue .row').length === ${before} && document.querySelector('#banner-rt').hidden`,
      undefined,
      { timeout: SHOW_MS },
    );
    await other.evaluate(`Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true })`);

    // 40 alarms in one tick: one frame. Those an operator already took are no call to act.
    const alarms = insertOpenAlarms(hub.hub.db, 40);
    for (const alarm of alarms) hub.hub.bus.emit("alarm.changed", { alarmId: alarm.id, change: "created" });
    await waitForExpression(other, `document.querySelectorAll('#queue .row').length === ${before + 40}`, undefined, {
      timeout: SHOW_MS,
    });
    const waiting = alarms.filter((a) => !a.acknowledged).length;
    expect(waiting).toBeGreaterThan(3);
    const shown = (await other.evaluate("window.__notifications")) as { title: string; tag: string }[];
    expect(shown.map((n) => n.tag)).toEqual([
      ...alarms
        .filter((a) => !a.acknowledged)
        .slice(0, 3)
        .map((a) => `anxin-alarm-${a.id}`),
      "anxin-alarm-burst",
    ]);
    expect(shown.at(-1)?.title).toBe(`另有 ${waiting - 3} 条新警报`);
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  it("lists every open alarm after a reload, past the API's page of 1,000", async () => {
    // Opened while the console was away: nothing pushed, only the reload can bring them.
    insertOpenAlarms(hub.hub.db, 800);
    const open = (
      hub.hub.db
        .prepare("SELECT COUNT(*) AS n FROM alarms WHERE status NOT IN ('resolved', 'followed_up', 'cancelled')")
        .get() as { n: number }
    ).n;
    expect(open).toBe(BURST + 40 + 800);
    await page.reload();
    await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
    await waitForExpression(page, `document.querySelectorAll('#queue .row').length === ${open}`, undefined, {
      timeout: SHOW_MS,
    });
    expect(await rows(page)).toBe(open);
    expect(pageErrors).toEqual([]);
  });
});
