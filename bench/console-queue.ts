/**
 * The console with 1,000 open alarms, in Debian's Chromium against a real hub:
 * time from the login click to the full queue on screen, and the time to apply
 * one new alarm pushed over the WebSocket and one acknowledgement (the `a` key)
 * with the 1,000 rows present. Wall times are measured from Node (they include
 * the HTTP or pipeline work and playwright's polling); the render times are the
 * console's own (`window.anxinQueue`), for the renders each step caused.
 *
 * The 1,000 alarms are written straight into SQLite (tests/support/queue-fixtures.ts):
 * the demo district has 240 buttons and each holds one open alarm, so the real
 * pipeline cannot make a thousand. The new alarm is a real press (MQTT → store →
 * locate → push) of a button kept free of them.
 */
import { performance } from "node:perf_hooks";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium } from "../tests/support/console-page.ts";
import { insertOpenAlarms } from "../tests/support/queue-fixtures.ts";
import { startTestHub } from "../tests/support/test-hub.ts";

export interface ConsoleQueueFigures {
  rows: number;
  firstRenderWallMs: number;
  firstRenderMs: number;
  pushWallMs: number;
  pushRenderMs: number;
  pushRowsRebuilt: number;
  ackWallMs: number;
  ackRenderMs: number;
  ackRowsRebuilt: number;
}

interface RenderLog {
  ms: number;
  built: number;
  rows: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function measureConsoleQueue(count = 1000): Promise<ConsoleQueueFigures> {
  // Deadlines longer than any fixture alarm's age: nothing escalates under the measurement.
  const hub = await startTestHub({
    twilio: false,
    env: { ANXIN_ACK_DEADLINE_S: "86400", ANXIN_ARRIVAL_DEADLINE_S: "86400", ANXIN_LOG_LEVEL: "warn" },
  });
  const free = hub.demoDevices[0];
  if (!free) throw new Error("no demo devices");
  insertOpenAlarms(hub.hub.db, count, { skipDevices: [free.deviceId] });
  const browser = await launchChromium();
  const button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: free.deviceId, secret: free.secret });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    await page.goto(hub.httpUrl);
    await page.fill("#login-username", "admin");
    await page.fill("#login-password", hub.adminPassword);
    const log = async () => (await page.evaluate("window.anxinQueue.log")) as RenderLog[];
    const renders = async () => (await page.evaluate("window.anxinQueue.renders")) as number;

    let started = performance.now();
    await page.click("#login-submit");
    // A function, not a string: Playwright re-evaluates a string with eval, which the console's CSP forbids.
    await page.waitForFunction(
      (n) => (globalThis as unknown as InPage).document.querySelectorAll("#queue .row").length === n,
      count,
      {
        timeout: 60_000,
        polling: "raf",
      },
    );
    const firstRenderWallMs = performance.now() - started;
    const full = (await log()).find((r) => r.rows === count && r.built === count);

    await button.start({ timeoutMs: 5000 });
    let before = await renders();
    started = performance.now();
    const ack = await button.press("sos");
    await page.waitForSelector(`#queue .row[data-id="${ack.alarmId}"]`, { timeout: 10_000 });
    const pushWallMs = performance.now() - started;
    // The first frame about the new alarm: the render that added its row.
    const pushRender = (await log()).slice(-((await renders()) - before)).find((r) => r.rows === count + 1);

    // Let the press's burst of pushes settle, then acknowledge the top alarm.
    await hub.waitForPipeline(ack.alarmId);
    await page.waitForTimeout(500);
    const top = (await page.evaluate(
      `document.querySelector('#queue .row[data-unacked="true"]').dataset.id`,
    )) as string;
    before = await renders();
    started = performance.now();
    await page.keyboard.press("a");
    await page.waitForSelector(`#queue .row[data-id="${top}"][data-unacked="false"]`, { timeout: 10_000 });
    const ackWallMs = performance.now() - started;
    const ackRender = (await log()).slice(-((await renders()) - before))[0];

    return {
      rows: count,
      firstRenderWallMs: round(firstRenderWallMs),
      firstRenderMs: round(full?.ms ?? Number.NaN),
      pushWallMs: round(pushWallMs),
      pushRenderMs: round(pushRender?.ms ?? Number.NaN),
      pushRowsRebuilt: pushRender?.built ?? Number.NaN,
      ackWallMs: round(ackWallMs),
      ackRenderMs: round(ackRender?.ms ?? Number.NaN),
      ackRowsRebuilt: ackRender?.built ?? Number.NaN,
    };
  } finally {
    await button.stop();
    await browser.close();
    await hub.stop();
  }
}

export function printConsoleQueueFigures(f: ConsoleQueueFigures): void {
  console.log(`\nconsole queue with ${f.rows} open alarms (Chromium, 1366×768):`);
  console.log(`  login click → all rows on screen   ${f.firstRenderWallMs} ms   (its render: ${f.firstRenderMs} ms)`);
  console.log(
    `  press → new row on screen          ${f.pushWallMs} ms   (render: ${f.pushRenderMs} ms, ${f.pushRowsRebuilt} row(s) built)`,
  );
  console.log(
    `  \`a\` → row shows acknowledged       ${f.ackWallMs} ms   (render: ${f.ackRenderMs} ms, ${f.ackRowsRebuilt} row(s) built)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printConsoleQueueFigures(await measureConsoleQueue());
}

/** The little of the page's globals the predicate above reads (the bench's tsconfig has no DOM types). */
interface InPage {
  document: { querySelectorAll(selector: string): { length: number } };
}
