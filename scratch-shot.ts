import { launchChromium } from "./tests/support/console-page.ts";
import { startTestHub } from "./tests/support/test-hub.ts";
const hub = await startTestHub({ twilio: false });
const browser = await launchChromium();
for (const locale of ["zh-CN", "en"]) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale });
  const page = await context.newPage();
  await page.goto(hub.httpUrl);
  if (locale === "en") await page.evaluate("localStorage.setItem('anxin.lang','en')"), await page.reload();
  await page.fill("#login-username", "admin");
  await page.fill("#login-password", hub.adminPassword);
  await page.click("#login-submit");
  await page.waitForSelector('body[data-view="console"]');
  await page.screenshot({ path: `/tmp/topbar-${locale}.png`, clip: { x: 0, y: 0, width: 1366, height: 120 } });
}
await browser.close();
await hub.stop();
