/**
 * The console's typed dates (dashboard/day-field.js) in real Chromium on an English-language
 * browser, where `<input type="date">` would have shown 11/30/2026 in the Chinese console too.
 * Every date field (the history, audit and KPI filters; a resident's date of birth) is a text
 * field taking YYYY-MM-DD. In both languages: a typed day is what the page sends; a badly written
 * day, one not on the calendar (2026-02-30), or a range backwards is explained in the console's
 * language beside or above the field, and nothing is sent (the requests the page made are counted
 * up to the good attempt that follows, so a stray one would be seen); a filter's CSV link
 * downloads nothing then either.
 */
import path from "node:path";
import type { Browser, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, RESULTS } from "./support/console-page.ts";
import { HISTORY_FROM, HISTORY_TO, seedHistory } from "./support/history-fixtures.ts";
import { startTestHub, TEST_ADMIN_PASSWORD, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 8_000;
type Lang = "zh-CN" | "en";

let hub: TestHub;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  seedHistory(hub);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

/** An administrator's console in a browser whose own language is English. */
async function openConsole(): Promise<{ page: Page; sent: Request[] }> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: "en-US",
    timezoneId: "Asia/Shanghai",
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  const sent: Request[] = [];
  page.on("request", (request) => sent.push(request));
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", "admin");
  await page.fill("#login-password", TEST_ADMIN_PASSWORD);
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
  expect(await csvClicks(page)).toEqual([]);
  return { page, sent };
}

async function useLang(page: Page, lang: Lang): Promise<void> {
  if ((await page.getAttribute("html", "lang")) !== lang) await page.click("#console-view .lang-switch");
  await expect.poll(() => page.getAttribute("html", "lang"), { timeout: SHOW_MS }).toBe(lang);
}

/**
 * Whether each click on a CSV link since the last call had its default (the download) prevented:
 * a listener on the document hears the click after the link's own. Downloads are not page requests
 * Playwright reports, so this is how "nothing was downloaded" is seen.
 */
async function csvClicks(page: Page): Promise<boolean[]> {
  return (await page.evaluate(`(() => {
    if (!window.csvClicks) {
      window.csvClicks = [];
      document.addEventListener("click", (ev) => {
        if (ev.target instanceof Element && ev.target.closest('a[id$="-csv"]')) window.csvClicks.push(ev.defaultPrevented);
      });
    }
    return window.csvClicks.splice(0);
  })()`)) as boolean[];
}

/** What the page sent to `path` (exactly that path) from request number `since` on. */
function sentTo(sent: readonly Request[], since: number, path: string, method = "GET"): URL[] {
  return sent
    .slice(since)
    .filter((r) => r.method() === method && new URL(r.url()).pathname === path)
    .map((r) => new URL(r.url()));
}

interface FilterPage {
  name: string;
  nav: string;
  /** The ids' prefix: `<prefix>-from`, `<prefix>-to`, `<prefix>-form`, `<prefix>-error`, `<prefix>-csv`. */
  prefix: string;
  api: string;
  csv: string;
  /** The label of "from" in each language. */
  from: Record<Lang, string>;
}

const PAGES: FilterPage[] = [
  {
    name: "history",
    nav: "#nav-history",
    prefix: "hist",
    api: "/api/alarms/history",
    csv: "/api/alarms/history.csv",
    from: { "zh-CN": "开始日期", en: "From" },
  },
  {
    name: "audit",
    nav: "#nav-audit",
    prefix: "audit",
    api: "/api/audit",
    csv: "/api/audit.csv",
    from: { "zh-CN": "开始日期", en: "From" },
  },
  {
    name: "KPI",
    nav: "#nav-kpi",
    prefix: "kpi",
    api: "/api/kpi",
    csv: "/api/kpi.csv",
    from: { "zh-CN": "开始日期", en: "From" },
  },
];

