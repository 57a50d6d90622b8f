/**
 * Issue 11, part 1: MQTT passwords could be guessed at about 5 a second with
 * no slowdown, lockout or audit. Failed logins are now throttled per address
 * and per username and written to the audit log (aggregated, so a flood cannot
 * write millions of rows), where supervisors see them. A device with its right
 * secret is never throttled, so a fleet reconnecting after a blackout gets in.
 * A real hub; logins from several loopback addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mqttLoginResult } from "./support/hostile-clients.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const FREE_FAILURES = 3;
const PASSWORD = "monitor-password-2024";

describe("failed MQTT logins", () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false, env: { ANXIN_MQTT_LOGIN_FAILURES: String(FREE_FAILURES) } });
    for (const name of ["mon.a", "mon.b", "mon.c"]) await createUser(th, name, "monitor", PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
  });

  const login = (from: string, username: string, password: string, clientId = `${username}:t`) =>
    mqttLoginResult(th.hub.mqttPort, from, { clientId, username, password });
  const device = (index: number) => {
    const credential = th.demoDevices[index];
    if (!credential) throw new Error(`no demo device ${index}`);
    return credential;
  };
  const deviceLogin = (from: string, index: number, secret = device(index).secret) =>
    login(from, device(index).deviceId, secret, `${device(index).deviceId}:t`);

  it("throttles an address after its free failures: a person's right password waits, a device's right secret does not", async () => {
    for (let i = 1; i <= FREE_FAILURES; i += 1) expect(await login("127.0.0.11", `nobody-${i}`, "guess")).toBe(4);
    // Hammering on: each refusal doubles the wait (1 s, 2 s, 4 s, …), so the next try surely falls inside it.
    for (let i = 0; i < 5; i += 1) expect([4, 5]).toContain(await login("127.0.0.11", "nobody", "guess"));
    // Refused unchecked, with "not authorised", however right the password.
    expect(await login("127.0.0.11", "mon.a", PASSWORD)).toBe(5);
    const throttled = await th.waitForLog((l) => l.code === "MQTT_LOGIN_THROTTLED");
    expect(throttled).toMatchObject({ address: "127.0.0.11", username: "nobody" });
    // A button behind the same address (a gateway, a NAT) still gets in; a wrong secret is still refused.
    expect(await deviceLogin("127.0.0.11", 0)).toBe("connected");
    expect(await deviceLogin("127.0.0.11", 0, "not-the-secret")).toBe(4);
    // Elsewhere, the same person logs in.
    expect(await login("127.0.0.12", "mon.a", PASSWORD)).toBe("connected");
  });

  it("throttles a username failing from many addresses, but never a device's right secret", async () => {
    const addresses = [21, 22, 23, 24, 25, 26, 27, 28].map((n) => `127.0.0.${n}`);
    for (const from of addresses) expect([4, 5]).toContain(await login(from, "mon.b", "wrong-password"));
    expect(await login("127.0.0.29", "mon.b", PASSWORD)).toBe(5);
    // The same against a device's name: anyone can fail in a button's name, so that must not lock it out.
    for (const from of addresses) expect(await deviceLogin(from, 1, "wrong-secret")).toBe(4);
    expect(await deviceLogin("127.0.0.29", 1)).toBe("connected");
    // Another person is not affected.
    expect(await login("127.0.0.29", "mon.c", PASSWORD)).toBe("connected");
  });

  it("lets a whole fleet with the right secrets reconnect at once through one throttled address", async () => {
    const from = "127.0.0.31";
    for (let i = 0; i < FREE_FAILURES + 5; i += 1) await login(from, "nobody", "guess");
    expect(await login(from, "mon.c", PASSWORD)).toBe(5);
    // Devices 0 and 1 failed on purpose above; the other 200 only ever use their right secrets.
    const devices = th.demoDevices.slice(2, 202);
    // Each button retries as firmware does when its connection is closed before CONNACK (-1);
    // a CONNACK refusal (4, 5) would be final and fail the test.
    const results = await Promise.all(
      devices.map(async (credential) => {
        for (let attempt = 0; attempt < 50; attempt += 1) {
          const result = await login(from, credential.deviceId, credential.secret, `${credential.deviceId}:storm`);
          if (result !== -1) return result;
          await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
        }
        return -1;
      }),
    );
    expect(results.filter((r) => r !== "connected")).toEqual([]);
    const ids = new Set(devices.map((d) => `device:${d.deviceId}`));
    const audited = th.hub.db.prepare("SELECT target FROM audit_log WHERE action = 'mqtt_login_failed'").all() as {
      target: string | null;
    }[];
    expect(audited.filter((row) => row.target !== null && ids.has(row.target))).toEqual([]);
    expect(th.logs.filter((l) => l.code === "MQTT_LOGIN_THROTTLED" && ids.has(`device:${String(l.username)}`))).toEqual(
      [],
    );
  });

  it("audits failed logins as they start, aggregates floods, and shows them to supervisors", async () => {
    const rows = (target: string) =>
      th.hub.db
        .prepare(
          "SELECT actor, target, detail FROM audit_log WHERE action = 'mqtt_login_failed' AND target = ? ORDER BY id",
        )
        .all(target) as { actor: string; target: string; detail: string }[];
    for (let i = 0; i < 30; i += 1) await login("127.0.0.41", "ghost", `guess-${i}`);
    // The first failure is written at once; the other 29 are being counted.
    expect(rows("username:ghost").map((r) => JSON.parse(r.detail))).toEqual([
      expect.objectContaining({ failures: 1, from: "127.0.0.41" }),
    ]);
    expect(rows("username:ghost")[0]?.actor).toBe("anonymous@127.0.0.41");
    // 80 names from one address in the same minute: at most 50 are written one by one.
    for (let i = 0; i < 80; i += 1) await login("127.0.0.42", `spray-${i}`, "guess");
    const countAll = () =>
      (
        th.hub.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'mqtt_login_failed'").get() as {
          n: number;
        }
      ).n;
    expect(countAll()).toBeLessThanOrEqual(50);

    // Stopping writes the window's counts (a restart keeps the database).
    await th.restart();
    const ghost = rows("username:ghost").map((r) => JSON.parse(r.detail) as Record<string, unknown>);
    expect(ghost).toHaveLength(2);
    expect(ghost[1]).toMatchObject({ failures: 29, summary: true });
    expect(ghost[1]?.throttled).toBeGreaterThan(0);
    const overflow = th.hub.db
      .prepare("SELECT detail FROM audit_log WHERE action = 'mqtt_login_failed' AND target IS NULL")
      .all() as { detail: string }[];
    expect(overflow.map((r) => JSON.parse(r.detail))).toContainEqual(expect.objectContaining({ overflow: true }));

    const cookie = await createUser(th, "sup.audit", "supervisor");
    const response = await fetch(`${th.httpUrl}/api/audit?action=mqtt_login_failed&actor=127.0.0.41&limit=10`, {
      headers: { cookie },
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { entries: { target: string; detail: { failures: number } }[] };
    expect(page.entries.map((e) => [e.target, e.detail.failures])).toEqual([
      ["username:ghost", 29],
      ["username:ghost", 1],
    ]);
  });
});
