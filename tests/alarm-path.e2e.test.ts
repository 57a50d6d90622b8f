/**
 * The alarm path end to end, with real parts only: a simulated button over a
 * real MQTT connection to the embedded Aedes broker, SQLite on disk, the real
 * twilio SDK against the local Twilio stand-in, and a WebSocket console.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SimulatedButton } from "../firmware-sim/device.ts";
import type { AlarmSummary } from "../hub/alarms/alarm-views.ts";
import { bruteForceNearest } from "./support/geo.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

interface HouseholdRow {
  id: number;
  lat: number;
  lng: number;
  address: string;
}

describe("alarm path: press → stored → ack → SMS → nearest responders → console → acknowledged", () => {
  let th: TestHub;
  let cookie: string;

  beforeAll(async () => {
    th = await startTestHub();
    cookie = await th.login();
  });
  afterAll(async () => {
    await th?.stop();
  });

  it("carries one press through every stage", async () => {
    const credential = th.demoDevices[4];
    if (!credential) throw new Error("demo district has too few devices");
    const frames: { type: string; alarm?: AlarmSummary }[] = [];
    const socket = new WebSocket(th.wsUrl, { headers: { cookie } });
    socket.on("message", (data) => frames.push(JSON.parse(data.toString()) as { type: string }));
    await waitFor(() => frames.some((f) => f.type === "hello"), 3000, "websocket hello");

    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    await button.start({ timeoutMs: 5000 });
    // Store-before-ack: at the instant the ack arrives, the alarm must already be committed.
    let storedWhenAcked: unknown;
    button.on("ack", (ack) => {
      storedWhenAcked = th.hub.db.prepare("SELECT id FROM alarms WHERE id = ?").get(ack.alarmId);
    });

    const ack = await button.press("sos");
    expect(ack.duplicate).toBe(false);
    expect(ack.alarmId).toBeGreaterThan(0);
    expect(storedWhenAcked).toEqual({ id: ack.alarmId });

    const db = th.hub.db;
    const alarm = db.prepare("SELECT * FROM alarms WHERE id = ?").get(ack.alarmId) as Record<string, unknown>;
    expect(alarm).toMatchObject({ device_id: credential.deviceId, kind: "sos", status: "received" });

    // The nearest on-duty worker and the nearest clinic, checked against brute force over the seeded data.
    const household = db
      .prepare("SELECT h.* FROM households h JOIN devices d ON d.household_id = h.id WHERE d.id = ?")
      .get(credential.deviceId) as HouseholdRow;
    const workers = db.prepare("SELECT * FROM workers WHERE on_duty = 1").all() as {
      id: number;
      lat: number;
      lng: number;
      phone: string;
    }[];
    const clinics = db.prepare("SELECT * FROM clinics").all() as { id: number; lat: number; lng: number }[];
    const expectedWorker = bruteForceNearest(household, workers);
    const expectedClinic = bruteForceNearest(household, clinics);
    await waitFor(
      () =>
        (db.prepare("SELECT worker_id FROM alarms WHERE id = ?").get(ack.alarmId) as { worker_id: number | null })
          .worker_id,
      3000,
      "dispatch",
    );
    const dispatched = db.prepare("SELECT * FROM alarms WHERE id = ?").get(ack.alarmId) as Record<string, number>;
    expect(dispatched.worker_id).toBe(expectedWorker?.item.id);
    expect(dispatched.clinic_id).toBe(expectedClinic?.item.id);
    expect(dispatched.worker_distance_m).toBeCloseTo(expectedWorker?.distanceM ?? -1, -1);
    expect(dispatched.clinic_distance_m).toBeCloseTo(expectedClinic?.distanceM ?? -1, -1);
    const offDuty = db.prepare("SELECT id FROM workers WHERE on_duty = 0").all() as { id: number }[];
    expect(offDuty.map((w) => w.id)).not.toContain(dispatched.worker_id);

    // SMS through the real twilio SDK: one per relative plus the chosen worker, with the right numbers and text.
    const resident = db
      .prepare("SELECT * FROM residents WHERE household_id = ? ORDER BY id LIMIT 1")
      .get(household.id) as {
      id: number;
      name: string;
      conditions: string;
      medications: string;
      allergies: string;
      mobility: string;
    };
    const relatives = db
      .prepare("SELECT phone FROM relatives WHERE resident_id = ? ORDER BY priority")
      .all(resident.id) as {
      phone: string;
    }[];
    const twilio = th.twilio;
    if (!twilio) throw new Error("test hub without Twilio stand-in");
    await twilio.waitForMessages(relatives.length + 1, 5000);
    const texts = twilio.messages.filter((m) => m.body.includes(resident.name));
    expect(texts.map((m) => m.to).sort()).toEqual(
      [...relatives.map((r) => r.phone), expectedWorker?.item.phone].sort(),
    );
    for (const text of texts) {
      expect(text.from).toBe("+15005550006");
      expect(text.body).toContain(household.address);
      expect(text.body).toContain(`http://anxin.test/#/alarms/${ack.alarmId}`);
      // No medical details in SMS: an SMS can be read by whoever holds the phone.
      for (const medical of [resident.conditions, resident.medications, resident.allergies, resident.mobility]) {
        if (medical !== "无") expect(text.body).not.toContain(medical);
      }
    }
    await waitFor(
      () =>
        (
          db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ? AND status = 'sent'").get(ack.alarmId) as {
            n: number;
          }
        ).n ===
        relatives.length + 1,
      3000,
      "outbox marked sent",
    );

    // The console hears about it over the WebSocket, already located.
    const pushed = await waitFor(
      () => frames.find((f) => f.alarm?.id === ack.alarmId),
      3000,
      "alarm pushed to console",
    );
    expect(pushed.alarm?.household?.address).toBe(household.address);
    expect(pushed.alarm?.status).toBe("received");

    // An operator acknowledges over HTTP; the device's feedback turns to `acknowledged`.
    const response = await th.hub.app.inject({
      method: "POST",
      url: `/api/alarms/${ack.alarmId}/acknowledge`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().alarm).toMatchObject({ status: "acknowledged", acknowledgedBy: "admin" });
    await waitFor(() => button.feedbackState === "acknowledged", 3000, "acknowledged feedback on the device");
    await waitFor(
      () => frames.find((f) => f.alarm?.id === ack.alarmId && f.alarm.status === "acknowledged"),
      3000,
      "ack pushed",
    );

    const again = await th.hub.app.inject({
      method: "POST",
      url: `/api/alarms/${ack.alarmId}/acknowledge`,
      headers: { cookie },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("ALARM_STATE_CONFLICT");

    const resolved = await th.hub.app.inject({
      method: "POST",
      url: `/api/alarms/${ack.alarmId}/resolve`,
      headers: { cookie },
      payload: { outcome: "real", note: "家属已到场" },
    });
    expect(resolved.statusCode).toBe(200);
    await waitFor(() => button.feedbackState === "closed", 3000, "closed feedback on the device");

    const events = (
      db.prepare("SELECT type, actor FROM alarm_events WHERE alarm_id = ? ORDER BY id").all(ack.alarmId) as {
        type: string;
        actor: string;
      }[]
    ).filter((e) => !e.type.startsWith("sms_"));
    expect(events).toEqual([
      { type: "received", actor: `device:${credential.deviceId}` },
      { type: "located", actor: "system" },
      { type: "relatives_notified", actor: "system" },
      { type: "dispatch_suggested", actor: "system" },
      { type: "acknowledged", actor: "user:admin" },
      { type: "resolved", actor: "user:admin" },
    ]);
    expect(() => db.prepare("DELETE FROM alarm_events WHERE alarm_id = ?").run(ack.alarmId)).toThrow(/append-only/);

    socket.close();
    await button.stop();
  });

  it("stores a press retried five times as one alarm with one SMS batch", async () => {
    const credential = th.demoDevices[7];
    if (!credential || !th.twilio) throw new Error("fixture missing");
    const { connectAsDevice, publishAndCollect } = await import("./support/raw-device.ts");
    const client = await connectAsDevice(th.mqttUrl, credential);
    const payload = JSON.stringify({
      pressId: "retry-test-press-1",
      kind: "sos",
      deviceTime: new Date().toISOString(),
      seq: 9,
      battery: 80,
    });
    const acks = await publishAndCollect(client, credential.deviceId, "alarm", Array(5).fill(payload), "ack", 5);
    expect(new Set(acks.map((a) => a.alarmId)).size).toBe(1);
    expect(acks.map((a) => a.duplicate)).toEqual([false, true, true, true, true]);

    const db = th.hub.db;
    const count = db.prepare("SELECT COUNT(*) AS n FROM alarms WHERE device_id = ?").get(credential.deviceId) as {
      n: number;
    };
    expect(count.n).toBe(1);
    const alarmId = acks[0]?.alarmId ?? null;
    await th.waitForPipeline(alarmId);
    const expected = (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ?").get(alarmId) as { n: number })
      .n;
    await waitFor(
      () =>
        (
          db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ? AND status = 'sent'").get(alarmId) as {
            n: number;
          }
        ).n === expected,
      3000,
      "batch sent",
    );
    const relatives = db
      .prepare(
        "SELECT COUNT(*) AS n FROM relatives r JOIN residents s ON s.id = r.resident_id JOIN devices d ON d.household_id = s.household_id WHERE d.id = ?",
      )
      .get(credential.deviceId) as { n: number };
    expect(expected).toBe(relatives.n + 1);
    const links = th.twilio.messages.filter((m) => m.body.includes(`/#/alarms/${alarmId}`));
    expect(links).toHaveLength(expected);
    client.end(true);
  });

  it("dispatches from the registry as it is now: a worker who just went off duty is skipped", async () => {
    const credential = th.demoDevices[30];
    if (!credential) throw new Error("fixture missing");
    const db = th.hub.db;
    const household = db
      .prepare("SELECT h.* FROM households h JOIN devices d ON d.household_id = h.id WHERE d.id = ?")
      .get(credential.deviceId) as HouseholdRow;
    const onDuty = () =>
      db.prepare("SELECT * FROM workers WHERE on_duty = 1").all() as { id: number; lat: number; lng: number }[];
    const nearest = bruteForceNearest(household, onDuty());
    if (!nearest) throw new Error("no worker on duty");
    // Changed behind the hub's back, straight in SQLite, as another process (an import) would.
    db.prepare("UPDATE workers SET on_duty = 0 WHERE id = ?").run(nearest.item.id);
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    await th.waitForPipeline(ack.alarmId);
    const chosen = db.prepare("SELECT worker_id FROM alarms WHERE id = ?").get(ack.alarmId) as { worker_id: number };
    expect(chosen.worker_id).not.toBe(nearest.item.id);
    expect(chosen.worker_id).toBe(bruteForceNearest(household, onDuty())?.item.id);
    await button.stop();
  });
});
