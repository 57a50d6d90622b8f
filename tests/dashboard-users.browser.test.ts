/**
 * The Users page and the password forms in real Chromium at 1366×768, in zh-CN
 * and English, against a real hub. An administrator creates an operator (the
 * hub's refusals shown beside their fields), hands over the one-time password;
 * the operator can then do nothing but choose their own, and is thrown out of an
 * open console the moment the administrator disables the account. A reset
 * brings the required change back; the worker page asks for it too.
 */
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client } from "./support/accounts-client.ts";
import {
  CJK,
  I18N_KEY,
  interfaceText,
  launchChromium,
  openUserMenu,
  RESULTS,
  waitForExpression,
} from "./support/console-page.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const SHOW_MS = 8_000;
const ONE_TIME = /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/;
const OWN = "operator's own sentence";
let hub: TestHub;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await hub?.stop();
});

async function newPage(lang: "zh-CN" | "en", viewport = { width: 1366, height: 768 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: lang });
  await context.addInitScript(`localStorage.setItem("anxin.lang", ${JSON.stringify(lang)})`);
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  return page;
}

/** Signs in through the form; waits for `view` (console, or password when the password must be changed). */
async function signIn(page: Page, username: string, password: string, view = "console"): Promise<void> {
  await page.goto(hub.httpUrl);
  await page.fill("#login-username", username);
  await page.fill("#login-password", password);
  await page.click("#login-submit");
  await page.waitForSelector(`body[data-view="${view}"]`, { timeout: SHOW_MS });
}

const detail = "#users-detail";
const field = (name: string) => `${detail} .field[data-field="${name}"]`;
const pwField = (prefix: string, name: string) => `#${prefix}-form .field[data-field="${name}"]`;

/** Interface text must be in the page's language, and no dictionary key may show instead of a translation. */
async function expectLanguage(page: Page, lang: "zh-CN" | "en", selector = "body"): Promise<void> {
  const texts = await interfaceText(page, selector);
  expect(texts.length).toBeGreaterThan(5);
  expect(texts.filter((text) => I18N_KEY.test(text))).toEqual([]);
  if (lang === "en") expect(texts.filter((text) => CJK.test(text))).toEqual([]);
  else expect(texts.some((text) => CJK.test(text))).toBe(true);
}

