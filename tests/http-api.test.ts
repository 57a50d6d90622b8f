/** The HTTP API through fastify's inject(): sessions, 401s, validation errors, docs and health. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

describe("HTTP API", () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false, env: { ANXIN_LOGIN_RATE_LIMIT: "5" } });
  });
  afterAll(async () => {
    await th?.stop();
  });

  it("answers 401 to every protected route without a session", async () => {
    const routes: [string, string][] = [
      ["GET", "/api/alarms"],
      ["GET", "/api/alarms/1"],
      ["POST", "/api/alarms/1/acknowledge"],
      ["POST", "/api/alarms/1/resolve"],
      ["GET", "/api/auth/me"],
      ["POST", "/api/auth/logout"],
    ];
    for (const [method, url] of routes) {
      const response = await th.hub.app.inject({
        method: method as "GET" | "POST",
        url,
        payload: method === "POST" ? {} : undefined,
      });
      expect({ url, status: response.statusCode, code: response.json().code }).toEqual({
        url,
        status: 401,
        code: "AUTH_REQUIRED",
      });
    }
    const forged = await th.hub.app.inject({
      method: "GET",
      url: "/api/alarms",
      headers: { cookie: "anxin_session=forged" },
    });
    expect(forged.statusCode).toBe(401);
  });

  it("refuses a WebSocket without a session", async () => {
    const socket = new WebSocket(th.wsUrl);
    const status = await new Promise<number>((resolve) => {
      socket.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.on("open", () => resolve(101));
    });
    expect(status).toBe(401);
  });

  it("serves health and the OpenAPI description without login", async () => {
    const health = await th.hub.app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: "ok", database: true, mqtt: { listening: true } });
    const docs = await th.hub.app.inject({ method: "GET", url: "/docs/json" });
    expect(docs.statusCode).toBe(200);
    const paths = Object.keys(docs.json().paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/auth/login",
        "/api/alarms/",
        "/api/alarms/{id}/acknowledge",
        "/api/alarms/{id}/resolve",
        "/health",
      ]),
    );
  });

  it("logs in with a hashed password, audits it, and logs out", async () => {
    const hash = (
      th.hub.db.prepare("SELECT password_hash FROM users WHERE username = 'admin'").get() as { password_hash: string }
    ).password_hash;
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(hash).not.toContain(th.adminPassword);

    const wrong = await th.hub.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "admin", password: "nope-nope" },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe("AUTH_INVALID_CREDENTIALS");

    const login = await th.hub.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "admin", password: th.adminPassword },
    });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers["set-cookie"]);
    expect(setCookie).toMatch(/anxin_session=[^;]+;.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(";")[0] ?? "";
    const me = await th.hub.app.inject({ method: "GET", url: "/api/auth/me", headers: { cookie } });
    expect(me.json().user).toMatchObject({ username: "admin", role: "admin" });

    const logout = await th.hub.app.inject({ method: "POST", url: "/api/auth/logout", headers: { cookie } });
    expect(logout.statusCode).toBe(204);
    const after = await th.hub.app.inject({ method: "GET", url: "/api/auth/me", headers: { cookie } });
    expect(after.statusCode).toBe(401);

    const audit = th.hub.db
      .prepare("SELECT action FROM audit_log WHERE action IN ('login', 'login_failed', 'logout') ORDER BY id")
      .all();
    expect(audit).toEqual([{ action: "login_failed" }, { action: "login" }, { action: "logout" }]);
  });

  it("explains which field of a bad body is wrong", async () => {
    const cookie = await th.login();
    const response = await th.hub.app.inject({
      method: "POST",
      url: "/api/alarms/1/resolve",
      headers: { cookie },
      payload: { outcome: "maybe" },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(body.errors[0].field).toMatch(/^body\.outcome/);
    const missing = await th.hub.app.inject({ method: "GET", url: "/api/alarms/99999", headers: { cookie } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("ALARM_NOT_FOUND");
  });

  it("rate-limits login attempts", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const response = await th.hub.app.inject({
        method: "POST",
        url: "/api/auth/login",
        remoteAddress: "10.9.9.9",
        payload: { username: "admin", password: `guess-${i}` },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
  });
});
