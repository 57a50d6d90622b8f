/**
 * Devices through the registry API against the hub's real broker: a
 * provisioned secret logs in over MQTT, a rotated one stops working, a revoked
 * device is refused, and no secret ever lands in the database or the audit log.
 */
import type { FastifyInstance } from "fastify";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashDeviceSecret } from "../hub/accounts/device-secret.ts";
import { buildRegistryApp, caller } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

describe("registry devices", () => {
  let th: TestHub;
  let app: FastifyInstance;
  let call: ReturnType<typeof caller>;
  let admin: string;

  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    app = await buildRegistryApp(th);
    call = caller(app);
    admin = await th.login();
  });
  afterAll(async () => {
    await app?.close();
    await th?.stop();
  });

  /** "connected", or the CONNACK return code the broker refused with (4: bad secret, 5: not authorised). */
  async function connectAs(id: string, secret: string): Promise<"connected" | number> {
    try {
      const client = await mqtt.connectAsync(th.mqttUrl, {
        clientId: id,
        username: id,
        password: secret,
        reconnectPeriod: 0,
        connectTimeout: 3000,
      });
      await client.endAsync(true);
      return "connected";
    } catch (error) {
      return (error as { code?: number }).code ?? -1;
    }
  }

  it("provisions a device whose one-time secret logs in over MQTT, then rotates and revokes it", async () => {
    const provisioned = await call("POST", "/api/registry/devices", admin, { id: "T-BTN-1", householdId: 3 });
    expect(provisioned.statusCode).toBe(201);
    expect(provisioned.headers["cache-control"]).toBe("no-store");
    const { device, secret } = provisioned.json();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(device).toMatchObject({
      id: "T-BTN-1",
      status: "active",
      online: false,
      household: { id: 3, code: "KL-H0003" },
    });
    const stored = th.hub.db.prepare("SELECT secret_hash FROM devices WHERE id = 'T-BTN-1'").get() as {
      secret_hash: string;
    };
    expect(stored.secret_hash).toBe(hashDeviceSecret(secret));
    expect(await connectAs("T-BTN-1", secret)).toBe("connected");
    expect(await connectAs("T-BTN-1", "not-the-secret")).toBe(4);

    // The secret is not shown again.
    const read = await call("GET", "/api/registry/devices/T-BTN-1", admin);
    expect(JSON.stringify(read.json())).not.toContain(secret);
    expect(read.json()).not.toHaveProperty("secretHash");

    const rotated = await call("POST", "/api/registry/devices/T-BTN-1/rotate", admin);
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().secret as string;
    expect(newSecret).not.toBe(secret);
    expect(rotated.json().device.secretRotatedAt).toEqual(expect.any(String));
    expect(await connectAs("T-BTN-1", secret)).toBe(4);
    expect(await connectAs("T-BTN-1", newSecret)).toBe("connected");

    const revoked = await call("POST", "/api/registry/devices/T-BTN-1/revoke", admin);
    expect(revoked.json()).toMatchObject({ status: "revoked", revokedAt: expect.any(String) });
    expect(await connectAs("T-BTN-1", newSecret)).toBe(5);
    const again = await call("POST", "/api/registry/devices/T-BTN-1/rotate", admin);
    expect([again.statusCode, again.json().code]).toEqual([409, "REGISTRY_CONFLICT"]);
    const rebind = await call("PATCH", "/api/registry/devices/T-BTN-1", admin, { householdId: 4 });
    expect(rebind.json().code).toBe("REGISTRY_CONFLICT");

    const audit = th.hub.db
      .prepare(
        "SELECT action, actor, detail FROM audit_log WHERE target = 'device:T-BTN-1' AND action NOT LIKE 'mqtt_%' ORDER BY id",
      )
      .all() as { action: string; actor: string; detail: string | null }[];
    expect(audit.map((row) => row.action)).toEqual(["device_provisioned", "device_secret_rotated", "device_revoked"]);
    // The refused MQTT logins above are audited too, by the address they came from.
    const refusedLogins = th.hub.db
      .prepare("SELECT actor FROM audit_log WHERE target = 'device:T-BTN-1' AND action = 'mqtt_login_failed'")
      .all() as { actor: string }[];
    expect(refusedLogins.length).toBeGreaterThan(0);
    expect(refusedLogins.every((row) => row.actor === "anonymous@127.0.0.1")).toBe(true);
    expect(audit.every((row) => row.actor === "user:admin")).toBe(true);
    for (const row of audit) {
      expect(row.detail ?? "").not.toContain(secret);
      expect(row.detail ?? "").not.toContain(newSecret);
    }
  });

  it("lists devices with last seen, battery and online state, filtered and paged", async () => {
    th.hub.db
      .prepare(
        "UPDATE devices SET online = 1, battery = 87, last_seen_at = '2026-01-05T01:02:03.000Z' WHERE id = 'KL-0002'",
      )
      .run();
    const page = await call("GET", "/api/registry/devices?q=KL-0002", admin);
    expect(page.json()).toMatchObject({
      total: 1,
      items: [{ id: "KL-0002", online: true, battery: 87, lastSeenAt: "2026-01-05T01:02:03.000Z", status: "active" }],
    });
    const revoked = await call("GET", "/api/registry/devices?status=revoked", admin);
    expect(revoked.json().items.map((d: { id: string }) => d.id)).toEqual(["T-BTN-1"]);
    const byHousehold = await call("GET", "/api/registry/devices?householdId=5", admin);
    expect(byHousehold.json().items.map((d: { id: string }) => d.id)).toEqual(["KL-0005"]);
  });

  it("binds and unbinds, refuses duplicates and user names, and deletes only devices without history", async () => {
    const provisioned = await call("POST", "/api/registry/devices", admin, { id: "T-BTN-2" });
    expect(provisioned.json().device.household).toBeNull();
    const bound = await call("PATCH", "/api/registry/devices/T-BTN-2", admin, { householdId: 7 });
    expect(bound.json().household).toMatchObject({ id: 7, code: "KL-H0007" });
    const unknown = await call("PATCH", "/api/registry/devices/T-BTN-2", admin, { householdId: 99999 });
    expect(unknown.json().errors).toEqual([{ field: "body.householdId", message: "no household with id 99999" }]);
    const unbound = await call("PATCH", "/api/registry/devices/T-BTN-2", admin, { householdId: null });
    expect(unbound.json().household).toBeNull();

    const duplicate = await call("POST", "/api/registry/devices", admin, { id: "KL-0001" });
    expect([duplicate.statusCode, duplicate.json().code]).toEqual([409, "REGISTRY_DUPLICATE"]);
    const username = await call("POST", "/api/registry/devices", admin, { id: "admin" });
    expect([username.statusCode, username.json().code]).toEqual([409, "REGISTRY_DUPLICATE"]);

    expect((await call("DELETE", "/api/registry/devices/T-BTN-2", admin)).statusCode).toBe(204);
    expect((await call("GET", "/api/registry/devices/T-BTN-2", admin)).statusCode).toBe(404);

    th.hub.db
      .prepare(
        "INSERT INTO presses (device_id, press_id, kind, device_time, seq, battery, received_at) VALUES ('KL-0001', 'p-1', 'sos', ?, 1, 90, ?)",
      )
      .run(new Date().toISOString(), new Date().toISOString());
    const withHistory = await call("DELETE", "/api/registry/devices/KL-0001", admin);
    expect(withHistory.statusCode).toBe(409);
    expect(withHistory.json()).toMatchObject({
      code: "REGISTRY_IN_USE",
      message: expect.stringMatching(/revoke it instead/),
    });
  });
});
