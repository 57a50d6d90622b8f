/**
 * The alarm history and audit log pages in real Chromium against a real hub
 * seeded with alarms of known values: the kind, outcome and text filters show
 * exactly the right rows, times are on the command center's (Shanghai) clock, a row opens
 * the alarm's detail, the CSV link downloads what the filters say, the audit
 * page shows an administrator the export just made and is hidden from (and
 * refuses) an operator, its details read as labelled values (never JSON), and
 * both languages read right, dates each language's way, with nothing
 * untranslated.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CJK, I18N_KEY, interfaceText, launchChromium, RESULTS, waitForExpression } from "./support/console-page.ts";
import { HISTORY_FROM, HISTORY_TO, type HistorySeed, RESIDENT_B, seedHistory } from "./support/history-fixtures.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, TEST_ADMIN_PASSWORD, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 8_000;
let hub: TestHub;
let browser: Browser;
let seed: HistorySeed;
const pageErrors: string[] = [];
/** Audit rows written as the hub writes them (hub/registry/registry-audit.ts, migration 9's trigger) or by hand. */
const audited: Record<"change" | "note" | "plain", number> = { change: 0, note: 0, plain: 0 };
const CHANGED_LANDLINE = "021-5555 0101";
const NOTE_TEXT = "审计备注：老人已安全";

function writeAuditRow(action: string, target: string | null, detail: string): number {
  return Number(
    hub.hub.db
      .prepare("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, 'user:admin', ?, ?, ?)")
      .run(new Date().toISOString(), action, target, detail).lastInsertRowid,
  );
}

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  seed = seedHistory(hub);
  await createUser(hub, "hist-op", "operator", "operator-pass-1");
  // A registry change as RegistryAudit writes it (health values never copied), with a field the console has no
  // word for yet; an operator's note copied from the alarm's timeline; a row from an old version holding plain text.
  audited.change = writeAuditRow(
    "registry_updated",
    "household:3",
    JSON.stringify({
      changes: { landline: { from: null, to: CHANGED_LANDLINE }, conditions: { changed: true } },
      via: "alarm:7",
      dueAt: "2025-06-02T16:30:00.000Z",
      futureField: "未来值",
    }),
  );
  audited.note = writeAuditRow("alarm_note_added", "alarm:7", JSON.stringify({ text: NOTE_TEXT }));
  audited.plain = writeAuditRow("login", null, "legacy plain text");
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

/** A fresh profile on the command center's clock, logged in through the form. */
async function login(username: string, password: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", username);
  await page.fill("#login-password", password);
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
  return page;
}

const rowIds = (page: Page) =>
  page.$$eval("#hist-table tbody tr[data-id]", (rows) => rows.map((r) => Number(r.getAttribute("data-id"))));
const ids = (...names: string[]) => names.map((n) => seed.ids[n]);

/** Submits the filters and waits for the answer with `total` rows. */
async function search(page: Page, total: number): Promise<void> {
  await page.click('#hist-form button[type="submit"]');
  await page.waitForSelector(`#history-view[data-state="ready"][data-total="${total}"]`, { timeout: SHOW_MS });
}

const auditRow = (id: number) => `#audit-table tr[data-id="${id}"]`;

