/**
 * Staff accounts over a real hub (real SQLite, HTTP and WebSocket on ephemeral
 * ports): only administrators manage accounts; a new account's one-time password
 * opens nothing but the password change; disabling, resetting, re-roling and a
 * password change end the person's sessions and close their open sockets at
 * once (the close code says why); every action lands in the audit log, with no
 * password in it.
 */
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RULE_MESSAGES } from "../hub/accounts/account-rules.ts";
import { SESSION_ENDED_CLOSE } from "../hub/http/routes/realtime-routes.ts";
import { client, openSocket, socketRefusal, tryLogin } from "./support/accounts-client.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const OWN = "my own long passphrase";
let th: TestHub;
let call: ReturnType<typeof client>;
let admin: string;

beforeAll(async () => {
  th = await startTestHub({ twilio: false });
  call = client(th);
  admin = await th.login();
}, 60_000);

afterAll(async () => {
  await th?.stop();
});

/** "connected", or the CONNACK code the broker refused a monitoring login with (5: not authorised). */
async function mqttLogin(username: string, password: string): Promise<"connected" | number> {
  try {
    const connection = await mqtt.connectAsync(th.mqttUrl, {
      clientId: `${username}:monitor`,
      username,
      password,
      reconnectPeriod: 0,
      connectTimeout: 3000,
    });
    await connection.endAsync(true);
    return "connected";
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/** Creates an account as admin; its id and one-time password. */
async function add(body: Record<string, unknown>): Promise<{ id: number; password: string }> {
  const answer = await call("POST", "/api/users", admin, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return { id: answer.body.user?.id ?? 0, password: answer.body.oneTimePassword ?? "" };
}

/** Logs in with a one-time password and replaces it with `next`; the session cookie. */
async function firstLogin(username: string, oneTime: string, next = OWN): Promise<string> {
  const cookie = await tryLogin(th, username, oneTime);
  if (typeof cookie !== "string") throw new Error(`login refused: ${cookie}`);
  const changed = await call("POST", "/api/auth/password", cookie, { currentPassword: oneTime, newPassword: next });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  return cookie;
}

describe("accounts API", () => {
  it("is for administrators only, and lists staff and workers' logins", async () => {
    const operator = await createUser(th, "op-reader", "operator");
    const supervisor = await createUser(th, "sup-reader", "supervisor");
    expect((await call("GET", "/api/users", null)).body.code).toBe("AUTH_REQUIRED");
    for (const cookie of [operator, supervisor]) {
      const refused = await call("GET", "/api/users", cookie);
      expect([refused.status, refused.body.code]).toEqual([403, "AUTH_FORBIDDEN"]);
      expect(
        (await call("POST", "/api/users", cookie, { username: "x1", displayName: "x", role: "admin" })).status,
      ).toBe(403);
    }
    const list = await call("GET", "/api/users", admin);
    expect(list.status).toBe(200);
    expect(list.headers.get("cache-control")).toBe("no-store");
    const users = list.body.users ?? [];
    expect(users[0]).toMatchObject({ username: "admin", role: "admin", disabled: false, mustChangePassword: false });
    const workers = users.filter((u) => u.role === "worker");
    expect(workers).toHaveLength(24);
    expect(workers[0]?.worker).toMatchObject({ code: "KL-W001" });
    expect(JSON.stringify(list.body)).not.toContain("argon2");
  });

  it("refuses bad accounts field by field, in words the console shows beside the field", async () => {
    const bad = await call("POST", "/api/users", admin, {
      username: "no spaces",
      displayName: " ",
      role: "operator",
      contact: "139-1234",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("VALIDATION_FAILED");
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        { field: "body.username", message: RULE_MESSAGES.username },
        { field: "body.displayName", message: "must not be blank" },
        // Null (no contact) is the field's other form, as for the registry's nullable fields.
        { field: "body.contact", message: `${RULE_MESSAGES.contact} or must be null` },
      ]),
    );
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ username: "ADMIN", displayName: "x", role: "operator" }, 409, "USER_EXISTS"],
      [{ username: "w-x", displayName: "x", role: "worker" }, 400, "USER_WORKER_LINK_INVALID"],
      [{ username: "w-x", displayName: "x", role: "worker", workerId: 1 }, 409, "USER_WORKER_TAKEN"],
      [{ username: "op-x", displayName: "x", role: "operator", password: "short" }, 400, "PASSWORD_TOO_SHORT"],
      [{ username: "op-x", displayName: "x", role: "operator", password: "QWERTY123456" }, 400, "PASSWORD_TOO_COMMON"],
    ];
    for (const [body, status, code] of refusals) {
      const answer = await call("POST", "/api/users", admin, body);
      expect([answer.status, answer.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
  });

  it("lets a new account do nothing but change its one-time password", async () => {
    const { id, password } = await add({
      username: "op.li",
      displayName: "李静",
      role: "operator",
      language: "en",
      contact: "sip:op.li@pbx.example",
    });
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const cookie = await tryLogin(th, "op.li", password);
    if (typeof cookie !== "string") throw new Error(`login refused: ${cookie}`);
    const me = await call("GET", "/api/auth/me", cookie);
    expect(me.body.user).toMatchObject({ id, username: "op.li", language: "en", mustChangePassword: true });
    for (const url of ["/api/alarms?status=open", "/api/registry/households", "/api/console/settings"]) {
      const refused = await call("GET", url, cookie);
      expect([refused.status, refused.body.code], url).toEqual([403, "AUTH_PASSWORD_CHANGE_REQUIRED"]);
    }
    expect(await socketRefusal(th, cookie)).toBe(403);
    // Nor does it open a monitoring login on the broker.
    expect(await mqttLogin("op.li", password)).toBe(5);

    const change = (currentPassword: string, newPassword: string) =>
      call("POST", "/api/auth/password", cookie, { currentPassword, newPassword });
    expect((await change("not the password", OWN)).body.code).toBe("PASSWORD_CURRENT_WRONG");
    expect((await change(password, "short")).body.code).toBe("PASSWORD_TOO_SHORT");
    expect((await change(password, "password1234")).body.code).toBe("PASSWORD_TOO_COMMON");
    expect((await change(password, password)).body.code).toBe("PASSWORD_UNCHANGED");
    // A wrong current password does not end the session (it is 403, not 401).
    expect((await call("GET", "/api/auth/me", cookie)).status).toBe(200);
    const changed = await change(password, OWN);
    expect(changed.body.user).toMatchObject({ id, mustChangePassword: false });
    expect((await call("GET", "/api/alarms?status=open", cookie)).status).toBe(200);
    expect(await socketRefusal(th, cookie)).toBe(0);
    expect(await tryLogin(th, "op.li", password)).toBe(401);
    // With the password its own, an operator still has no MQTT login: only administrators and monitor accounts do.
    expect(await mqttLogin("op.li", OWN)).toBe(5);
  });

  it("closes the other sessions' sockets on a password change, and every socket on disable", async () => {
    const { id, password } = await add({ username: "op.zhao", displayName: "赵敏", role: "operator" });
    const first = await firstLogin("op.zhao", password);
    const second = await tryLogin(th, "op.zhao", OWN);
    if (typeof second !== "string") throw new Error("second login refused");
    const [mine, other] = await Promise.all([openSocket(th, first), openSocket(th, second)]);

    const next = "another long passphrase";
    const changed = await call("POST", "/api/auth/password", first, { currentPassword: OWN, newPassword: next });
    expect(changed.status).toBe(200);
    expect(await other.closed).toBe(SESSION_ENDED_CLOSE);
    expect(await mine.alive()).toBe(true);
    expect((await call("GET", "/api/auth/me", second)).status).toBe(401);

    const disabled = await call("POST", `/api/users/${id}/disable`, admin, {});
    expect(disabled.body.user).toMatchObject({ disabled: true });
    expect(await mine.closed).toBe(SESSION_ENDED_CLOSE);
    expect((await call("GET", "/api/auth/me", first)).status).toBe(401);
    expect(await tryLogin(th, "op.zhao", next)).toBe(401);

    expect((await call("POST", `/api/users/${id}/enable`, admin, {})).body.user).toMatchObject({ disabled: false });
    expect(typeof (await tryLogin(th, "op.zhao", next))).toBe("string");
  });

  it("resets a password: sessions end, sockets close, and the new one-time password must be changed", async () => {
    const { id, password } = await add({ username: "sup.chen", displayName: "陈伟", role: "supervisor" });
    const cookie = await firstLogin("sup.chen", password);
    const open = await openSocket(th, cookie);
    const reset = await call("POST", `/api/users/${id}/reset-password`, admin, {});
    expect(reset.status).toBe(200);
    expect(reset.headers.get("cache-control")).toBe("no-store");
    const oneTime = reset.body.oneTimePassword ?? "";
    expect(oneTime).not.toBe(password);
    expect(await open.closed).toBe(SESSION_ENDED_CLOSE);
    expect((await call("GET", "/api/auth/me", cookie)).status).toBe(401);
    expect(await tryLogin(th, "sup.chen", OWN)).toBe(401);
    const again = await tryLogin(th, "sup.chen", oneTime);
    if (typeof again !== "string") throw new Error("one-time login refused");
    expect((await call("GET", "/api/auth/me", again)).body.user?.mustChangePassword).toBe(true);
    // An administrator may also type the one-time password (it is then not answered back).
    const typed = await call("POST", `/api/users/${id}/reset-password`, admin, { password: "typed by the admin" });
    expect(typed.body.oneTimePassword).toBeNull();
    expect(typed.body.user?.mustChangePassword).toBe(true);
  });

  it("edits an account; a new role ends its sessions, and no administrator can remove themself", async () => {
    const { id, password } = await add({
      username: "op.sun",
      displayName: "孙",
      role: "operator",
      contact: "+8613900000001",
    });
    const cookie = await firstLogin("op.sun", password);
    const open = await openSocket(th, cookie);
    const renamed = await call("PATCH", `/api/users/${id}`, admin, { displayName: "孙丽", contact: "" });
    expect(renamed.body.user).toMatchObject({ displayName: "孙丽", contact: null, role: "operator" });
    expect(await open.alive()).toBe(true);
    const promoted = await call("PATCH", `/api/users/${id}`, admin, { role: "supervisor" });
    expect(promoted.body.user?.role).toBe("supervisor");
    expect(await open.closed).toBe(SESSION_ENDED_CLOSE);
    expect((await call("GET", "/api/auth/me", cookie)).status).toBe(401);

    expect((await call("PATCH", `/api/users/${id}`, admin, {})).body.code).toBe("VALIDATION_FAILED");
    expect((await call("PATCH", "/api/users/9999", admin, { language: "en" })).body.code).toBe("USER_NOT_FOUND");
    const adminId = (await call("GET", "/api/auth/me", admin)).body.user?.id;
    for (const [method, url, body] of [
      ["POST", `/api/users/${adminId}/disable`, {}],
      ["POST", `/api/users/${adminId}/reset-password`, {}],
      ["PATCH", `/api/users/${adminId}`, { role: "operator" }],
    ] as const) {
      const refused = await call(method, url, admin, body);
      expect([refused.status, refused.body.code], url).toEqual([409, "USER_IS_SELF"]);
    }
  });

  it("lets a community worker change their own password, and makes a reset one be changed on the worker API", async () => {
    const code = "KL-W003";
    const demo = th.workerPassword(code);
    const cookie = await tryLogin(th, code, demo);
    if (typeof cookie !== "string") throw new Error("worker login refused");
    const changed = await call("POST", "/api/auth/password", cookie, { currentPassword: demo, newPassword: OWN });
    expect(changed.body.user).toMatchObject({ role: "worker", mustChangePassword: false });

    const id = (await call("GET", "/api/worker/me", cookie)).body.user?.id;
    const reset = await call("POST", `/api/users/${id}/reset-password`, admin, {});
    const again = await tryLogin(th, code, reset.body.oneTimePassword ?? "");
    if (typeof again !== "string") throw new Error("one-time login refused");
    const refused = await call("GET", "/api/worker/me", again);
    expect([refused.status, refused.body.code]).toEqual([403, "AUTH_PASSWORD_CHANGE_REQUIRED"]);
  });

  it("audits every account action, and never a password", async () => {
    const log = await call("GET", "/api/audit?limit=500", admin);
    const actions = new Set((log.body.entries ?? []).map((e) => e.action));
    for (const action of [
      "user_created",
      "user_updated",
      "user_password_reset",
      "user_disabled",
      "user_enabled",
      "password_changed",
      "password_change_failed",
    ]) {
      expect(actions, action).toContain(action);
    }
    const disabled = (log.body.entries ?? []).find((e) => e.action === "user_disabled");
    expect(disabled).toMatchObject({ actor: "user:admin", target: "user:op.zhao" });
    const everything = JSON.stringify(th.hub.db.prepare("SELECT * FROM audit_log").all());
    for (const secret of [OWN, "another long passphrase", "typed by the admin", "$argon2"]) {
      expect(everything).not.toContain(secret);
    }
  });
});
