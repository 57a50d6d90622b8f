/**
 * Issue 16: HTTPS. A real hub with ANXIN_HTTPS_PORT and a certificate made for
 * the test: the console and the API over HTTPS with a `Secure` session cookie
 * and HSTS when asked for; the plain HTTP port answering only with redirects to
 * the public URL (same path and query, method kept), except `/health` and a
 * loopback scrape of `/metrics`; the
 * consoles' live connection over `wss://`, fed by a press that came over MQTT
 * with TLS.
 */
import fs from "node:fs";
import type http from "node:http";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { plainPortAnswer } from "../hub/http/http-listeners.ts";
import { openConsoleFeed } from "./support/console-feed.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";
import { makeTestPki, mqttTlsEnv, type TestPki } from "./support/tls-certs.ts";
import { httpsRequest, plainHttpRequest } from "./support/tls-clients.ts";

const PUBLIC_URL = "https://anxin.test";

describe("HTTPS", () => {
  let pki: TestPki;
  let th: TestHub;
  let base: string;
  beforeAll(async () => {
    pki = await makeTestPki();
    const server = await pki.server("3001");
    th = await startTestHub({
      twilio: false,
      env: {
        ANXIN_HTTPS_PORT: "0",
        ...mqttTlsEnv(server),
        ANXIN_PUBLIC_URL: PUBLIC_URL,
        ANXIN_HSTS_MAX_AGE_S: "600",
      },
    });
    base = th.httpsUrl ?? "";
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
    pki?.remove();
  });

  const login = async () => {
    const answer = await httpsRequest(`${base}/api/auth/login`, pki.ca.cert, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: th.adminPassword }),
    });
    expect(answer.status, answer.body).toBe(200);
    const cookie = [answer.headers["set-cookie"] ?? []].flat()[0] ?? "";
    return { cookie, session: cookie.split(";")[0] ?? "" };
  };

  it("serves the console and the API over HTTPS; the session cookie is Secure; HSTS as configured", async () => {
    expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const page = await httpsRequest(`${base}/`, pki.ca.cert);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.body).toContain("<html");
    expect(page.headers["strict-transport-security"]).toBe("max-age=600");

    const { cookie, session } = await login();
    expect(cookie).toMatch(/^anxin_session=/);
    expect(cookie.split(/;\s*/)).toEqual(expect.arrayContaining(["Secure", "HttpOnly", "SameSite=Strict"]));
    const alarms = await httpsRequest(`${base}/api/alarms`, pki.ca.cert, { headers: { cookie: session } });
    expect(alarms.status).toBe(200);
  });

  it("answers plain HTTP only with a redirect to the same path and query under the public URL, keeping the method", async () => {
    const port = th.hub.httpPort;
    const page = await plainHttpRequest(port, "/");
    expect(page.status).toBe(308);
    expect(page.headers.location).toBe(`${PUBLIC_URL}/`);

    const list = await plainHttpRequest(port, "/api/alarms/history?from=2026-01-01&to=2026-01-31");
    expect(list.status).toBe(308);
    expect(list.headers.location).toBe(`${PUBLIC_URL}/api/alarms/history?from=2026-01-01&to=2026-01-31`);

    // A password sent in clear by mistake gets a redirect, never a session.
    const body = JSON.stringify({ username: "admin", password: th.adminPassword });
    const signIn = await plainHttpRequest(port, "/api/auth/login", { method: "POST", body });
    expect(signIn.status).toBe(308);
    expect(signIn.headers.location).toBe(`${PUBLIC_URL}/api/auth/login`);
    expect(signIn.headers["set-cookie"]).toBeUndefined();

    // The request cannot choose where it is sent: the host is always the public URL's.
    expect((await plainHttpRequest(port, "//evil.example/x")).headers.location).toBe(`${PUBLIC_URL}//evil.example/x`);
    expect((await plainHttpRequest(port, "http://evil.example/x")).headers.location).toBe(`${PUBLIC_URL}/`);
  });

  it("keeps /health plain, for a load balancer's checks without TLS", async () => {
    const health = await plainHttpRequest(th.hub.httpPort, "/health");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({
      status: "ok",
      mqtt: { listening: true, tlsPort: th.hub.mqttTlsPort },
    });
    const head = await plainHttpRequest(th.hub.httpPort, "/health", { method: "HEAD" });
    expect(head.status).toBe(200);
    // Anything else at /health is redirected like the rest.
    expect((await plainHttpRequest(th.hub.httpPort, "/health", { method: "POST", body: "{}" })).status).toBe(308);
  });

  it("serves /metrics plain to a Prometheus on this machine; from elsewhere refuses it (never a redirect)", async () => {
    const scrape = await plainHttpRequest(th.hub.httpPort, "/metrics");
    expect(scrape.status).toBe(200);
    expect(scrape.body).toMatch(/^# TYPE anxin_alarms_received_total counter$/m);
    // A redirect would be followed to the public URL (a load balancer: another hub) with the scraper's token.
    const forwarded = await plainHttpRequest(th.hub.httpPort, "/metrics", {
      headers: { "x-forwarded-for": "203.0.113.9" },
    });
    expect(forwarded.status).toBe(403);
    expect(forwarded.headers.location).toBeUndefined();
    expect(JSON.parse(forwarded.body)).toEqual({ code: "METRICS_HTTPS_REQUIRED", message: expect.any(String) });
    expect(th.logs.some((line) => line.code === "METRICS_HTTPS_REQUIRED")).toBe(true);
    // Over HTTPS without a token, even from loopback: a TLS-passthrough proxy here would look local.
    const overTls = await httpsRequest(`${base}/metrics`, pki.ca.cert);
    expect(overTls.status).toBe(403);
    expect(JSON.parse(overTls.body)).toMatchObject({ code: "METRICS_LOOPBACK_ONLY" });
    // The socket's peer decides (this test's requests all come from loopback, so the rule is asked directly).
    const from = (remoteAddress: string, method = "GET", url = "/metrics") =>
      plainPortAnswer({ method, url, headers: {}, socket: { remoteAddress } as http.IncomingMessage["socket"] });
    expect(from("127.0.0.1")).toBe("app");
    expect(from("::1")).toBe("app");
    expect(from("10.0.0.5")).toBe("metrics_https_required");
    expect(from("::ffff:192.0.2.7")).toBe("metrics_https_required");
    expect(from("127.0.0.1", "POST")).toBe("redirect");
    expect(from("10.0.0.5", "GET", "/health")).toBe("app");
    expect(from("127.0.0.1", "GET", "/api/alarms")).toBe("redirect");
  });

  it("keeps the consoles' live connection over wss://, and a press over MQTT with TLS reaches it", async () => {
    const { session } = await login();
    const wss = `${base.replace("https:", "wss:")}/api/realtime`;
    const feed = await openConsoleFeed(wss, session, fs.readFileSync(pki.ca.cert));
    const credential = th.demoDevices[0];
    if (!credential) throw new Error("no demo device");
    const button = new SimulatedButton({
      mqttUrl: th.mqttsUrl ?? "",
      deviceId: credential.deviceId,
      secret: credential.secret,
      tls: { ca: fs.readFileSync(pki.ca.cert) },
    });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    await waitFor(() => feed.latest().get(ack.alarmId ?? -1), 5000, "the alarm on the console's feed");
    await button.stop();
    feed.close();
  });
});

