/**
 * The operator console in Debian's Chromium for browser tests: launch, log in
 * through the form (the click is the gesture that lets the tone play), read the
 * tone's state, and collect visible interface text for language checks.
 * Page-side code is passed as strings: tsconfig has no DOM lib.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import type { TestHub } from "./test-hub.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..", "test-results");
export const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
/** What a missing translation looks like on screen: the key itself. */
export const I18N_KEY = /^[a-z]+(\.[A-Za-z_]+)+$/;

/**
 * Debian's Chromium for a browser test. Every page it opens is watched for
 * Content-Security-Policy violations (Chromium reports each as a console error):
 * closing the browser throws if there was any, so every browser test also
 * checks that the pages it used run under the hub's policy (hub/http/security.ts).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  mkdirSync(RESULTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  const violations: string[] = [];
  const watch = (context: BrowserContext) => {
    context.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
        violations.push(`${message.location().url}: ${message.text()}`);
      }
    });
    return context;
  };
  const newContext = browser.newContext.bind(browser);
  // A command center's browsers run in the center's zone, the hub's default (Asia/Shanghai), so tests read the times
  // they expect on it. The console follows the hub's zone in any case (tests/console-center-zone.browser.test.ts).
  browser.newContext = async (contextOptions) =>
    watch(await newContext({ timezoneId: "Asia/Shanghai", ...contextOptions }));
  browser.newPage = async (pageOptions) => {
    const context = await browser.newContext(pageOptions);
    return context.newPage();
  };
  const close = browser.close.bind(browser);
  browser.close = async (closeOptions) => {
    await close(closeOptions);
    if (violations.length > 0) throw new Error(`Content-Security-Policy violations:\n${violations.join("\n")}`);
  };
  return browser;
}

/** A fresh profile logged in as admin through the form; page errors land in `errors`. */
export async function openConsole(
  browser: Browser,
  hub: TestHub,
  errors: string[],
  as: { username: string; password: string } = { username: "admin", password: hub.adminPassword },
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  const page = await context.newPage();
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", as.username);
  await page.fill("#login-password", as.password);
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="console"]', { timeout: 5000 });
  return page;
}

/**
 * Opens the top bar's account menu (change password, desktop alerts, sign out: dashboard/user-menu.js),
 * so its items can be clicked or checked for visibility.
 */
export async function openUserMenu(page: Page): Promise<void> {
  if (await page.evaluate(`document.getElementById("user-menu").open`)) return;
  await page.click("#user-menu > summary");
  await page.waitForSelector("#user-menu[open] #btn-logout", { state: "visible", timeout: 5000 });
}

export interface ToneState {
  /** playing | idle | blocked */
  sound: string;
  /** none | service | normal | escalated */
  level: string;
  muted: string;
  /** The live GainNode's value; 0 when nothing loops. */
  gain: number;
  periodS: number;
  reAlerts: number;
  bursts: number;
  audio: string;
}

export async function toneState(page: Page): Promise<ToneState> {
  return (await page.evaluate(`({
    sound: document.body.dataset.sound,
    level: document.body.dataset.soundLevel,
    muted: document.body.dataset.soundMuted,
    gain: window.anxinSound.gain,
    periodS: window.anxinSound.periodS,
    reAlerts: window.anxinSound.reAlerts,
    bursts: window.anxinSound.bursts,
    audio: window.anxinAudio?.state,
  })`)) as ToneState;
}

/** Waits until the tone is in this state (sound and level), however long the push takes. */
export async function waitForTone(page: Page, sound: string, level: string, timeout = 10_000): Promise<void> {
  await waitForExpression(
    page,
    `document.body.dataset.sound === ${JSON.stringify(sound)} && document.body.dataset.soundLevel === ${JSON.stringify(level)}`,
    undefined,
    { timeout },
  );
}

/**
 * Visible interface text under `selector`, leaving out registry data (marked
 * data-content: ids, names, addresses) and anything that declares its own language.
 */
export async function interfaceText(page: Page, selector: string): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const texts = [];
    for (const root of document.querySelectorAll(${JSON.stringify(selector)})) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || !node.textContent.trim() || el.closest("[data-content]")) continue;
        const declared = el.closest("[lang]");
        if (declared && declared !== document.documentElement) continue;
        if (el.checkVisibility()) texts.push(node.textContent.trim());
      }
    }
    return texts;
  })()`)) as string[];
}

/**
 * Waits until `expression` is true in the page. A string predicate given to
 * Playwright's `waitForFunction` is re-evaluated inside the page with `eval`,
 * which the hub's Content-Security-Policy forbids (no 'unsafe-eval'); this polls
 * from here with `page.evaluate`, which the DevTools protocol runs outside the
 * page's policy, so the tests run the console under the real policy.
 */
export async function waitForExpression(
  page: Page,
  expression: string,
  _arg?: undefined,
  options: { timeout?: number } = {},
): Promise<void> {
  const timeout = options.timeout ?? 30_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(expression)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
