/**
 * The HTTP side against hostile pages, on a real hub: security headers on
 * every answer, `Origin` checked on every state-changing request and on the
 * WebSocket upgrade, non-JSON bodies refused, and a real Chromium page served
 * from another port of the same host (same site, so the operator's cookie goes
 * with it) that tries to acknowledge an alarm and to read the live stream.
 * A logout or a disabled account closes that person's live console at once
 * (the periodic session look-up is lengthened here, so only the hub's own
 * notice can close it).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { API_DOCS_CSP, registerSecurity } from "../hub/http/security.ts";
import { launchChromium } from "./support/console-page.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const CONSOLE_CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';font-src 'self';" +
  "object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'";
const EVIL = "https://evil.example";
const PROXY_ORIGIN = "https://console.county.example";

describe("HTTP security", () => {
  let th: TestHub;
  let admin: string;
  let alarmId = 0;
  let button: SimulatedButton;

  beforeAll(async () => {
    th = await startTestHub({ env: { ANXIN_ALLOWED_ORIGINS: `${PROXY_ORIGIN}, ` }, sessionCheckMs: 600_000 });
    admin = await th.login();
    const device = th.demoDevices[2];
    if (!device) throw new Error("no demo device");
    button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: device.deviceId, secret: device.secret });
    await button.start({ timeoutMs: 5000 });
    alarmId = (await button.press("sos")).alarmId ?? 0;
    await th.waitForPipeline(alarmId);
  });
  afterAll(async () => {
    await button?.stop();
    await th?.stop();
  });

  const acknowledged = () =>
    (th.hub.db.prepare("SELECT acknowledged_at FROM alarms WHERE id = ?").get(alarmId) as { acknowledged_at: unknown })
      .acknowledged_at;

  it("sends the security headers: the console's CSP, no framing, no sniffing, no referrer", async () => {
    const page = await th.hub.app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({
      "content-security-policy": CONSOLE_CSP,
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    // An API answer, even a refusal, carries them too.
    const refused = await th.hub.app.inject({ method: "GET", url: "/api/alarms" });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers["x-frame-options"]).toBe("DENY");
    // The API docs allow inline styles, nothing more; the family page keeps its own hashed style.
    expect((await th.hub.app.inject({ method: "GET", url: "/docs/" })).headers["content-security-policy"]).toBe(
      API_DOCS_CSP,
    );
    const family = await th.hub.app.inject({ method: "GET", url: `/f/${"A".repeat(43)}` });
    expect(family.headers["content-security-policy"]).toMatch(/style-src 'sha256-/);
  });

  it("lets the map's tile server, and only it, serve images", async () => {
    const app = Fastify();
    await registerSecurity(app, {
      publicUrl: "http://hub.example",
      mapTileUrl: "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
    });
    app.get("/", async () => "ok");
    const csp = (await app.inject({ method: "GET", url: "/" })).headers["content-security-policy"];
    // Leaflet fills {s} with a, b or c tile by tile: all three may serve images.
    expect(csp).toContain(
      "img-src 'self' data: https://a.tiles.example.org https://b.tiles.example.org https://c.tiles.example.org;",
    );
    await app.close();
  });

  it("refuses a state-changing request from another origin, and a body that is not JSON", async () => {
    const ack = (headers: Record<string, string>, payload?: string) =>
      th.hub.app.inject({
        method: "POST",
        url: `/api/alarms/${alarmId}/acknowledge`,
        headers: { cookie: admin, ...headers },
        ...(payload === undefined ? {} : { payload }),
      });
    for (const origin of [EVIL, `http://127.0.0.1:${th.hub.httpPort + 1}`, "null"]) {
      const refused = await ack({ origin, "content-type": "application/json" }, "{}");
      expect({ origin, status: refused.statusCode, code: refused.json().code }).toEqual({
        origin,
        status: 403,
        code: "ORIGIN_FORBIDDEN",
      });
    }
    // The form a cross-site page can post without asking: text/plain.
    const plain = await ack({ "content-type": "text/plain" }, "{}");
    expect([plain.statusCode, plain.json().code]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
    // A form, which a page may also post cross-site without asking, and a body with no type at all.
    for (const contentType of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined]) {
      const refused = await ack(contentType ? { "content-type": contentType } : {}, "text=1");
      expect({ contentType, status: refused.statusCode }).toEqual({ contentType, status: 415 });
    }
    await th.waitForLog((l) => l.code === "UNSUPPORTED_MEDIA_TYPE" && l.contentType === "text/plain");
    expect(acknowledged()).toBeNull();
    await th.waitForLog((l) => l.code === "ORIGIN_FORBIDDEN" && l.origin === EVIL);

    // The hub's own origins: the public URL's, the configured list's, the address the request went to.
    const own = await ack({ origin: "http://anxin.test", host: "anxin.test" });
    expect(own.statusCode).toBe(200);
    const viaProxy = await th.hub.app.inject({
      method: "POST",
      url: "/api/auth/logout",
      headers: { cookie: await th.login(), origin: PROXY_ORIGIN },
    });
    expect(viaProxy.statusCode).toBe(204);
  });

  it("refuses the live connection to a page of another origin, and opens it for the hub's own", async () => {
    const status = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(th.wsUrl, { headers: { cookie: admin }, origin });
        socket.on("open", () => {
          socket.close();
          resolve(101);
        });
        socket.on("unexpected-response", (request, response) => {
          resolve(response.statusCode ?? 0);
          request.destroy();
        });
        socket.on("error", reject);
      });
    expect(await status(EVIL)).toBe(403);
    expect(await status(`http://127.0.0.1:${th.hub.httpPort}`)).toBe(101);
  });

  it("a page on another port of the same host, in the operator's browser, can neither act nor listen", async () => {
    const other = th.demoDevices[3];
    if (!other) throw new Error("no demo device");
    const second = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: other.deviceId, secret: other.secret });
    await second.start({ timeoutMs: 5000 });
    const target = (await second.press("sos")).alarmId ?? 0;
    await second.stop();
    await th.waitForPipeline(target);
    // The operator is signed in to the console in this browser; a page elsewhere on the host tries its luck.
    const evilPage = `<!doctype html><title>waiting</title><script>
      const hub = ${JSON.stringify(th.httpUrl)};
      const results = {};
      fetch(hub + "/api/alarms/${target}/acknowledge", { method: "POST", credentials: "include", mode: "no-cors",
        headers: { "content-type": "text/plain" }, body: "{}" })
        .then(() => { results.ack = "sent"; }, () => { results.ack = "failed"; });
      const ws = new WebSocket(hub.replace("http", "ws") + "/api/realtime");
      ws.onopen = () => { results.ws = "open"; done(); };
      ws.onerror = () => { results.ws = "refused"; done(); };
      function done() { setTimeout(() => { document.title = "done " + JSON.stringify(results); }, 200); }
    </script>`;
    const server = http.createServer((_request, response) => {
      response.setHeader("content-type", "text/html");
      response.end(evilPage);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const browser: Browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(th.httpUrl);
      await page.fill("#login-username", "admin");
      await page.fill("#login-password", th.adminPassword);
      await page.click("#login-submit");
      await page.waitForSelector('body[data-view="console"]', { timeout: 10_000 });
      const evil = await context.newPage();
      await evil.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await evil.waitForFunction('document.title.startsWith("done")', undefined, { timeout: 10_000 });
      const title = await evil.title();
      expect(JSON.parse(title.slice(5))).toMatchObject({ ws: "refused" });
      // The forged acknowledgement reached the hub (the browser sent it with the cookie) and changed nothing.
      await th.waitForLog((l) => l.code === "ORIGIN_FORBIDDEN" && String(l.url).includes(`/${target}/acknowledge`));
      expect(th.hub.db.prepare("SELECT acknowledged_at FROM alarms WHERE id = ?").get(target)).toEqual({
        acknowledged_at: null,
      });
    } finally {
      await browser.close();
      server.close();
    }
  });

  it("closes a console the moment its session logs out, or its account is disabled", async () => {
    await createUser(th, "ws.operator", "operator", "ws-operator-pass-1");
    const closedWith = async (cookie: string, end: () => Promise<unknown>) => {
      const socket = new WebSocket(th.wsUrl, { headers: { cookie }, origin: `http://127.0.0.1:${th.hub.httpPort}` });
      await new Promise((resolve, reject) => {
        socket.on("open", resolve);
        socket.on("error", reject);
      });
      const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
      await end();
      // The look-up that would also notice runs every 10 minutes here: only the hub's own notice closes it.
      return Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 10_000))]);
    };
    const session = await th.login("ws.operator", "ws-operator-pass-1");
    expect(
      await closedWith(session, () =>
        th.hub.app.inject({ method: "POST", url: "/api/auth/logout", headers: { cookie: session } }),
      ),
    ).toBe(4001);
    const again = await th.login("ws.operator", "ws-operator-pass-1");
    const users = (await th.hub.app.inject({ method: "GET", url: "/api/users", headers: { cookie: admin } })).json()
      .users as { id: number; username: string }[];
    const id = users.find((u) => u.username === "ws.operator")?.id;
    expect(
      await closedWith(again, () =>
        th.hub.app.inject({ method: "POST", url: `/api/users/${id}/disable`, headers: { cookie: admin } }),
      ),
    ).toBe(4001);
  });
});
