/**
 * Issue 11, part 3: credentials that hold over time. Revoking a device, or
 * rotating its secret, closes the MQTT sessions opened with the old
 * credentials at once; the old secret never works again and the new one does.
 * Of the hub's people only administrators and monitor accounts read device
 * traffic over MQTT; workers, operators and supervisors are refused, and a
 * person's sessions end when their account is disabled or their password reset.
 * A real hub, its HTTP API, real MQTT clients.
 */
import type { MqttClient } from "mqtt";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { deviceTopic } from "../protocol/index.ts";
import { mqttLoginResult, within } from "./support/hostile-clients.ts";
import { connectAsDevice } from "./support/raw-device.ts";
import { createUser } from "./support/registry-app.ts";
import { runCli } from "./support/run-cli.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

const PASSWORD = "monitor-password-2024";

describe("credentials that hold over time", () => {
  let th: TestHub;
  let admin: string;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    admin = await th.login();
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
  });

  const device = (index: number) => {
    const credential = th.demoDevices[index];
    if (!credential) throw new Error(`no demo device ${index}`);
    return credential;
  };
  const post = async (url: string, cookie = admin, body?: object) => {
    const response = await fetch(`${th.httpUrl}${url}`, {
      method: "POST",
      headers: { cookie, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const closedSoon = (client: MqttClient) =>
    within(new Promise<void>((resolve) => client.once("close", () => resolve())), 5000, "the session to be closed");
  const login = (username: string, password: string, clientId = `${username}:t`) =>
    mqttLoginResult(th.hub.mqttPort, "127.0.0.1", { clientId, username, password });
  const alarms = (deviceId: string) =>
    (th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarms WHERE device_id = ?").get(deviceId) as { n: number }).n;

  it("rotating a secret closes the session opened with the old one at once; the new one works, the old never again", async () => {
    const target = device(0);
    const old = await connectAsDevice(th.mqttUrl, target, "old");
    // A diagnostic tool beside the button, on the same credentials, goes too.
    const tool = await connectAsDevice(th.mqttUrl, target, "tool");
    const closed = Promise.all([closedSoon(old), closedSoon(tool)]);
    const rotated = await post(`/api/registry/devices/${target.deviceId}/rotate`);
    expect(rotated.status).toBe(200);
    await closed;
    const secret = rotated.body.secret as string;
    await th.waitForLog((l) => l.code === "MQTT_CREDENTIALS_CHANGED" && l.reason === "secret_rotated");

    expect(await login(target.deviceId, target.secret)).toBe(4);
    const button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: target.deviceId, secret });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    expect(th.hub.db.prepare("SELECT device_id FROM alarms WHERE id = ?").get(ack.alarmId)).toEqual({
      device_id: target.deviceId,
    });
    await button.stop();
    expect(await login(target.deviceId, target.secret)).toBe(4);
  });

  it("an SOS from a session whose secret was rotated behind the hub's back is not stored", async () => {
    // Another process (a restore, a second tool) writes the new secret straight into the database: no event
    // reaches the broker, but its ACL checks the credentials again at every publish.
    const target = device(1);
    const old = await connectAsDevice(th.mqttUrl, target, "old");
    const closed = closedSoon(old);
    th.hub.db.prepare("UPDATE devices SET secret_hash = ? WHERE id = ?").run("0".repeat(64), target.deviceId);
    old.publish(
      deviceTopic(target.deviceId, "alarm"),
      JSON.stringify({
        pressId: "stale-session-01",
        kind: "sos",
        deviceTime: new Date().toISOString(),
        seq: 1,
        battery: 50,
      }),
      { qos: 1 },
    );
    await closed;
    expect(alarms(target.deviceId)).toBe(0);
  });

  it("revoking a device closes its open session at once, and it never gets back in", async () => {
    const target = device(2);
    const session = await connectAsDevice(th.mqttUrl, target, "live");
    const closed = closedSoon(session);
    expect((await post(`/api/registry/devices/${target.deviceId}/revoke`)).status).toBe(200);
    await closed;
    expect(await login(target.deviceId, target.secret)).toBe(5);
    expect(alarms(target.deviceId)).toBe(0);
  });

  it("refuses community workers, operators and supervisors at login: only admin and monitor accounts read device traffic", async () => {
    const worker = th.workerPassword("KL-W001");
    expect(await login("KL-W001", worker)).toBe(5);
    await th.waitForLog((l) => l.code === "MQTT_AUTH_REFUSED" && l.username === "KL-W001");
    await createUser(th, "op.mqtt", "operator", PASSWORD);
    await createUser(th, "sup.mqtt", "supervisor", PASSWORD);
    expect(await login("op.mqtt", PASSWORD)).toBe(5);
    expect(await login("sup.mqtt", PASSWORD)).toBe(5);
    expect(await login("admin", th.adminPassword)).toBe("connected");
  });

  it("gives MQTT monitoring its own role: after its one-time password is changed it reads traffic, and disabling it ends its session", async () => {
    const created = await post("/api/users", admin, {
      username: "mon.ops",
      displayName: "Monitoring",
      role: "monitor",
    });
    expect(created.status).toBe(201);
    const oneTime = created.body.oneTimePassword as string;
    // A one-time password opens no monitoring session.
    expect(await login("mon.ops", oneTime)).toBe(5);
    const cookie = await th.login("mon.ops", oneTime);
    expect((await post("/api/auth/password", cookie, { currentPassword: oneTime, newPassword: PASSWORD })).status).toBe(
      200,
    );
    // Its console session may do nothing else.
    expect((await fetch(`${th.httpUrl}/api/alarms?status=open`, { headers: { cookie } })).status).toBe(403);

    const monitor = await mqtt.connectAsync(th.mqttUrl, {
      clientId: "mon.ops:watch",
      username: "mon.ops",
      password: PASSWORD,
      reconnectPeriod: 0,
    });
    const seen: string[] = [];
    monitor.on("message", (topic) => seen.push(topic));
    await monitor.subscribeAsync("anxin/v1/#", { qos: 1 });
    const target = device(3);
    const button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: target.deviceId, secret: target.secret });
    await button.start({ timeoutMs: 5000 });
    await button.press("test");
    await waitFor(() => seen.includes(deviceTopic(target.deviceId, "ack")), 3000, "the monitor to see the ack");
    await button.stop();
    // A second monitoring connection is fine too (its own client id suffix).
    expect(await login("mon.ops", PASSWORD)).toBe("connected");

    const closed = closedSoon(monitor);
    const id = (created.body.user as { id: number }).id;
    expect((await post(`/api/users/${id}/disable`)).status).toBe(200);
    await closed;
    expect(await login("mon.ops", PASSWORD)).toBe(4);
  });

  it("ends a monitoring session when `npm run users` (another process, no event) disables the account", async () => {
    await createUser(th, "mon.cli", "monitor", PASSWORD);
    const monitor = await mqtt.connectAsync(th.mqttUrl, {
      clientId: "mon.cli:watch",
      username: "mon.cli",
      password: PASSWORD,
      reconnectPeriod: 0,
    });
    const closed = within(
      new Promise<void>((resolve) => monitor.once("close", () => resolve())),
      15_000,
      "the session to be closed",
    );
    const run = await runCli("hub/accounts/cli.ts", ["disable", "mon.cli", "--data-dir", th.dataDir], {
      ANXIN_DATA_DIR: "",
    });
    expect(run.code).toBe(0);
    await closed;
  });
});
