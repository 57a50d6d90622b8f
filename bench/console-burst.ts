/**
 * A burst reaching the console: `count` open alarms appear at once (a heat wave,
 * an earthquake) while an operator's console is open, in Debian's Chromium
 * against a real hub. Measures the time from the burst to every row on screen,
 * how many WebSocket frames and queue renders it took, and how long the page's
 * main thread was blocked (long tasks: the operator cannot scroll or press `a`).
 *
 * The alarms are written straight into SQLite (tests/support/queue-fixtures.ts,
 * as in console-queue.ts), then announced on the hub's bus in one tick, as the
 * burst's `publish_dashboards` stages would: this measures the push and the
 * console, not intake or dispatch (press-latency.ts and the load bench do).
 */
import { performance } from "node:perf_hooks";
import { launchChromium } from "../tests/support/console-page.ts";
import { insertOpenAlarms } from "../tests/support/queue-fixtures.ts";
import { startTestHub } from "../tests/support/test-hub.ts";

export interface ConsoleBurstFigures {
  alarms: number;
  burstToAllRowsMs: number;
  frames: number;
  renders: number;
  renderTotalMs: number;
  longTasks: number;
  longTaskTotalMs: number;
  longestTaskMs: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The little of the page's globals the predicate reads (the bench's tsconfig has no DOM types). */
interface InPage {
  document: {
    querySelectorAll(selector: string): { length: number };
    querySelector(selector: string): { hidden: boolean } | null;
  };
  anxinQueue: { renders: number };
}

export async function measureConsoleBurst(count = 5000): Promise<ConsoleBurstFigures> {
  const hub = await startTestHub({
    twilio: false,
    env: { ANXIN_ACK_DEADLINE_S: "86400", ANXIN_ARRIVAL_DEADLINE_S: "86400", ANXIN_LOG_LEVEL: "warn" },
  });
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    let frames = 0;
    page.on("websocket", (socket) => socket.on("framereceived", () => (frames += 1)));
    await page.goto(hub.httpUrl);
    await page.fill("#login-username", "admin");
    await page.fill("#login-password", hub.adminPassword);
    await page.click("#login-submit");
    await page.waitForSelector('body[data-view="console"]');
    // The empty queue has loaded (its first render), and the socket is open.
    await page.waitForFunction(() => {
      const page = globalThis as unknown as InPage;
      return page.anxinQueue.renders > 0 && page.document.querySelector("#banner-rt")?.hidden === true;
    });
    await page.evaluate(`(() => {
      window.benchLongTasks = { count: 0, total: 0, max: 0 };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          window.benchLongTasks.count += 1;
          window.benchLongTasks.total += e.duration;
          window.benchLongTasks.max = Math.max(window.benchLongTasks.max, e.duration);
        }
      }).observe({ type: "longtask" });
    })()`);
    const before = (await page.evaluate("({ renders: window.anxinQueue.renders, ms: window.anxinQueue.totalMs })")) as {
      renders: number;
      ms: number;
    };
    frames = 0;

    const alarms = insertOpenAlarms(hub.hub.db, count);
    const started = performance.now();
    for (const alarm of alarms) hub.hub.bus.emit("alarm.changed", { alarmId: alarm.id, change: "created" });
    await page.waitForFunction(
      (n) => (globalThis as unknown as InPage).document.querySelectorAll("#queue .row").length === n,
      count,
      { timeout: 600_000, polling: "raf" },
    );
    const burstToAllRowsMs = performance.now() - started;
    // Long tasks are reported after they end: give the observer a moment.
    await page.waitForTimeout(200);
    const after = (await page.evaluate(
      "({ renders: window.anxinQueue.renders, ms: window.anxinQueue.totalMs, long: window.benchLongTasks })",
    )) as { renders: number; ms: number; long: { count: number; total: number; max: number } };
    return {
      alarms: count,
      burstToAllRowsMs: round(burstToAllRowsMs),
      frames,
      renders: after.renders - before.renders,
      renderTotalMs: round(after.ms - before.ms),
      longTasks: after.long.count,
      longTaskTotalMs: round(after.long.total),
      longestTaskMs: round(after.long.max),
    };
  } finally {
    await browser.close();
    await hub.stop();
  }
}

export function printConsoleBurstFigures(f: ConsoleBurstFigures): void {
  console.log(`\nconsole with a burst of ${f.alarms} new alarms (Chromium, 1366×768):`);
  console.log(`  burst → all rows on screen         ${f.burstToAllRowsMs} ms`);
  console.log(`  WebSocket frames                   ${f.frames}   queue renders ${f.renders} (${f.renderTotalMs} ms)`);
  console.log(
    `  main thread blocked                ${f.longTaskTotalMs} ms in ${f.longTasks} long tasks, longest ${f.longestTaskMs} ms`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printConsoleBurstFigures(await measureConsoleBurst(Number(process.argv[2] ?? 5000)));
}
