/**
 * A console whose machine is set to another zone than the command center's
 * still counts the center's days and shows the center's times. The hub runs on
 * Pacific/Kiritimati (UTC+14) and the browser on Pacific/Pago_Pago (UTC-11):
 * 25 hours apart, so their calendar days differ at every moment and the test
 * means the same whenever it runs. Before the fix, the history's default range
 * ended on the browser's today, the center's yesterday, and missed the alarm
 * just pressed.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium } from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const CENTER = "Pacific/Kiritimati";
const BROWSER = "Pacific/Pago_Pago";
const SHOW_MS = 10_000;

/** YYYY-MM-DD of an instant in a zone. */
const dayIn = (zone: string, date: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(date);
const daysBefore = (day: string, n: number) => {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) - n)).toISOString().slice(0, 10);
};

let th: TestHub;
let browser: Browser;
let button: SimulatedButton;
let alarmId: number;
let receivedAt: Date;

beforeAll(async () => {
  th = await startTestHub({ twilio: false, env: { ANXIN_TIME_ZONE: CENTER } });
  const device = th.demoDevices[0];
  if (!device) throw new Error("no demo device");
  button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: device.deviceId, secret: device.secret });
  await button.start({ timeoutMs: 5000 });
  const ack = await button.press("sos");
  if (ack.alarmId === null) throw new Error("the press was not stored");
  alarmId = ack.alarmId;
  await th.waitForPipeline(alarmId);
  const row = th.hub.db.prepare("SELECT received_at FROM alarms WHERE id = ?").get(alarmId) as { received_at: string };
  receivedAt = new Date(row.received_at);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await button?.stop();
  await th?.stop();
});

describe("the console on another zone than the command center's", () => {
  it("tells the console and the worker page the center's zone with the user", async () => {
    const cookie = await th.login();
    const me = await th.hub.app.inject({ method: "GET", url: "/api/auth/me", headers: { cookie } });
    expect(me.json()).toMatchObject({ user: { username: "admin" }, timeZone: CENTER });
    const worker = await th.hub.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "KL-W001", password: th.workerPassword("KL-W001") },
    });
    expect(worker.json()).toMatchObject({ user: { role: "worker" }, timeZone: CENTER });
    const workerCookie = String(worker.headers["set-cookie"]).split(";")[0] ?? "";
    const workerMe = await th.hub.app.inject({
      method: "GET",
      url: "/api/worker/me",
      headers: { cookie: workerCookie },
    });
    expect(workerMe.json()).toMatchObject({ timeZone: CENTER });
  });

  it("counts the history's default week in the center's days and shows the center's times", async () => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: "en",
      timezoneId: BROWSER,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(th.httpUrl);
    // The browser really is on the other side of the date line.
    const browserDay = await page.evaluate(() => new Date().toLocaleDateString("en-CA"));
    const centerToday = dayIn(CENTER, new Date());
    expect(browserDay).not.toBe(centerToday);

    await page.fill("#login-username", "admin");
    await page.fill("#login-password", th.adminPassword);
    await page.click("#login-submit");
    await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });

    // The queue's time is the center's wall clock (the date is left out only on the center's today).
    const queueTime = page.locator(`#queue [data-id="${alarmId}"] .c-received time`);
    await queueTime.waitFor({ timeout: SHOW_MS });
    const centerClock = new Intl.DateTimeFormat("zh-CN", {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZone: CENTER,
    }).format(receivedAt);
    const sameDay = dayIn(CENTER, receivedAt) === dayIn(CENTER, new Date());
    if (sameDay) expect(await queueTime.textContent()).toBe(centerClock);
    else expect(await queueTime.textContent()).toContain(centerClock);

    // The history's default range is the center's last 7 days, and holds the alarm just pressed.
    await page.click("#nav-history");
    await page.waitForSelector('body[data-page="history"] #history-view[data-state="ready"]', { timeout: SHOW_MS });
    const to = dayIn(CENTER, new Date());
    expect(await page.inputValue("#hist-to")).toBe(to);
    expect(await page.inputValue("#hist-from")).toBe(daysBefore(to, 6));
    const row = page.locator(`#hist-table tbody tr[data-id="${alarmId}"]`);
    await row.waitFor({ timeout: SHOW_MS });
    const centerDateTime = new Intl.DateTimeFormat("zh-CN", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZone: CENTER,
    }).format(receivedAt);
    expect(await row.textContent()).toContain(centerDateTime);
    expect(errors).toEqual([]);
    await context.close();
  });
});
