/**
 * Every timeline event, every device event and every coded reason in the
 * operator's words, in zh-CN and English (issue 15). The examples
 * (support/event-fixtures.ts) cover each type, each variant of its detail and
 * each reason code; they are written into a real hub's SQLite and read by the
 * real console in Chromium. The walk fails on anything of ours left raw: a code
 * (snake_case), a dictionary key, an unfilled `{placeholder}`, Latin words in
 * the zh-CN console or Chinese in the English one. Names, typed words and
 * provider errors are content (data-content / lang="en") and are left out.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { ALARM_EVENT_TYPES, DEVICE_EVENT_TYPES, REASON_CODES } from "../protocol/console/index.ts";
import { CJK, interfaceText, launchChromium, openConsole, RESULTS } from "./support/console-page.ts";
import { ALARM_EVENT_EXAMPLES, DEVICE_EVENT_EXAMPLES, REASON_EXAMPLES } from "./support/event-fixtures.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 10_000;
/** The device health page shows a device's 10 latest events: the examples are spread over devices. */
const EVENTS_PER_DEVICE = 10;
const AT = "2026-12-04T08:00:00.000Z";

let hub: TestHub;
let browser: Browser;
let button: SimulatedButton | null = null;
let alarmId = 0;
const deviceIds: string[] = [];
const pageErrors: string[] = [];

/** Interface text of ours that is not in `lang`'s words: each offending piece of text. */
function untranslated(texts: readonly string[], lang: "zh-CN" | "en"): string[] {
  return texts.filter(
    (s) =>
      /\{\w+\}/.test(s) ||
      /\b[a-z]+_[a-z_]+\b/.test(s) ||
      /\b[a-z]+\.[a-zA-Z_.]+[a-zA-Z]\b/.test(s) ||
      (lang === "zh-CN" ? /[A-Za-z]{2,}/.test(s.replace(/\bSOS\b/g, "")) : CJK.test(s)),
  );
}

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
  const device = hub.demoDevices[0];
  if (!device) throw new Error("no demo device");
  button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
  await button.start({ timeoutMs: 5000 });
  const ack = await button.press("sos");
  if (ack.alarmId === null) throw new Error("the hub stored no alarm");
  alarmId = ack.alarmId;
  await hub.waitForPipeline(alarmId);
  const db = hub.hub.db;
  const addAlarmEvent = db.prepare(
    "INSERT INTO alarm_events (alarm_id, at, type, actor, detail) VALUES (?, ?, ?, 'system', ?)",
  );
  for (const type of ALARM_EVENT_TYPES) {
    for (const detail of ALARM_EVENT_EXAMPLES[type]) {
      addAlarmEvent.run(alarmId, AT, type, detail === null ? null : JSON.stringify(detail));
    }
  }
  const deviceEvents = DEVICE_EVENT_TYPES.flatMap((type) =>
    DEVICE_EVENT_EXAMPLES[type].map((detail) => ({ type, detail })),
  );
  const addDeviceEvent = db.prepare(
    "INSERT INTO device_events (device_id, at, type, actor, detail) VALUES (?, ?, ?, 'system', ?)",
  );
  for (let i = 0; i < deviceEvents.length; i += EVENTS_PER_DEVICE) {
    const target = hub.demoDevices[1 + i / EVENTS_PER_DEVICE];
    if (!target) throw new Error("not enough demo devices for the device events");
    deviceIds.push(target.deviceId);
    for (const { type, detail } of deviceEvents.slice(i, i + EVENTS_PER_DEVICE)) {
      addDeviceEvent.run(target.deviceId, AT, type, JSON.stringify(detail));
    }
  }
}, 60_000);

afterAll(async () => {
  await button?.stop();
  await browser?.close();
  await hub?.stop();
});