/** The texts under `selector` marked as data (what people typed, the hub's own names), in order. */
function contentIn(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} [data-content]`, (els) => els.map((e) => e.textContent ?? ""));
}

/** Interface text (and option labels, placeholders) that is an i18n key or, in English, Chinese. */
async function untranslated(page: Page, selector: string, lang: "zh-CN" | "en"): Promise<string[]> {
  const texts = await interfaceText(page, selector);
  const extra = (await page.$$eval(`${selector} option:not([data-content]), ${selector} input[placeholder]`, (els) =>
    els.map((e) => (e.tagName === "INPUT" ? (e as unknown as { placeholder: string }).placeholder : e.textContent)),
  )) as string[];
  return [...texts, ...extra].filter((s) => I18N_KEY.test(s.trim()) || (lang === "en" && CJK.test(s)));
}

describe("history and audit pages (browser)", () => {
  it("filters alarms, opens one, downloads the CSV, and shows the audit log to an administrator", async () => {
    const page = await login("admin", TEST_ADMIN_PASSWORD);
    await page.click("#nav-history");
    await page.waitForSelector('body[data-page="history"] #history-view[data-state="ready"]', { timeout: SHOW_MS });
    expect(await page.textContent("#nav-history")).toBe("历史记录");
    // Default range: the last 7 days, ending today.
    const from = await page.inputValue("#hist-from");
    expect((Date.parse(await page.inputValue("#hist-to")) - Date.parse(from)) / 86_400_000).toBe(6);

    await page.fill("#hist-from", HISTORY_FROM);
    await page.fill("#hist-to", HISTORY_TO);
    await search(page, 5);
    expect(await rowIds(page)).toEqual(ids("H5", "H4", "H3", "H2", "H1"));
    // 01:00 UTC, shown on the Shanghai clock.
    const h1 = `#hist-table tr[data-id="${seed.ids.H1}"]`;
    // A date the Chinese way (year first, slashes), and the zone the page's times are in.
    expect(await page.textContent(`${h1} td[data-col="received"]`)).toBe("2025/06/01 09:00:00");
    expect(await page.textContent("#hist-zone")).toContain("Asia/Shanghai");
    expect(await page.textContent(`${h1} td[data-col="ack"]`)).toBe("30 秒");
    expect(await page.textContent(`${h1} td[data-col="resolution"]`)).toBe("30.0 分钟");
    expect(await page.textContent(`${h1} td[data-col="outcome"]`)).toBe("真实求助");
    expect(await page.textContent(`${h1} td[data-col="worker"]`)).toBe(seed.workerName);

    await page.selectOption("#hist-kind", "sos");
    await search(page, 3);
    expect(await rowIds(page)).toEqual(ids("H5", "H4", "H1"));
    await page.selectOption("#hist-outcome", "real");
    await search(page, 1);
    expect(await rowIds(page)).toEqual(ids("H1"));
    await page.selectOption("#hist-kind", "");
    await page.selectOption("#hist-outcome", "none");
    await search(page, 2);
    expect(await rowIds(page)).toEqual(ids("H5", "H4"));
    await page.selectOption("#hist-outcome", "");
    await page.fill("#hist-q", RESIDENT_B);
    await search(page, 2);
    expect(await rowIds(page)).toEqual(ids("H4", "H2"));
    await page.selectOption("#hist-grid", String(seed.places.p2.gridId));
    await page.selectOption("#hist-kind", "service");
    await search(page, 1);
    expect(await rowIds(page)).toEqual(ids("H2"));
    expect(await untranslated(page, "#history-view", "zh-CN")).toEqual([]);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-history.png") });

    // The CSV link carries the filters on screen: the file holds exactly the rows shown.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#hist-csv")]);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).trimEnd().split("\r\n");
    expect(lines[0]?.startsWith("警情编号,类型,状态,处理结果,接警时间")).toBe(true);
    expect(lines.slice(1).map((l) => Number(l.split(",")[0]))).toEqual(ids("H2"));
    expect(lines[1]).toContain(RESIDENT_B);

    // A row opens the alarm in the detail panel of the Alarms page.
    await page.click(`#hist-table tr[data-id="${seed.ids.H2}"] td[data-col="resident"]`);
    await page.waitForSelector('body[data-page="alarms"] #detail:not([hidden])', { timeout: SHOW_MS });
    await waitForExpression(page, `document.querySelector("#detail-title")?.textContent.includes("#${seed.ids.H2}")`);

    // The audit log shows the export just made, newest first.
    expect(await page.isVisible("#nav-audit")).toBe(true);
    await page.click("#nav-audit");
    await page.waitForSelector('body[data-page="audit"] #audit-view[data-state="ready"]', { timeout: SHOW_MS });
    await page.fill("#audit-actor", "admin");
    await page.click('#audit-form button[type="submit"]');
    await page.waitForSelector('#audit-table tr[data-action="alarm_history_exported"]', { timeout: SHOW_MS });
    expect(await page.textContent('#audit-table tr[data-action="alarm_history_exported"] td:nth-child(3)')).toBe(
      "导出警情历史",
    );
    expect(await page.isVisible("#audit-denied")).toBe(false);
    expect(await page.textContent("#audit-zone")).toContain("Asia/Shanghai");
    expect(await page.textContent(`${auditRow(audited.change)} td:first-child`)).toMatch(
      /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/,
    );
    // Details read as labelled values: no JSON, what people typed marked as data, dates the Chinese way.
    const details = await page.$$eval("#audit-table td.audit-detail", (tds) => tds.map((td) => td.textContent ?? ""));
    expect(details.length).toBeGreaterThan(5);
    expect(details.filter((text) => /[{}"]/.test(text))).toEqual([]);
    const exported = '#audit-table tr[data-action="alarm_history_exported"] td.audit-detail';
    expect(await page.textContent(`${exported} [data-field="filters"]`)).toBe(
      `筛选条件：（开始日期：2025/06/01；结束日期：2025/06/03；网格：#${seed.places.p2.gridId}；类型：服务；搜索：${RESIDENT_B}）`,
    );
    expect(await page.textContent(`${exported} [data-field="rows"]`)).toBe("行数：1");
    expect(await contentIn(page, exported)).toEqual([RESIDENT_B]);
    const change = `${auditRow(audited.change)} td.audit-detail`;
    expect(await page.textContent(`${change} [data-field="changes"]`)).toBe(
      `修改内容：（固定电话：— → ${CHANGED_LANDLINE}；病史：已修改（内容不记入日志））`,
    );
    expect(await page.textContent(`${change} [data-field="via"]`)).toBe("途径：alarm:7");
    expect(await page.textContent(`${change} [data-field="dueAt"]`)).toBe("计划时间：2025/06/03 00:30:00");
    // A field the console has no word for is still shown, under the hub's own name.
    expect(await page.textContent(`${change} [data-field="futureField"]`)).toBe("futureField：未来值");
    expect(await contentIn(page, change)).toEqual([CHANGED_LANDLINE, "alarm:7", "futureField", "未来值"]);
    expect(await page.textContent(`${auditRow(audited.note)} td:nth-child(3)`)).toBe("警情：备注");
    expect(await page.textContent(`${auditRow(audited.note)} td.audit-detail`)).toBe(`内容：${NOTE_TEXT}`);
    expect(await contentIn(page, `${auditRow(audited.note)} td.audit-detail`)).toEqual([NOTE_TEXT]);
    expect(await contentIn(page, `${auditRow(audited.plain)} td.audit-detail`)).toEqual(["legacy plain text"]);
    expect(await untranslated(page, "#audit-view", "zh-CN")).toEqual([]);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-audit.png") });

    // English: both pages in English words, nothing Chinese outside registry data, no keys showing.
    await page.click("#console-view .lang-switch");
    await waitForExpression(page, 'document.documentElement.lang === "en"');
    expect(await page.textContent("#nav-audit")).toBe("Audit log");
    expect(await page.textContent('#audit-table tr[data-action="alarm_history_exported"] td:nth-child(3)')).toBe(
      "Alarm history exported",
    );
    const auditEnglish = await interfaceText(page, "#audit-view");
    expect(auditEnglish.length).toBeGreaterThan(15);
    expect(await untranslated(page, "#audit-view", "en")).toEqual([]);
    // The same details in English words, dates the English way (month first).
    expect(await page.textContent(`${exported} [data-field="filters"]`)).toBe(
      `Filters: (From: 06/01/2025; To: 06/03/2025; Grid: #${seed.places.p2.gridId}; Kind: Service; Search: ${RESIDENT_B})`,
    );
    expect(await page.textContent(`${change} [data-field="changes"]`)).toBe(
      `Changes: (Landline: — → ${CHANGED_LANDLINE}; Conditions: changed (value not logged))`,
    );
    expect(await page.textContent(`${change} [data-field="dueAt"]`)).toBe("Due: 06/03/2025, 00:30:00");
    expect(await page.textContent(`${auditRow(audited.note)} td:nth-child(3)`)).toBe("Alarm: Note");
    expect(await page.textContent(`${auditRow(audited.change)} td:first-child`)).toMatch(
      /^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2}$/,
    );
    expect(await page.textContent("#audit-zone")).toBe("Times and days in Asia/Shanghai");
    await page.screenshot({ path: path.join(RESULTS, "dashboard-audit-en.png") });
    await page.click("#nav-history");
    await page.waitForSelector('#history-view[data-state="ready"][data-total="1"]', { timeout: SHOW_MS });
    expect(await page.textContent(`#hist-table tr[data-id="${seed.ids.H2}"] td[data-col="kind"]`)).toBe("Service");
    expect(await page.textContent(`#hist-table tr[data-id="${seed.ids.H2}"] td[data-col="received"]`)).toBe(
      "06/01/2025, 10:00:00",
    );
    expect(await page.getAttribute("#hist-csv", "href")).toContain("lang=en");
    expect(await untranslated(page, "#history-view", "en")).toEqual([]);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-history-en.png") });

    // Both languages have the same keys.
    const keys = (await page.evaluate(`Promise.all([import("/i18n-history-en.js"), import("/i18n-history-zh.js")])
      .then(([en, zh]) => [Object.keys(en.historyEn).sort(), Object.keys(zh.historyZh).sort()])`)) as string[][];
    expect(keys[0]).toEqual(keys[1]);
    const auditKeys = (await page.evaluate(`Promise.all([import("/i18n-audit-en.js"), import("/i18n-audit-zh.js")])
      .then(([en, zh]) => [Object.keys(en.auditEn).sort(), Object.keys(zh.auditZh).sort()])`)) as string[][];
    expect(auditKeys[0]?.length).toBeGreaterThan(50);
    expect(auditKeys[0]).toEqual(auditKeys[1]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("hides the audit log from an operator and says it is not allowed", async () => {
    const page = await login("hist-op", "operator-pass-1");
    expect(await page.isVisible("#nav-history")).toBe(true);
    expect(await page.isVisible("#nav-audit")).toBe(false);
    await page.goto(`${hub.httpUrl}/#/audit`);
    await page.waitForSelector('#audit-view[data-state="denied"] #audit-denied:not([hidden])', { timeout: SHOW_MS });
    expect(await page.textContent("#audit-denied")).toContain("无权查看");
    expect(await page.isVisible("#audit-table")).toBe(false);
    // The operator still has the history.
    await page.click("#nav-history");
    await page.waitForSelector('#history-view[data-state="ready"]', { timeout: SHOW_MS });
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
