/**
 * Attention and the session, in real Chromium against a real hub:
 * - while an alarm waits unacknowledged the favicon is the red-dot variant, and
 *   with the tab hidden a desktop notification is shown (permission granted
 *   through the browser context; the page's Notification is wrapped to count);
 *   acknowledging closes it and the favicon turns back;
 * - a session that ends under the operator (its row deleted from SQLite, as an
 *   expiry or a revocation would) sends the console back to the login form with
 *   "session expired" at the next action, and after signing in again the alarm
 *   that was open is open again;
 * - a community worker who signs in on the console lands on the worker page.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium, openUserMenu, waitForExpression } from "./support/console-page.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 10_000;

let hub: TestHub;
let browser: Browser;
const buttons: SimulatedButton[] = [];
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const b of buttons) await b.stop();
  for (const context of contexts) await context.close();
  await browser?.close();
  await hub?.stop();
});

// Records every notification the page creates, keeping the real one underneath.
const WRAP_NOTIFICATION = `(() => {
  const Real = window.Notification;
  window.__notifications = [];
  class Counted extends Real {
    constructor(title, options) {
      super(title, options);
      const entry = { title, body: options?.body, tag: options?.tag, closed: false, replaced: false };
      // As a browser does, a notification with the tag of one still shown replaces it.
      for (const old of window.__notifications) if (old.tag === entry.tag && !old.closed) old.replaced = true;
      window.__notifications.push(entry);
      const close = this.close.bind(this);
      this.close = () => { entry.closed = true; close(); };
    }
  }
  window.Notification = Counted;
})()`;

/** The console view after a login; a timeout says what the login form says instead. */
async function waitForConsole(page: Page): Promise<void> {
  try {
    await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
  } catch (err) {
    const view = await page.getAttribute("body", "data-view");
    const said = await page.textContent("#login-error");
    throw new Error(`the console did not open (view ${view}; the login form says ${JSON.stringify(said)})`, {
      cause: err,
    });
  }
}

async function login(username: string, password: string, grantNotifications = false): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  contexts.push(context);
  if (grantNotifications) await context.grantPermissions(["notifications"], { origin: hub.httpUrl });
  const page = await context.newPage();
  await page.addInitScript(WRAP_NOTIFICATION);
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", username);
  await page.fill("#login-password", password);
  await page.click("#login-submit");
  return page;
}

async function press(index: number): Promise<number> {
  const device = hub.demoDevices[index];
  if (!device) throw new Error(`no demo device ${index}`);
  const button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
  buttons.push(button);
  await button.start({ timeoutMs: 5000 });
  const ack = await button.press("sos");
  if (ack.alarmId === null) throw new Error("the hub stored no alarm");
  await hub.waitForPipeline(ack.alarmId);
  return ack.alarmId;
}

const row = (id: number) => `#queue .row[data-id="${id}"]`;
const favicon = (page: Page) => page.evaluate("window.anxinAttention.favicon") as Promise<string>;
const notifications = (page: Page) =>
  page.evaluate("window.__notifications") as Promise<
    { title: string; body: string; tag: string; closed: boolean; replaced: boolean }[]
  >;
/** The notifications still on the desktop: not closed, not replaced by a newer one with their tag. */
const onDesktop = async (page: Page) => (await notifications(page)).filter((n) => !n.closed && !n.replaced);

