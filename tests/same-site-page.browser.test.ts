/**
 * A page on another port of the same host, in the browser where an operator is
 * signed in. Its requests are same-site, so the browser sends the operator's
 * cookie (SameSite only looks at the host), and an `<img>` or a no-cors fetch
 * sends no `Origin` header at all. It cannot read the answers, but a GET that
 * writes is still a write: opening a resident's health data records a view of
 * it in the audit log, in the operator's name. So every API request a browser
 * says came from another page (`Sec-Fetch-Site: same-site` or `cross-site`) is
 * refused, reads included, before anything runs or is recorded.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { launchChromium } from "./support/console-page.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

describe("a same-site page in the operator's browser (browser)", () => {
  let th: TestHub;
  let browser: Browser;
  let button: SimulatedButton;
  let alarmId = 0;
  let server: http.Server;

  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    await createUser(th, "same.site", "operator", "same-site-pass-1");
    const device = th.demoDevices[1];
    if (!device) throw new Error("no demo device");
    button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: device.deviceId, secret: device.secret });
    await button.start({ timeoutMs: 5000 });
    alarmId = (await button.press("sos")).alarmId ?? 0;
    await th.waitForPipeline(alarmId);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await button?.stop();
    await browser?.close();
    server?.close();
    await th?.stop();
  });

  const healthViews = () =>
    (
      th.hub.db
        .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'health_data_viewed' AND actor = 'user:same.site'")
        .get() as { n: number }
    ).n;

  it("cannot make the operator's browser open health data, export history or read alarms", async () => {
    const hub = th.httpUrl;
    const urls = [`/api/alarms/${alarmId}/resident`, "/api/alarms/history.csv", "/api/alarms"];
    // Each request in the two shapes that need no permission: an image, and a no-cors fetch.
    const evilPage = `<!doctype html><title>waiting</title><script>
      const urls = ${JSON.stringify(urls.map((u) => hub + u))};
      const image = (url) => new Promise((done) => { const i = new Image(); i.onload = i.onerror = done; i.src = url; });
      const fetched = (url) => fetch(url, { mode: "no-cors", credentials: "include" }).then(() => {}, () => {});
      Promise.all(urls.flatMap((u) => [image(u), fetched(u)])).then(() => { document.title = "done"; });
    </script>`;
    server = http.createServer((_request, response) => {
      response.setHeader("content-type", "text/html");
      response.end(evilPage);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

    const context = await browser.newContext();
    const consolePage = await context.newPage();
    await consolePage.goto(hub);
    await consolePage.fill("#login-username", "same.site");
    await consolePage.fill("#login-password", "same-site-pass-1");
    await consolePage.click("#login-submit");
    await consolePage.waitForSelector('body[data-view="console"]', { timeout: 10_000 });
    const before = healthViews();

    const evil = await context.newPage();
    await evil.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    // Every request has had its answer (an image's load or error event fires after the whole answer).
    await evil.waitForFunction('document.title === "done"', undefined, { timeout: 10_000 });
    expect(healthViews()).toBe(before);
    const refused = th.logs.filter((l) => l.code === "ORIGIN_FORBIDDEN").map((l) => String(l.url));
    for (const url of urls)
      expect({ url, refused: refused.filter((r) => r === url).length }).toEqual({ url, refused: 2 });

    // The console itself, same-origin, still reads the same data (and that view is audited).
    const own = (await consolePage.evaluate(`fetch(${JSON.stringify(urls[0])}).then((r) => r.status)`)) as number;
    expect(own).toBe(200);
    expect(healthViews()).toBe(before + 1);
    await context.close();
  });

  it("still answers requests no browser page sent: curl, the CLI, Twilio, a typed address", async () => {
    const cookie = await th.login("same.site", "same-site-pass-1");
    const plain = await fetch(`${th.httpUrl}/api/alarms/${alarmId}/resident`, { headers: { cookie } });
    expect(plain.status).toBe(200);
    const typed = await fetch(`${th.httpUrl}/api/alarms`, { headers: { cookie, "sec-fetch-site": "none" } });
    expect(typed.status).toBe(200);
  });
});
