/**
 * The console's tone follows the alarms' urgency, in real Chromium against a
 * real hub whose deadline watcher escalates for real: a service call plays the
 * soft pattern, an SOS the normal one, and when the SOS misses its
 * acknowledgement deadline the console switches to the loud escalated pattern
 * by itself, cancelling the operator's one-minute mute. Acknowledging stops
 * it; a later escalation of the acknowledged alarm (nobody on scene) still
 * re-alerts, with one loud burst and no loop.
 *
 * The hub's clock is moved by the test (the watcher still scans every real
 * second), so "before the deadline" and "after it" are states the test sets,
 * not races it hopes to win.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import type { AlarmKind } from "../protocol/index.ts";
import {
  launchChromium,
  openConsole,
  RESULTS,
  toneState,
  waitForExpression,
  waitForTone,
} from "./support/console-page.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 10_000;
/** ANXIN_ACK_DEADLINE_S and ANXIN_ARRIVAL_DEADLINE_S, set explicitly so the steps below read plainly. */
const ACK_DEADLINE_S = 30;
const ARRIVAL_DEADLINE_S = 300;

let hub: TestHub;
let browser: Browser;
let offsetMs = 0;
const buttons: SimulatedButton[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({
    twilio: false,
    env: { ANXIN_ACK_DEADLINE_S: String(ACK_DEADLINE_S), ANXIN_ARRIVAL_DEADLINE_S: String(ARRIVAL_DEADLINE_S) },
    clock: () => new Date(Date.now() + offsetMs),
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const b of buttons) await b.stop();
  await browser?.close();
  await hub?.stop();
});

async function press(index: number, kind: AlarmKind): Promise<number> {
  const device = hub.demoDevices[index];
  if (!device) throw new Error(`no demo device ${index}`);
  const button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
  buttons.push(button);
  await button.start({ timeoutMs: 5000 });
  const ack = await button.press(kind);
  if (ack.alarmId === null) throw new Error("the hub stored no alarm");
  await hub.waitForPipeline(ack.alarmId);
  return ack.alarmId;
}

const row = (id: number) => `#queue .row[data-id="${id}"]`;

async function escalationOf(page: Page, id: number): Promise<number> {
  return Number(await page.getAttribute(row(id), "data-escalation"));
}

async function waitForEscalation(page: Page, id: number, atLeast: number): Promise<void> {
  await waitForExpression(
    page,
    `Number(document.querySelector('${row(id)}')?.dataset.escalation ?? 0) >= ${atLeast}`,
    undefined,
    { timeout: SHOW_MS },
  );
}

describe("escalated alarm tone (browser)", () => {
  it("plays softer for service, louder for SOS, loudest once escalated, cancels a mute, and stops on acknowledgement", async () => {
    const cookie = await hub.login();
    const page = await openConsole(browser, hub, pageErrors);

    // A service call alone: the soft pattern.
    const service = await press(5, "service");
    await page.waitForSelector(`${row(service)}[data-unacked="true"]`, { timeout: SHOW_MS });
    await waitForTone(page, "playing", "service");
    const soft = await toneState(page);
    expect(soft.audio).toBe("running");
    expect(soft.gain).toBeGreaterThan(0);
    const ack = await fetch(`${hub.httpUrl}/api/alarms/${service}/acknowledge`, {
      method: "POST",
      headers: { cookie },
    });
    expect(ack.status).toBe(200);
    await waitForTone(page, "idle", "none");
    expect((await toneState(page)).gain).toBe(0);

    // An SOS: the normal pattern, louder and faster than the service one.
    const sos = await press(6, "sos");
    await page.waitForSelector(`${row(sos)}[data-unacked="true"]`, { timeout: SHOW_MS });
    await waitForTone(page, "playing", "normal");
    const normal = await toneState(page);
    expect(normal.gain).toBeGreaterThan(soft.gain);
    expect(normal.periodS).toBeLessThan(soft.periodS);
    expect(await escalationOf(page, sos)).toBe(0);

    // The operator mutes it for a minute, before the deadline.
    await page.click("#btn-mute");
    await waitForTone(page, "idle", "normal");
    expect((await toneState(page)).muted).toBe("true");

    // Nobody acknowledges in time: the hub escalates, and the console re-alerts without a click.
    offsetMs += (ACK_DEADLINE_S + 1) * 1000;
    await waitForEscalation(page, sos, 1);
    await waitForTone(page, "playing", "escalated");
    const loud = await toneState(page);
    expect(loud).toMatchObject({ muted: "false", reAlerts: 1, bursts: 0 });
    expect(loud.gain).toBeGreaterThan(normal.gain);
    expect(loud.periodS).toBeLessThan(normal.periodS);
    expect(await page.getAttribute(row(sos), "class")).toContain("row-reflash");
    expect(await page.textContent(`${row(sos)} .badge.esc`)).toContain("超时升级");
    await waitForExpression(page, `document.title.includes("【超时未处置】")`, undefined, { timeout: SHOW_MS });
    await page.screenshot({ path: path.join(RESULTS, "dashboard-escalated.png") });

    // Acknowledging stops the sound.
    await page.keyboard.press("a");
    await page.waitForSelector(`${row(sos)}[data-unacked="false"]`, { timeout: SHOW_MS });
    await waitForTone(page, "idle", "none");
    expect((await toneState(page)).gain).toBe(0);

    // Still nobody on scene twice the arrival deadline later: the escalation rises again on an
    // acknowledged alarm, which re-alerts with one loud burst but starts no loop.
    const before = await escalationOf(page, sos);
    offsetMs += 2 * ARRIVAL_DEADLINE_S * 1000;
    await waitForEscalation(page, sos, before + 1);
    // The hub may count one or two levels here (arrival level 1, then 2); each rise re-alerted,
    // and every re-alert after the acknowledgement was a burst, never a loop.
    const after = await toneState(page);
    expect(after.reAlerts).toBeGreaterThanOrEqual(2);
    expect(after).toMatchObject({ sound: "idle", level: "none", gain: 0, bursts: after.reAlerts - 1 });
    expect(await page.getAttribute(row(sos), "class")).toContain("row-reflash");

    expect(pageErrors).toEqual([]);
  }, 90_000);
});