/** The timeline, page by page, in a tall window (test-results/console-event-words-<lang>-<n>.png). */
async function screenshotTimeline(page: Page, suffix: string): Promise<void> {
  await page.setViewportSize({ width: 1366, height: 2000 });
  const pane = page.locator("#detail-body");
  const [start, end, height] = (await page.evaluate(`(() => {
    const body = document.getElementById("detail-body");
    const list = body.querySelector(".timeline");
    const top = list.getBoundingClientRect().top - body.getBoundingClientRect().top + body.scrollTop;
    return [top, top + list.scrollHeight, body.clientHeight];
  })()`)) as [number, number, number];
  for (let at = start, n = 1; at < end; at += height - 40, n++) {
    await page.evaluate(`document.getElementById("detail-body").scrollTop = ${at}`);
    await pane.screenshot({ path: path.join(RESULTS, `console-event-words-${suffix}-${n}.png`) });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

describe.each([
  ["zh-CN", "zh"],
  ["en", "en"],
] as const)("the console's words for events and reasons (%s)", (lang, suffix) => {
  let page: Page;

  beforeAll(async () => {
    page = await openConsole(browser, hub, pageErrors);
    if (lang === "en") await page.click(".topbar .lang-switch");
    await page.waitForSelector(`html[lang="${lang}"]`, { state: "attached", timeout: SHOW_MS });
  }, 60_000);

  afterAll(async () => {
    await page?.context().close();
  });

  it("words every alarm event type, each variant of its detail", async () => {
    await page.click(`#queue .row[data-id="${alarmId}"]`);
    await page.waitForSelector("#detail:not([hidden]) #detail-body .timeline li.ev-callback_marked", {
      timeout: SHOW_MS,
    });
    for (const type of ALARM_EVENT_TYPES) {
      const shown = await page.$$eval(`#detail-body .timeline li.ev-${type}`, (items) =>
        items.map((li) => ({
          name: li.querySelector(".ev-type")?.textContent ?? "",
          detail: li.querySelector(".ev-detail")?.textContent ?? "",
        })),
      );
      // At least the examples (the hub's own processing may have written some of the same types).
      expect({ type, count: shown.length >= ALARM_EVENT_EXAMPLES[type].length }).toEqual({ type, count: true });
      for (const entry of shown) {
        expect({ type, named: entry.name.length > 0 }).toEqual({ type, named: true });
        if (type !== "acknowledged")
          expect({ type, detail: entry.detail.trim().length > 0 }).toEqual({ type, detail: true });
      }
    }
    expect(untranslated(await interfaceText(page, "#detail-body .timeline"), lang)).toEqual([]);
    // A code without words is shown as it came, marked: none of the hub's own codes may be.
    expect(await page.$$eval("#detail-body .timeline .hub-code", (codes) => codes.map((c) => c.textContent))).toEqual(
      [],
    );
    await screenshotTimeline(page, suffix);
  });

  it("has every word in both languages", async () => {
    const keys = (await page.evaluate(
      `import("/i18n.js").then(({ dictionaries }) =>
        Object.fromEntries(Object.entries(dictionaries).map(([lang, d]) => [lang, Object.keys(d).sort()])))`,
    )) as Record<string, string[]>;
    expect(keys.en?.length).toBeGreaterThan(100);
    expect(keys.en).toEqual(keys["zh-CN"]);
  });

  it("words every reason code, each example of its params", async () => {
    const walk = await page.evaluate(`(async () => {
      const { reasonWords, WORDED_CODES } = await import("/reasons.js");
      const examples = ${JSON.stringify(REASON_EXAMPLES)};
      const box = document.createElement("div");
      box.id = "reason-walk";
      for (const [code, list] of Object.entries(examples)) {
        for (const params of list) {
          const p = document.createElement("p");
          p.dataset.code = code;
          p.append(...reasonWords({ code, params }).filter((leaf) => leaf !== null && leaf !== undefined && leaf !== false));
          box.append(p);
        }
      }
      document.body.append(box);
      return {
        worded: [...WORDED_CODES],
        empty: [...box.children].filter((p) => !p.textContent.trim()).map((p) => p.dataset.code),
      };
    })()`);
    const { worded, empty } = walk as { worded: string[]; empty: string[] };
    expect([...worded].sort()).toEqual([...REASON_CODES].sort());
    expect(empty).toEqual([]);
    expect(await page.$$eval("#reason-walk .hub-code", (codes) => codes.map((c) => c.textContent))).toEqual([]);
    expect(untranslated(await interfaceText(page, "#reason-walk"), lang)).toEqual([]);
    // An older hub's sentence is shown as it came, said to be English.
    expect(await page.getAttribute('#reason-walk p[data-code="text"] span', "lang")).toBe("en");
    await page.evaluate(`document.getElementById("reason-walk").remove()`);
  });

  it("words every device event type, each variant of its detail", async () => {
    const seen = new Set<string>();
    for (const deviceId of deviceIds) {
      await page.goto(`${hub.httpUrl}/#/devices/${deviceId}`);
      await page.waitForSelector(`#dev-health[data-device-id="${deviceId}"][data-state="ready"] .dev-events li`, {
        timeout: SHOW_MS,
      });
      for (const type of await page.$$eval(".dev-events li", (items) => items.map((li) => li.dataset.type ?? ""))) {
        seen.add(type);
      }
      const details = await page.$$eval(".dev-events li", (items) =>
        items.map((li) => li.querySelector(".ev-detail")?.textContent?.trim() ?? ""),
      );
      expect(details.filter((text) => text === "")).toEqual([]);
      expect(untranslated(await interfaceText(page, ".dev-events"), lang)).toEqual([]);
      expect(await page.$$eval(".dev-events .hub-code", (codes) => codes.map((c) => c.textContent))).toEqual([]);
    }
    expect([...seen].sort()).toEqual([...DEVICE_EVENT_TYPES].sort());
    await page.screenshot({ path: path.join(RESULTS, `console-device-event-words-${suffix}.png`) });
    expect(pageErrors).toEqual([]);
  });
});
