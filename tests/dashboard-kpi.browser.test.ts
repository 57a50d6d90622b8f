/**
 * The KPI page in real Chromium against a real hub seeded with alarms of known
 * timestamps: the tiles show the hub's figures (fetched from the API here and
 * formatted independently), the 60-second tile is red below the 97.5 % target,
 * the chart has one bar per day, the grid table one row per grid, both
 * languages read right, and "Download CSV" really downloads the CSV.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, waitForExpression } from "./support/console-page.ts";
import { KPI_FROM, KPI_TO, type KpiSeed, seedKpiData } from "./support/kpi-fixtures.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "test-results");
const SHOW_MS = 8_000;
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

interface Totals {
  alarms: number;
  ackWithin60s: number;
  falseAlarmRate: number;
  closureRate: number;
  stages: { ack: { median: number } };
}
interface Report {
  totals: Totals;
  days: { date: string; alarms: number }[];
  grids: { gridId: number | null; alarms: number }[];
}

let hub: TestHub;
let browser: Browser;
let seed: KpiSeed;
let expected: Report;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  hub = await startTestHub({ twilio: false });
  seed = seedKpiData(hub);
  const admin = await hub.login();
  const response = await fetch(`${hub.httpUrl}/api/kpi?from=${KPI_FROM}&to=${KPI_TO}`, { headers: { cookie: admin } });
  expected = (await response.json()) as Report;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const tileValue = (page: Page, key: string) => page.textContent(`.kpi-tile[data-tile="${key}"] .kpi-value`);

const barLabels = (page: Page) => page.$$eval("#kpi-chart g.bar", (gs) => gs.map((g) => g.getAttribute("data-label")));

async function tileLabels(page: Page): Promise<string[]> {
  return page.$$eval(".kpi-tile .kpi-label, .kpi-table thead th, #kpi-view h2, #kpi-view h3", (els) =>
    els.map((e) => e.textContent ?? ""),
  );
}

describe("KPI page (browser)", () => {
  it("shows the hub's figures for the chosen range, in Chinese and English, and downloads the CSV", async () => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: "zh-CN",
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.goto(hub.httpUrl);
    await page.fill("#login-username", "admin");
    await page.fill("#login-password", hub.adminPassword);
    await page.click("#login-submit");
    await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });

    await page.click("#nav-kpi");
    await page.waitForSelector('body[data-page="kpi"] #kpi-view[data-state="ready"]', { timeout: SHOW_MS });
    expect(await page.textContent("#nav-kpi")).toBe("指标");
    // Default range: the last 7 days, ending today.
    const from = await page.inputValue("#kpi-from");
    const to = await page.inputValue("#kpi-to");
    expect((Date.parse(to) - Date.parse(from)) / 86_400_000).toBe(6);

    await page.fill("#kpi-from", KPI_FROM);
    await page.fill("#kpi-to", KPI_TO);
    await page.click('#kpi-form button[type="submit"]');
    await page.waitForSelector(`.kpi-tile[data-tile="alarms"][data-value="${expected.totals.alarms}"]`, {
      timeout: SHOW_MS,
    });

    const t = expected.totals;
    expect(t.alarms).toBe(8);
    expect(await tileValue(page, "alarms")).toBe("8");
    expect(await tileValue(page, "ack60")).toBe(pct(t.ackWithin60s));
    expect(await tileValue(page, "falseAlarm")).toBe(pct(t.falseAlarmRate));
    expect(await tileValue(page, "closure")).toBe(pct(t.closureRate));
    expect(await tileValue(page, "ackMedian")).toBe(`${t.stages.ack.median.toFixed(1)} 秒`);
    // 71.4 % is below the 97.5 % benchmark: the tile must say so in red.
    expect(await page.getAttribute('.kpi-tile[data-tile="ack60"]', "class")).toContain("kpi-bad");
    expect(await page.textContent('.kpi-tile[data-tile="ack60"] .kpi-target')).toBe("目标 97.5 %");

    const bars = await page.$$eval("#kpi-chart g.bar", (gs) => gs.map((g) => g.getAttribute("data-total")));
    expect(bars).toEqual(expected.days.map((d) => String(d.alarms)));
    // The days under the bars, the Chinese way.
    expect(await barLabels(page)).toEqual(["3月1日", "3月2日", "3月3日"]);
    expect(await page.locator("#kpi-grids tbody tr").count()).toBe(expected.grids.length);
    const g1 = seed.grids.g1;
    expect(await page.textContent(`#kpi-grids tr[data-grid-id="${g1.id}"] td[data-col="alarms"]`)).toBe(
      String(expected.grids.find((g) => g.gridId === g1.id)?.alarms),
    );
    expect(await page.textContent(`#kpi-grids tr[data-grid-id="${g1.id}"] th`)).toBe(`${g1.code} · ${g1.name}`);
    for (const label of await tileLabels(page)) expect(label).toMatch(CJK);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-kpi.png"), fullPage: true });

    // English: same figures, English words, nothing Chinese left in the labels.
    await page.click("#console-view .lang-switch");
    await waitForExpression(page, 'document.documentElement.lang === "en"');
    expect(await page.textContent("#nav-kpi")).toBe("KPIs");
    expect(await tileValue(page, "ackMedian")).toBe(`${t.stages.ack.median.toFixed(1)} s`);
    expect(await tileValue(page, "ack60")).toBe(pct(t.ackWithin60s));
    expect(await page.textContent('.kpi-tile[data-tile="ack60"] .kpi-label')).toBe("Acknowledged within 60 s");
    expect(await barLabels(page)).toEqual(["Mar 1", "Mar 2", "Mar 3"]);
    for (const label of await tileLabels(page)) expect(label).not.toMatch(CJK);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-kpi-en.png"), fullPage: true });

    // The link downloads the CSV for the range on screen.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#kpi-csv")]);
    expect(download.suggestedFilename()).toBe(`anxin-kpi-${KPI_FROM}-${KPI_TO}.csv`);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^scope,date,grid_id,grid_code,grid_name,alarms,/);
    expect(lines.find((l) => l.startsWith("total,"))).toContain(`,${t.alarms},`);
    expect(bytes.toString("utf8")).toContain(g1.name);

    // An impossible range is explained, not sent.
    await page.fill("#kpi-from", "2026-03-05");
    await page.fill("#kpi-to", "2026-03-01");
    await page.click('#kpi-form button[type="submit"]');
    await page.waitForSelector("#kpi-error:not([hidden])", { timeout: SHOW_MS });
    expect(await page.textContent("#kpi-error")).toBe("Invalid range: the start date is after the end date.");

    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