describe("HTTPS and the plain port together", () => {
  let pki: TestPki;
  let th: TestHub;
  beforeAll(async () => {
    pki = await makeTestPki();
    const server = await pki.server("3501");
    th = await startTestHub({
      twilio: false,
      env: {
        ANXIN_HTTPS_PORT: "0",
        ANXIN_TLS_CERT: server.cert,
        ANXIN_TLS_KEY: server.key,
        ANXIN_PUBLIC_URL: PUBLIC_URL,
        ANXIN_HTTP_MAX_CONNECTIONS: "8",
      },
    });
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
    pki?.remove();
  });

  it("share one connection cap: eight over HTTPS fill it for the plain port too", async () => {
    const ca = fs.readFileSync(pki.ca.cert);
    // Handshakes done: the hub has counted each of them.
    const held = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<tls.TLSSocket>((resolve, reject) => {
            const socket = tls.connect({ host: "127.0.0.1", port: th.hub.httpsPort ?? 0, ca }, () => resolve(socket));
            socket.once("error", reject);
          }),
      ),
    );
    // The plain server holds none of them, under its own cap of eight: only the count over both refuses this one.
    await expect(plainHttpRequest(th.hub.httpPort, "/health")).rejects.toThrow();
    await th.waitForLog((l) => l.code === "HTTP_CONNECTIONS_FULL" && l.cap === 8);
    for (const socket of held) socket.destroy();
    await waitFor(
      () =>
        plainHttpRequest(th.hub.httpPort, "/health").then(
          (answer) => answer.status === 200,
          () => false,
        ),
      5000,
      "/health once the HTTPS connections closed",
    );
  });
});