describe("Users page (browser)", () => {
  let operatorId = 0;
  let oneTime = "";

  it("lets an administrator create an operator, with the hub's refusals beside their fields (zh-CN)", async () => {
    const page = await newPage("zh-CN");
    await signIn(page, "admin", hub.adminPassword);
    expect(await page.isVisible("#nav-users")).toBe(true);
    await page.click("#nav-users");
    await page.waitForSelector('#users-table tbody tr[data-username="admin"]', { timeout: SHOW_MS });
    expect(await page.textContent('#users-table tbody tr[data-username="admin"]')).toContain("已启用");

    await page.click("#users-new");
    await page.waitForSelector(`${detail}[data-mode="create"]`, { timeout: SHOW_MS });
    // Nothing filled in: marked here, nothing sent.
    await page.click(`${detail} button[type="submit"]`);
    expect(await page.getAttribute(`${field("username")} .field-error`, "data-source")).toBe("client");
    // The worker field is offered only for the worker role.
    expect(await page.isHidden(field("workerId"))).toBe(true);
    await page.selectOption(`${field("role")} select`, "worker");
    expect(await page.isVisible(field("workerId"))).toBe(true);
    await page.selectOption(`${field("role")} select`, "operator");

    await page.fill(`${field("username")} input`, "ADMIN");
    await page.fill(`${field("displayName")} input`, "王伟");
    await page.fill(`${field("contact")} input`, "139-1234");
    await page.click(`${detail} button[type="submit"]`);
    await page.waitForSelector(`${field("contact")}.invalid`, { timeout: SHOW_MS });
    expect(await page.textContent(`${field("contact")} .field-error`)).toBe(
      "须为带 + 和国家代码的电话号码（+8613912345678）或 SIP 地址（sip:name@host）。",
    );
    await page.fill(`${field("contact")} input`, "sip:wang@pbx.example");
    await page.click(`${detail} button[type="submit"]`);
    await waitForExpression(
      page,
      `document.querySelector('${field("username")} .field-error')?.textContent === "此用户名已被使用。"`,
      undefined,
      { timeout: SHOW_MS },
    );
    await page.screenshot({ path: path.join(RESULTS, "dashboard-users-refusals-zh.png") });

    await page.fill(`${field("username")} input`, "op.wang");
    await page.click(`${detail} button[type="submit"]`);
    await page.waitForSelector("#one-time-panel", { timeout: SHOW_MS });
    oneTime = (await page.textContent("#one-time-password")) ?? "";
    expect(oneTime).toMatch(ONE_TIME);
    await page.screenshot({ path: path.join(RESULTS, "dashboard-users-one-time-zh.png") });
    await page.click("#one-time-done");
    await page.waitForSelector('#users-table tbody tr[data-username="op.wang"][data-state="mustChange"]', {
      timeout: SHOW_MS,
    });
    expect(await page.textContent(`${detail} #users-detail-title`)).toContain("op.wang");
    operatorId = Number(await page.getAttribute('#users-table tbody tr[data-username="op.wang"]', "data-id"));
    await page.screenshot({ path: path.join(RESULTS, "dashboard-users-list-zh.png") });
    await expectLanguage(page, "zh-CN", "#console-view");
    // The one-time password is in no later answer: the list shows the account without it.
    expect(await page.evaluate("document.body.innerText")).not.toContain(oneTime);
  }, 60_000);

  it("has the operator choose their own password first, and ends their console when disabled", async () => {
    const operator = await newPage("zh-CN");
    await signIn(operator, "op.wang", oneTime, "password");
    await operator.screenshot({ path: path.join(RESULTS, "dashboard-users-must-change-zh.png") });
    const p = "pw-required";
    await operator.fill(`#${p}-current`, oneTime);
    await operator.fill(`#${p}-next`, OWN);
    await operator.fill(`#${p}-repeat`, `${OWN}!`);
    await operator.click(`#${p}-submit`);
    expect(await operator.getAttribute(`${pwField(p, "repeat")} .field-error`, "data-source")).toBe("client");
    for (const [next, message] of [
      ["short pw", "太短：至少 12 个字符。"],
      ["qwerty123456", "太常见：此密码在常见密码列表中，请换一个。"],
    ] as const) {
      await operator.fill(`#${p}-next`, next);
      await operator.fill(`#${p}-repeat`, next);
      await operator.click(`#${p}-submit`);
      await waitForExpression(
        operator,
        `document.querySelector('${pwField(p, "next")} .field-error')?.textContent === ${JSON.stringify(message)}`,
        undefined,
        { timeout: SHOW_MS },
      );
    }
    await operator.fill(`#${p}-next`, OWN);
    await operator.fill(`#${p}-repeat`, OWN);
    await operator.click(`#${p}-submit`);
    await operator.waitForSelector('body[data-view="console"]', { timeout: SHOW_MS });
    await operator.waitForSelector("#banner-rt", { state: "hidden", timeout: SHOW_MS });
    // Operators do not manage accounts: no Users link, and the page says why.
    expect(await operator.isHidden("#nav-users")).toBe(true);

    const admin = await newPage("zh-CN");
    await signIn(admin, "admin", hub.adminPassword);
    await admin.goto(`${hub.httpUrl}/#/users/${operatorId}`);
    await admin.waitForSelector(`${detail}[data-mode="edit"] #users-disable`, { timeout: SHOW_MS });
    await admin.click("#users-disable");
    await admin.click("#confirm-yes");
    await admin.waitForSelector('#users-table tbody tr[data-username="op.wang"][data-state="disabled"]', {
      timeout: SHOW_MS,
    });
    // The hub closed the operator's live connection: the console is back at the sign-in form, saying why.
    await operator.waitForSelector('body[data-view="login"]', { timeout: SHOW_MS });
    expect(await operator.textContent("#login-error")).toBe("登录已过期，请重新登录；登录后回到刚才的页面。");

    await admin.click("#users-enable");
    await admin.waitForSelector('#users-table tbody tr[data-username="op.wang"][data-state="enabled"]', {
      timeout: SHOW_MS,
    });
    await admin.click("#users-reset");
    await admin.click("#confirm-yes");
    await admin.waitForSelector("#one-time-panel", { timeout: SHOW_MS });
    const reset = (await admin.textContent("#one-time-password")) ?? "";
    expect(reset).toMatch(ONE_TIME);
    await signIn(operator, "op.wang", reset, "password");
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("shows the page and the change-password dialog in English", async () => {
    const page = await newPage("en");
    await signIn(page, "admin", hub.adminPassword);
    await page.click("#nav-users");
    await page.waitForSelector('#users-table tbody tr[data-username="admin"]', { timeout: SHOW_MS });
    await page.click('#users-table tbody tr[data-username="op.wang"]');
    await page.waitForSelector(`${detail}[data-mode="edit"]`, { timeout: SHOW_MS });
    expect(await page.textContent('#users-table tbody tr[data-username="op.wang"]')).toContain("Must change password");
    // An edit: the language; the list and the badge follow.
    await page.selectOption(`${field("language")} select`, "en");
    await page.click(`${detail} button[type="submit"]`);
    await page.waitForSelector("#users-flash", { timeout: SHOW_MS });
    expect(await page.textContent("#users-flash")).toBe("Saved.");
    await page.screenshot({ path: path.join(RESULTS, "dashboard-users-en.png") });
    await expectLanguage(page, "en", "#console-view");

    // The administrator's own account offers no disable or reset, and says where the password is changed.
    await page.click('#users-table tbody tr[data-username="admin"]');
    await page.waitForSelector("#users-self-note", { timeout: SHOW_MS });
    expect(await page.isHidden("#users-disable")).toBe(true);

    await openUserMenu(page);
    await page.click("#btn-password");
    await page.waitForSelector("#password-dialog", { timeout: SHOW_MS });
    await page.fill("#pw-own-current", "not my password");
    await page.fill("#pw-own-next", "a brand new sentence");
    await page.fill("#pw-own-repeat", "a brand new sentence");
    await page.click("#pw-own-submit");
    await waitForExpression(
      page,
      `document.querySelector('${pwField("pw-own", "current")} .field-error')?.textContent === "This is not your current password."`,
      undefined,
      { timeout: SHOW_MS },
    );
    await page.screenshot({ path: path.join(RESULTS, "dashboard-users-password-dialog-en.png") });
    await expectLanguage(page, "en", "#password-dialog");
    await page.click("#password-cancel");
    await page.waitForSelector("#password-dialog", { state: "detached", timeout: SHOW_MS });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("lets any staff member change their own password from the top bar (English)", async () => {
    await createUser(hub, "sup.en", "supervisor", "supervisor's first one");
    const page = await newPage("en");
    await signIn(page, "sup.en", "supervisor's first one");
    await openUserMenu(page);
    await page.click("#btn-password");
    await page.fill("#pw-own-current", "supervisor's first one");
    await page.fill("#pw-own-next", "supervisor's second one");
    await page.fill("#pw-own-repeat", "supervisor's second one");
    await page.click("#pw-own-submit");
    await page.waitForSelector("#password-done", { timeout: SHOW_MS });
    expect(await page.textContent("#password-done")).toBe(
      "Your password is changed. Your other sessions were signed out.",
    );
    await page.click("#password-ok");
    // Still signed in here, and the new password is the one that works.
    await page.waitForSelector("#password-dialog", { state: "detached", timeout: SHOW_MS });
    const call = client(hub);
    const login = await call("POST", "/api/auth/login", null, {
      username: "sup.en",
      password: "supervisor's second one",
    });
    expect(login.status).toBe(200);
    await page.goto(`${hub.httpUrl}/#/users`);
    await page.waitForSelector("#users-denied", { state: "visible", timeout: SHOW_MS });
    expect(await page.textContent("#users-denied")).toBe("Not allowed: accounts are managed by administrators.");
  }, 60_000);

  it("asks a community worker with a reset password for their own on the phone page", async () => {
    const call = client(hub);
    const admin = await hub.login();
    const worker = (await call("GET", "/api/users", admin)).body.users?.find((u) => u.username === "KL-W002");
    const reset = await call("POST", `/api/users/${worker?.id}/reset-password`, admin, {});
    const password = reset.body.oneTimePassword ?? "";
    const page = await newPage("zh-CN", { width: 390, height: 844 });
    await page.goto(`${hub.httpUrl}/worker/`);
    await page.fill("#login-username", "KL-W002");
    await page.fill("#login-password", password);
    await page.click("#login-submit");
    await page.waitForSelector('body[data-view="password"]', { timeout: SHOW_MS });
    await page.screenshot({ path: path.join(RESULTS, "worker-page-must-change-zh.png") });
    await page.fill("#pw-required-current", password);
    await page.fill("#pw-required-next", "工作人员自己的新密码一句");
    await page.fill("#pw-required-repeat", "工作人员自己的新密码一句");
    await page.click("#pw-required-submit");
    await page.waitForSelector('body[data-view="main"]', { timeout: SHOW_MS });
    expect(await page.isVisible("#btn-password")).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