describe("attention and session (browser)", () => {
  it("shows the red-dot favicon and, with the tab hidden, a desktop notification until acknowledged", async () => {
    const page = await login("admin", hub.adminPassword, true);
    await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
    // Permission is granted already: nothing to ask, so no button in the account menu.
    await openUserMenu(page);
    expect(await page.isHidden("#btn-notify")).toBe(true);
    await page.keyboard.press("Escape");
    expect(await favicon(page)).toBe("normal");
    expect(await page.getAttribute('link[rel="icon"]', "href")).toMatch(/^data:image\/svg\+xml,/);

    // The operator switches to another tab.
    await page.evaluate(`Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true })`);
    const id = await press(3);
    await page.waitForSelector(`${row(id)}[data-unacked="true"]`, { timeout: SHOW_MS });
    expect(await favicon(page)).toBe("alert");
    // At once, then (the alarm located) replaced by one that says who: one on the desktop throughout.
    const resident = hub.demoDevices[3]?.resident ?? "";
    await waitForExpression(
      page,
      `window.__notifications.some((n) => n.body.includes(${JSON.stringify(resident)}) && !n.replaced)`,
      undefined,
      { timeout: SHOW_MS },
    );
    const shown = await onDesktop(page);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ title: `新警报 #${id}`, tag: `anxin-alarm-${id}`, closed: false });
    expect(shown[0]?.body).toContain(resident);
    expect((await notifications(page)).every((n) => n.tag === `anxin-alarm-${id}`)).toBe(true);

    // Acknowledged (by the `a` key here; another console would do the same): the call to act is withdrawn.
    await page.keyboard.press("a");
    await page.waitForSelector(`${row(id)}[data-unacked="false"]`, { timeout: SHOW_MS });
    await waitForExpression(page, "window.anxinAttention.favicon === 'normal'", undefined, { timeout: SHOW_MS });
    expect(await onDesktop(page)).toEqual([]);

    // A visible console does not notify: it shows and sounds the alarm itself.
    await page.evaluate(`Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true })`);
    const next = await press(4);
    await page.waitForSelector(row(next), { timeout: SHOW_MS });
    expect((await notifications(page)).filter((n) => n.tag === `anxin-alarm-${next}`)).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("offers notifications with a button, not a prompt", async () => {
    const page = await login("admin", hub.adminPassword);
    await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
    const permission = await page.evaluate("Notification.permission");
    // Headless Chromium answers "default" or "denied" for a profile never asked; the button (in the
    // account menu) follows it.
    await openUserMenu(page);
    expect(await page.isVisible("#btn-notify")).toBe(permission === "default");
    if (permission === "default") expect(await page.textContent("#btn-notify")).toBe("启用桌面通知");
  }, 30_000);

  it("goes back to the login form when the session ends, and continues after signing in again", async () => {
    await createUser(hub, "li", "operator", "operator-password-2");
    const page = await login("li", "operator-password-2");
    await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
    const id = await press(5);
    await page.click(row(id));
    await page.waitForSelector("#detail:not([hidden]) #detail-body .card", { timeout: SHOW_MS });

    // The session ends on the hub (expired or revoked: its row is gone) just as the console asks for
    // the alarm again. Ended there, not before, so that no other request of the console (the realtime
    // socket, the map) meets the 401 first and the key press below lands on the login form instead.
    // That request is answered by the hub (401) but the answer is held back until after the next
    // login, as a slow answer under load would be: it speaks of the old session and must not end the new one.
    let releaseStale = (): void => {};
    const staleHeld = new Promise<void>((resolve) => {
      releaseStale = resolve;
    });
    let held: number | null = null;
    let staleDelivered = false;
    await page.route(`**/api/alarms/${id}`, async (route) => {
      if (held !== null || route.request().method() !== "GET") return route.continue();
      hub.hub.db.prepare("DELETE FROM sessions").run();
      const answer = await route.fetch();
      held = answer.status();
      await staleHeld;
      await route.fulfill({ response: answer });
      staleDelivered = true;
    });
    // Enter reopens the selected alarm (a fresh GET); a click could miss a row the live queue is redrawing.
    await page.evaluate("document.activeElement?.blur()");
    await page.keyboard.press("Enter");
    await expect.poll(() => held, { timeout: SHOW_MS }).toBe(401);
    // The next action is refused with 401, and the console says why.
    await page.keyboard.press("a");
    await page.waitForSelector('body[data-view="login"]', { timeout: SHOW_MS });
    expect(await page.textContent("#login-error")).toBe("登录已过期，请重新登录；登录后回到刚才的页面。");
    expect(await page.isVisible("#login-error")).toBe(true);
    // The alarm was not acknowledged by the refused key press.
    expect(hub.hub.db.prepare("SELECT acknowledged_at FROM alarms WHERE id = ?").get(id)).toEqual({
      acknowledged_at: null,
    });

    await page.fill("#login-username", "li");
    await page.fill("#login-password", "operator-password-2");
    await page.click("#login-submit");
    await waitForConsole(page);
    releaseStale();
    await expect.poll(() => staleDelivered, { timeout: SHOW_MS }).toBe(true);
    // The page has had the stale 401 (a few turns of its event loop): it stays on the console.
    await page.evaluate("new Promise((resolve) => setTimeout(resolve, 200))");
    expect(await page.getAttribute("body", "data-view")).toBe("console");
    // It continues: the alarm that was open is open again, and acting on it works.
    await page.waitForSelector("#detail:not([hidden]) #detail-body .card", { timeout: SHOW_MS });
    expect(await page.textContent("#detail-title")).toContain(`#${id}`);
    await page.click("#btn-ack");
    await page.waitForSelector(`${row(id)}[data-unacked="false"]`, { timeout: SHOW_MS });
    expect(await page.textContent(`${row(id)} .ack-by`)).toBe("li");

    // Logout is there (in the account menu), and ends the session on the hub too.
    await openUserMenu(page);
    await page.click("#btn-logout");
    await page.waitForSelector('body[data-view="login"]', { timeout: SHOW_MS });
    expect(await page.isVisible("#login-error")).toBe(false);
    expect(hub.hub.db.prepare("SELECT COUNT(*) AS n FROM sessions").get()).toEqual({ n: 0 });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("sends a community worker who signs in on the console to the worker page", async () => {
    await createUser(hub, "wang", "worker", "worker-password-1");
    const page = await login("wang", "worker-password-1");
    await page.waitForURL(`${hub.httpUrl}/worker/`, { timeout: SHOW_MS });
    // Already signed in there: the worker page opens on its main view, not its login form.
    await page.waitForSelector('body[data-view="main"]', { timeout: SHOW_MS });
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