/** The console's words for a refused day, as a reader sees them. */
const SAYS: Record<Lang, { impossible: string; format: string; order: string; field: (label: string) => string }> = {
  "zh-CN": {
    impossible: "日历上没有这一天，请核对月和日",
    format: "请按 YYYY-MM-DD（年-月-日）填写，例如 2026-03-01",
    order: "日期范围无效：开始日期晚于结束日期。",
    field: (label) => `${label}：`,
  },
  en: {
    impossible: "there is no such date (check the month and the day)",
    format: "type the date as YYYY-MM-DD, for example 2026-03-01",
    order: "Invalid range: the start date is after the end date.",
    field: (label) => `${label}: `,
  },
};
const inField = (lang: Lang, label: string, problem: string) =>
  `${SAYS[lang].field(label)}${problem}${lang === "en" ? "." : "。"}`;

describe("typed dates (browser)", () => {
  it("the history, audit and KPI filters take YYYY-MM-DD, and refuse a bad day or range before sending, in both languages", async () => {
    const { page, sent } = await openConsole();
    for (const lang of ["zh-CN", "en"] as const) {
      await useLang(page, lang);
      for (const p of PAGES) {
        const from = `#${p.prefix}-from`;
        const to = `#${p.prefix}-to`;
        const submit = `#${p.prefix}-form button[type="submit"]`;
        const error = `#${p.prefix}-error`;
        // Showing the page loads it once; counted from there, nothing else of ours asks for p.api.
        await Promise.all([
          page.waitForResponse((r) => new URL(r.url()).pathname === p.api, { timeout: SHOW_MS }),
          page.click(p.nav),
        ]);
        // A text field with the one format it takes, filled at login with the last 7 days in that format.
        expect(await page.getAttribute(from, "type"), p.name).toBe("text");
        expect(await page.getAttribute(from, "placeholder"), p.name).toBe("YYYY-MM-DD");
        expect(await page.getAttribute(from, "inputmode"), p.name).toBe("numeric");
        await expect.poll(() => page.inputValue(from), { timeout: SHOW_MS }).toMatch(/^\d{4}-\d{2}-\d{2}$/);

        // Refused before anything is sent: a day not on the calendar, one written another way, a range backwards.
        const before = sent.length;
        await page.fill(to, HISTORY_TO);
        const refusals: [string, string][] = [
          ["2025-02-30", inField(lang, p.from[lang], SAYS[lang].impossible)],
          ["2025-13-01", inField(lang, p.from[lang], SAYS[lang].impossible)],
          ["01/06/2025", inField(lang, p.from[lang], SAYS[lang].format)],
          ["2025-6-1", inField(lang, p.from[lang], SAYS[lang].format)],
          ["2025-06-04", SAYS[lang].order],
        ];
        for (const [typed, message] of refusals) {
          await page.fill(from, typed);
          await page.click(submit);
          await expect.poll(() => page.textContent(error), { timeout: SHOW_MS }).toBe(message);
          expect(await page.isVisible(error), `${p.name} ${typed}`).toBe(true);
          expect(await page.getAttribute(from, "aria-invalid"), `${p.name} ${typed}`).toBe("true");
          if (typed === "2025-02-30") {
            await page.screenshot({ path: path.join(RESULTS, `console-day-field-${p.prefix}-${lang}.png`) });
          }
        }
        // Its CSV link downloads nothing either (the click's default, the download, is prevented), and says the same.
        await page.fill(from, "2025-02-30");
        await page.click(`#${p.prefix}-csv`);
        await expect
          .poll(() => page.textContent(error), { timeout: SHOW_MS })
          .toBe(inField(lang, p.from[lang], SAYS[lang].impossible));
        expect(await csvClicks(page), p.name).toEqual([true]);

        // The day as typed (full-width digits from a Chinese input method read as the plain ones) is what is sent.
        await page.fill(from, lang === "zh-CN" ? "２０２５－０６－０１" : HISTORY_FROM);
        const [answer] = await Promise.all([
          page.waitForResponse((r) => new URL(r.url()).pathname === p.api, { timeout: SHOW_MS }),
          page.click(submit),
        ]);
        expect(answer.status(), p.name).toBe(200);
        expect(await page.inputValue(from), p.name).toBe(HISTORY_FROM);
        expect(await page.getAttribute(from, "aria-invalid"), p.name).toBeNull();
        expect(await page.isVisible(error), p.name).toBe(false);
        const asked = sentTo(sent, before, p.api);
        expect(
          asked.map((u) => [u.searchParams.get("from"), u.searchParams.get("to")]),
          `${p.name}: only the good attempt was sent`,
        ).toEqual([[HISTORY_FROM, HISTORY_TO]]);

        // With a good range the link downloads, for exactly that range.
        const [download] = await Promise.all([
          page.waitForEvent("download", { timeout: SHOW_MS }),
          page.click(`#${p.prefix}-csv`),
        ]);
        const csv = new URL(download.url());
        expect([csv.pathname, csv.searchParams.get("from"), csv.searchParams.get("to")]).toEqual([
          p.csv,
          HISTORY_FROM,
          HISTORY_TO,
        ]);
        expect(await csvClicks(page), p.name).toEqual([false]);
      }
    }
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it("a resident's date of birth takes YYYY-MM-DD, and a bad one is explained beside the field and not sent, in both languages", async () => {
    const { page, sent } = await openConsole();
    const household = hub.hub.db.prepare("SELECT id FROM households ORDER BY id LIMIT 1").get() as { id: number };
    const residentsPath = `/api/registry/households/${household.id}/residents`;
    const form = "#new-resident";
    const birthDate = `${form} [data-field="birthDate"] input`;
    const fieldError = `${form} [data-field="birthDate"] .field-error`;
    await page.goto(`${hub.httpUrl}/#/registry/households/${household.id}`);
    await page.waitForSelector('#reg-detail[data-mode="edit"] #add-resident', { timeout: SHOW_MS });

    const before = sent.length;
    for (const lang of ["zh-CN", "en"] as const) {
      // A change of language draws the household again: the new resident's form is opened anew.
      await useLang(page, lang);
      await page.click("#add-resident", { timeout: SHOW_MS });
      await page.waitForSelector(birthDate, { timeout: SHOW_MS });
      expect(await page.getAttribute(birthDate, "type")).toBe("text");
      expect(await page.getAttribute(birthDate, "placeholder")).toBe("YYYY-MM-DD");
      expect(await page.getAttribute(birthDate, "inputmode")).toBe("numeric");
      await page.fill(`${form} input[name="name"]`, "日期测试");
      for (const [typed, message] of [
        ["1941-02-29", SAYS[lang].impossible],
        ["1941-04-31", SAYS[lang].impossible],
        ["5.3.1941", SAYS[lang].format],
      ] as const) {
        await page.fill(birthDate, typed);
        await page.click(`${form} button[type="submit"]`);
        await expect.poll(() => page.textContent(fieldError), { timeout: SHOW_MS }).toBe(message);
        expect(await page.getAttribute(fieldError, "data-source"), typed).toBe("client");
        expect(await page.isVisible(fieldError), typed).toBe(true);
      }
      await page.locator(form).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(RESULTS, `console-day-field-birth-${lang}.png`) });
    }

    // 1940 was a leap year: its 29 February is a day, and is what the hub stores.
    await page.fill(birthDate, "1940-02-29");
    const [created] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === residentsPath && r.request().method() === "POST", {
        timeout: SHOW_MS,
      }),
      page.click(`${form} button[type="submit"]`),
    ]);
    expect(created.status()).toBe(201);
    const posted = sent
      .slice(before)
      .filter((r) => r.method() === "POST" && new URL(r.url()).pathname === residentsPath);
    expect(posted.map((r) => (r.postDataJSON() as { birthDate: string }).birthDate)).toEqual(["1940-02-29"]);
    const stored = hub.hub.db.prepare("SELECT birth_date FROM residents WHERE name = ?").get("日期测试") as {
      birth_date: string;
    };
    expect(stored.birth_date).toBe("1940-02-29");
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
