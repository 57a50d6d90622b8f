/**
 * The whole hub on PostgreSQL (`ANXIN_DATABASE_URL`), end to end with real
 * parts: the hub migrates an empty database and seeds the demo district, a
 * simulated button presses over MQTT, the alarm is stored before the ack and
 * runs every stage, its SMS leave through the real twilio SDK to the local
 * stand-in, a console sees it live, and an operator acknowledges and resolves
 * it. A retried press is acked as a duplicate and opens nothing, and the alarm
 * survives a restart of the hub on the same database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import { openConsoleFeed } from "../support/console-feed.ts";
import { connectAsDevice, publishAndCollect } from "../support/raw-device.ts";
import { startTestHub, type TestHub, waitFor } from "../support/test-hub.ts";
import { type ScratchDatabase, scratchDatabase } from "./scratch-database.ts";

describe("the hub on PostgreSQL: press → stored → ack → stages → SMS → console → closed", () => {
  let database: ScratchDatabase;
  let th: TestHub;
  let cookie: string;

  beforeAll(async () => {
    // Not migrated here: the hub brings an empty database to its schema at start.
    database = await scratchDatabase("hub", { migrate: false });
    th = await startTestHub({ env: { ANXIN_DATABASE_URL: database.url } });
    cookie = await th.login();
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
    await database?.drop();
  });

  it("has no SQLite file and seeded the demo district into PostgreSQL", async () => {
    expect(() => th.hub.db).toThrow(/PostgreSQL/);
    expect(th.hub.sql.dialect).toBe("postgres");
    expect(th.demoDevices.length).toBeGreaterThan(100);
    const households = await database.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM households");
    expect(households?.n).toBe(th.demoDevices.length);
  });

  it("carries one press through every stage, and a retry of it opens nothing", async () => {
    const credential = th.demoDevices[7];
    if (!credential) throw new Error("demo district has too few devices");
    const feed = await openConsoleFeed(th.wsUrl, cookie);
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    await button.start({ timeoutMs: 5000 });
    try {
      const ack = await button.press("sos");
      expect(ack.duplicate).toBe(false);
      const alarmId = ack.alarmId;
      if (alarmId === null) throw new Error("acked without an alarm");
      // Stored (committed, read from another connection of the pool) by the time the ack arrived.
      expect(await database.sql.get("SELECT device_id, kind FROM alarms WHERE id = ?", [ack.alarmId])).toEqual({
        device_id: credential.deviceId,
        kind: "sos",
      });

      await th.waitForPipeline(ack.alarmId, 15_000);
      const alarm = await th.hub.sql.get<{ status: string; household_id: number; worker_id: number | null }>(
        "SELECT status, household_id, worker_id FROM alarms WHERE id = ?",
        [ack.alarmId],
      );
      expect(alarm).toMatchObject({ status: "offered" });
      expect(alarm?.worker_id).not.toBeNull();
      const offers = await th.hub.sql.all<{ worker_id: number; status: string }>(
        "SELECT worker_id, status FROM dispatch_offers WHERE alarm_id = ?",
        [ack.alarmId],
      );
      expect(offers).toEqual([{ worker_id: alarm?.worker_id, status: "offered" }]);

      // The relatives' first wave, the worker and the clinic, through the real twilio SDK.
      const relatives = await th.hub.sql.all<{ phone: string }>(
        `SELECT phone FROM relatives WHERE resident_id =
           (SELECT id FROM residents WHERE household_id = ? ORDER BY id LIMIT 1) ORDER BY priority LIMIT 2`,
        [alarm?.household_id ?? 0],
      );
      const worker = await th.hub.sql.get<{ phone: string }>("SELECT phone FROM workers WHERE id = ?", [
        alarm?.worker_id ?? 0,
      ]);
      const twilio = th.twilio;
      if (!twilio) throw new Error("no Twilio stand-in");
      await waitFor(
        () => {
          const to = new Set(twilio.messages.map((m) => m.to));
          return relatives.every((r) => to.has(r.phone)) && worker && to.has(worker.phone);
        },
        10_000,
        "the relatives' and the worker's SMS",
      );
      const sent = await th.hub.sql.all<{ status: string }>("SELECT status FROM outbox WHERE alarm_id = ?", [
        ack.alarmId,
      ]);
      expect(sent.length).toBeGreaterThanOrEqual(relatives.length + 2);

      // On the console at once.
      await waitFor(() => feed.latest().get(alarmId), 5000, "the alarm on the console");

      // The device did not hear the ack and sends the same press again: acked as the same alarm, nothing new.
      const pressId = await th.hub.sql.get<{ press_id: string }>("SELECT press_id FROM presses WHERE alarm_id = ?", [
        ack.alarmId,
      ]);
      const raw = await connectAsDevice(th.mqttUrl, credential);
      const payload = JSON.stringify({
        pressId: pressId?.press_id,
        kind: "sos",
        deviceTime: new Date().toISOString(),
        seq: 1,
        battery: 80,
        attempt: 2,
      });
      const [retry] = await publishAndCollect(raw, credential.deviceId, "alarm", [payload], "ack", 1);
      await raw.endAsync();
      expect(retry).toMatchObject({ alarmId: ack.alarmId, duplicate: true });
      const presses = await th.hub.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM presses WHERE alarm_id = ?", [
        ack.alarmId,
      ]);
      expect(presses?.n).toBe(1);

      // The operator acknowledges and resolves it; the console follows.
      for (const [action, body] of [
        ["acknowledge", {}],
        ["resolve", { outcome: "false_alarm", note: "pressed by mistake" }],
      ] as const) {
        const response = await fetch(`${th.httpUrl}/api/alarms/${ack.alarmId}/${action}`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json", origin: th.httpUrl },
          body: JSON.stringify(body),
        });
        expect(response.status, `${action}: ${await response.clone().text()}`).toBe(200);
      }
      await waitFor(() => feed.latest().get(alarmId)?.status === "resolved", 5000, "resolved on the console");
      feed.close();
    } finally {
      await button.stop();
    }
  });

  it("finds its alarms again after a restart on the same database", async () => {
    const before = await th.hub.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM alarms");
    await th.restart();
    expect(th.hub.sql.dialect).toBe("postgres");
    const after = await th.hub.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM alarms");
    expect(after?.n).toBe(before?.n);
    const response = await fetch(`${th.httpUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", database: true });
  });
});
