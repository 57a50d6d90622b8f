/**
 * The alarm path end to end, with real parts only: a simulated button over a
 * real MQTT connection to the embedded Aedes broker, SQLite on disk, the real
 * twilio SDK against the local Twilio stand-in, and a WebSocket console.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { openConsoleFeed } from "./support/console-feed.ts";
import { bruteForceClinic, bruteForceRanking, busyWorkerIds } from "./support/dispatch-oracle.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

interface HouseholdRow {
  id: number;
  lat: number;
  lng: number;
  address: string;
  grid_id: number;
  key_holder: string;
}

interface WorkerRow {
  id: number;
  code: string;
  lat: number;
  lng: number;
  on_duty: number;
  grid_id: number;
  phone: string;
}

/** The demo config's defaults: top 5, own grid preferred within 1000 m. */
const RANKING = { size: 5, gridPreferenceM: 1000 };

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
    const feed = await openConsoleFeed(th.wsUrl, cookie);

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
    expect(alarm).toMatchObject({ device_id: credential.deviceId, kind: "sos" });
    // An SOS is offered to a worker at once, without waiting for an operator: unassigned → offered.
    await th.waitForPipeline(ack.alarmId);
    expect(db.prepare("SELECT status FROM alarms WHERE id = ?").get(ack.alarmId)).toEqual({ status: "offered" });

    // The first ranked worker and the clinic, checked against brute force over the seeded data.
    const household = db
      .prepare("SELECT h.* FROM households h JOIN devices d ON d.household_id = h.id WHERE d.id = ?")
      .get(credential.deviceId) as HouseholdRow;
    const workers = db.prepare("SELECT * FROM workers").all() as WorkerRow[];
    const clinics = db.prepare("SELECT * FROM clinics").all() as {
      id: number;
      lat: number;
      lng: number;
      phone: string;
      capabilities: string;
      hours: string;
    }[];
    const ranking = bruteForceRanking(household, workers, busyWorkerIds(db, ack.alarmId), RANKING);
    const first = ranking[0];
    const expectedWorker = workers.find((w) => w.id === first?.id);
    if (!first || !expectedWorker) throw new Error("no worker on duty in the demo district");
    const expectedClinic = bruteForceClinic(household, clinics, {
      at: new Date(),
      timeZone: "Asia/Shanghai",
      sos: true,
    });
    expect(expectedClinic).not.toBeNull();
    await waitFor(
      () =>
        (db.prepare("SELECT worker_id FROM alarms WHERE id = ?").get(ack.alarmId) as { worker_id: number | null })
          .worker_id,
      3000,
      "dispatch",
    );
    const dispatched = db.prepare("SELECT * FROM alarms WHERE id = ?").get(ack.alarmId) as Record<string, number>;
    expect(dispatched.worker_id).toBe(expectedWorker.id);
    expect(dispatched.clinic_id).toBe(expectedClinic?.item.id);
    expect(dispatched.worker_distance_m).toBeCloseTo(first.distanceM, -1);
    expect(dispatched.clinic_distance_m).toBeCloseTo(expectedClinic?.distanceM ?? -1, -1);
    const offDuty = db.prepare("SELECT id FROM workers WHERE on_duty = 0").all() as { id: number }[];
    expect(offDuty.map((w) => w.id)).not.toContain(dispatched.worker_id);

    const stored = db
      .prepare("SELECT dispatch_ranking, dispatch_reason, clinic_reason FROM alarms WHERE id = ?")
      .get(ack.alarmId) as { dispatch_ranking: string; dispatch_reason: string; clinic_reason: string };
    const storedRanking = JSON.parse(stored.dispatch_ranking) as {
      entries: { workerId: number; reasonCode: string; reason: { code: string } }[];
    };
    expect(storedRanking.entries.map((e) => e.workerId)).toEqual(ranking.map((r) => r.id));
    for (const entry of storedRanking.entries) expect(entry.reason.code).toBe(entry.reasonCode);
    // Coded reasons, stored as JSON in the TEXT columns.
    expect(JSON.parse(stored.dispatch_reason)).toMatchObject({
      code: "offer_ranked",
      params: { rank: 1, workerCode: expectedWorker.code },
    });
    expect(JSON.parse(stored.clinic_reason)).toMatchObject({ code: "clinic_nearest", params: { sos: 1 } });
    const offer = db.prepare("SELECT * FROM dispatch_offers WHERE alarm_id = ?").all(ack.alarmId) as {
      id: number;
      worker_id: number;
      status: string;
      rank: number;
    }[];
    expect(offer).toEqual([expect.objectContaining({ worker_id: expectedWorker.id, status: "offered", rank: 1 })]);

    // SMS through the real twilio SDK: one per relative of the first wave, the offered worker and the clinic, with the right numbers and text.
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
    // The first wave (ANXIN_RELATIVES_FIRST_WAVE, 2): a third relative is texted only if nobody confirms in time.
    const relatives = db
      .prepare("SELECT phone FROM relatives WHERE resident_id = ? ORDER BY priority LIMIT 2")
      .all(resident.id) as {
      phone: string;
    }[];
    const twilio = th.twilio;
    if (!twilio) throw new Error("test hub without Twilio stand-in");
    await twilio.waitForMessages(relatives.length + 2, 5000);
    const texts = twilio.messages.filter((m) => m.body.includes(resident.name));
    expect(texts.map((m) => m.to).sort()).toEqual(
      [...relatives.map((r) => r.phone), expectedWorker.phone, expectedClinic?.item.phone].sort(),
    );
    const medicalDetails = [resident.conditions, resident.medications, resident.allergies, resident.mobility].filter(
      (m) => m !== "无",
    );
    for (const text of texts) {
      expect(text.from).toBe("+15005550006");
      expect(text.body).toContain(household.address);
      if (text.to === expectedClinic?.item.phone) continue;
      if (text.to === expectedWorker.phone) {
        // The worker's offer: the worker page link, who holds a key, and no medical details.
        expect(text.body).toContain(`http://anxin.test/worker/#/offers/${offer[0]?.id}`);
        expect(text.body).toContain(household.key_holder);
      } else {
        // The relative's own family page, never the operators' console; only its hash is stored, for this relative.
        expect(text.body).not.toContain("/#/alarms/");
        const token = /http:\/\/anxin\.test\/f\/([A-Za-z0-9_-]{43})$/.exec(text.body)?.[1] ?? "";
        const link = db
          .prepare(
            "SELECT l.alarm_id, r.phone FROM family_links l JOIN relatives r ON r.id = l.relative_id WHERE token_hash = ?",
          )
          .get(createHash("sha256").update(token).digest("hex"));
        expect(link).toEqual({ alarm_id: ack.alarmId, phone: text.to });
      }
      // No medical details in relatives' or workers' SMS: an SMS can be read by whoever holds the phone.
      for (const medical of medicalDetails) expect(text.body).not.toContain(medical);
    }
    // The clinic gets the medical summary only when the resident's consent is on record, and that is audited.
    const clinicText = texts.find((m) => m.to === expectedClinic?.item.phone)?.body ?? "";
    const consent = (
      db.prepare("SELECT consent FROM residents WHERE id = ?").get(resident.id) as { consent: string | null }
    ).consent;
    const disclosures = db
      .prepare("SELECT actor, target, detail FROM audit_log WHERE action = 'health_data_disclosed' AND target = ?")
      .all(`resident:${resident.id}`) as { actor: string; target: string; detail: string }[];
    if (consent) {
      for (const medical of [resident.conditions, resident.medications, resident.allergies]) {
        expect(clinicText).toContain(medical);
      }
      expect(disclosures).toHaveLength(1);
      expect(JSON.parse(disclosures[0]?.detail ?? "{}")).toMatchObject({
        to: `clinic:${expectedClinic?.item.id}`,
        alarmId: ack.alarmId,
      });
    } else {
      expect(clinicText).toContain("未记录居民同意");
      for (const medical of medicalDetails) expect(clinicText).not.toContain(medical);
      expect(disclosures).toEqual([]);
    }
    await waitFor(
      () =>
        (
          db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ? AND status = 'sent'").get(ack.alarmId) as {
            n: number;
          }
        ).n ===
        relatives.length + 2,
      3000,
      "outbox marked sent",
    );

    // The console hears about it over the WebSocket (at once, then as each stage changes it: see console-push.e2e).
    const pushed = await waitFor(
      () => feed.alarms.find((a) => a.id === ack.alarmId && a.status === "offered"),
      3000,
      "the located, offered alarm pushed to console",
    );
    expect(pushed.household?.address).toBe(household.address);
    expect(pushed.status).toBe("offered");
    expect(pushed.acknowledgedAt).toBeNull();
    // An offer nobody has accepted tells the resident nothing: no operator has taken the call yet.
    expect(pushed.buttonState).toBe("received");
    expect(button.feedbackState).toBe("received");

    // An operator acknowledges over HTTP: the alarm keeps its dispatch state and gains the acknowledgement.
    const response = await th.hub.app.inject({
      method: "POST",
      url: `/api/alarms/${ack.alarmId}/acknowledge`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().alarm).toMatchObject({ status: "offered", acknowledgedBy: "admin" });
    await waitFor(() => button.feedbackState === "acknowledged", 3000, "acknowledged feedback");
    await waitFor(
      () => feed.alarms.find((a) => a.id === ack.alarmId && a.acknowledgedBy === "admin"),
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
    // The open offer is withdrawn, and the worker is told they are no longer needed.
    expect(db.prepare("SELECT status FROM dispatch_offers WHERE id = ?").get(offer[0]?.id)).toEqual({
      status: "withdrawn",
    });
    const standDown = await waitFor(
      () => twilio.messages.find((m) => m.to === expectedWorker.phone && m.body.includes(`#${ack.alarmId}`)),
      3000,
      "stand-down SMS to the worker",
    );
    expect(standDown.body).toContain("无需再前往");
    // The texted relatives hear how it ended, in plain words (issue 10).
    for (const relative of relatives) {
      await waitFor(
        () => twilio.messages.find((m) => m.to === relative.phone && m.body.includes("工作人员已提供帮助")),
        3000,
        `closing SMS to ${relative.phone}`,
      );
    }

    const events = (
      db.prepare("SELECT type, actor FROM alarm_events WHERE alarm_id = ? ORDER BY id").all(ack.alarmId) as {
        type: string;
        actor: string;
      }[]
    ).filter((e) => !e.type.startsWith("sms_"));
    expect(events).toEqual([
      { type: "received", actor: `device:${credential.deviceId}` },
      { type: "located", actor: "system" },
      { type: "relatives_wave_sent", actor: "system" },
      { type: "dispatch_ranked", actor: "system" },
      { type: "clinic_selected", actor: "system" },
      { type: "offer_sent", actor: "system" },
      { type: "acknowledged", actor: "user:admin" },
      { type: "offer_withdrawn", actor: "user:admin" },
      { type: "relatives_cascade_stopped", actor: "user:admin" },
      { type: "resolved", actor: "user:admin" },
      { type: "family_updated", actor: "system" },
    ]);
    expect(() => db.prepare("DELETE FROM alarm_events WHERE alarm_id = ?").run(ack.alarmId)).toThrow(/append-only/);

    feed.close();
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
    // Each retry after the ack before it, as a device retries: every copy is acked, the later ones as duplicates.
    // (A copy that comes while the first is still being stored is answered by the first one's ack alone:
    // tests/intake-gate.e2e.test.ts.)
    const acks = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const [ack] = await publishAndCollect(client, credential.deviceId, "alarm", [payload], "ack", 1);
      if (ack) acks.push(ack);
      client.removeAllListeners("message");
    }
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
    // One per relative of the first wave (at most 2), the offered worker, and the clinic: each sent exactly once.
    const firstWave = Math.min(relatives.n, 2);
    expect(expected).toBe(firstWave + 2);
    const sids = new Set(
      (db.prepare("SELECT provider_ref FROM outbox WHERE alarm_id = ?").all(alarmId) as { provider_ref: string }[]).map(
        (r) => r.provider_ref,
      ),
    );
    expect(sids.size).toBe(expected);
    expect(th.twilio.messages.filter((m) => sids.has(m.sid))).toHaveLength(expected);
    const links = th.twilio.messages.filter((m) => sids.has(m.sid) && /\/f\/[\w-]{43}$/.test(m.body));
    expect(links).toHaveLength(firstWave);
    client.end(true);
  });

  it("dispatches from the registry as it is now: a worker who just went off duty is skipped", async () => {
    const credential = th.demoDevices[30];
    if (!credential) throw new Error("fixture missing");
    const db = th.hub.db;
    const household = db
      .prepare("SELECT h.* FROM households h JOIN devices d ON d.household_id = h.id WHERE d.id = ?")
      .get(credential.deviceId) as HouseholdRow;
    const first = () =>
      bruteForceRanking(
        household,
        db.prepare("SELECT * FROM workers").all() as WorkerRow[],
        busyWorkerIds(db, null),
        RANKING,
      )[0];
    const nearest = first();
    if (!nearest) throw new Error("no worker on duty");
    // Changed behind the hub's back, straight in SQLite, as another process (an import) would.
    db.prepare("UPDATE workers SET on_duty = 0 WHERE id = ?").run(nearest.id);
    const expected = first();
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    await th.waitForPipeline(ack.alarmId);
    const chosen = db.prepare("SELECT worker_id FROM alarms WHERE id = ?").get(ack.alarmId) as { worker_id: number };
    expect(chosen.worker_id).not.toBe(nearest.id);
    expect(chosen.worker_id).toBe(expected?.id);
    await button.stop();
  });
});
