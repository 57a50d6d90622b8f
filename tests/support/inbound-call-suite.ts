/**
 * A call to the center's number raises an alarm (issue 14), on each engine
 * (SQLite in tests/inbound-call.e2e.test.ts, PostgreSQL in
 * tests/postgres/inbound-call.e2e.test.ts): a real hub, Twilio's inbound-call
 * webhook signed as Twilio signs it, the real twilio SDK sending the SMS to the
 * stand-in, and a real button pressing over MQTT for the same household.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import { newSid } from "./fake-twilio-resources.ts";
import { startTestHub, type TestHub, waitFor } from "./test-hub.ts";
import { parseTwiml, spoken, verbs } from "./twiml.ts";

interface VoiceAlarm {
  id: number;
  kind: string;
  source: string;
  caller: string | null;
  device_id: string | null;
  household_id: number | null;
  status: string;
  press_count: number;
}

export function describeInboundCalls(engine: "sqlite" | "postgres"): void {
  describe(`calls to the center's number raise alarms, on ${engine}`, () => {
    let th: TestHub;
    beforeAll(async () => {
      th = await startTestHub({ engine });
    }, 60_000);
    afterAll(async () => {
      await th?.stop();
    });

    const alarm = async (id: number) =>
      (await th.hub.sql.get<VoiceAlarm>(
        "SELECT id, kind, source, caller, device_id, household_id, status, press_count FROM alarms WHERE id = ?",
        [id],
      )) as VoiceAlarm;
    const alarmOfCall = async (callSid: string) =>
      (await th.hub.sql.get<{ alarm_id: number }>("SELECT alarm_id FROM inbound_calls WHERE call_sid = ?", [callSid]))
        ?.alarm_id;
    /** What a call writes: alarms, calls and the events callers caused (the stages of earlier alarms may still run). */
    const counts = async () =>
      th.hub.sql.get<{ alarms: number; calls: number; events: number }>(
        `SELECT (SELECT COUNT(*) FROM alarms) AS alarms, (SELECT COUNT(*) FROM inbound_calls) AS calls,
                (SELECT COUNT(*) FROM alarm_events WHERE actor LIKE 'caller:%') AS events`,
      );
    /** A demo household: its id, code, primary resident's phone and language, and its button. */
    async function household(index: number) {
      const credential = th.demoDevices[index];
      if (!credential) throw new Error("demo district has too few devices");
      const row = await th.hub.sql.get<{ id: number; phone: string; language: string }>(
        `SELECT h.id, r.phone, r.language FROM households h JOIN devices d ON d.household_id = h.id
         JOIN residents r ON r.household_id = h.id WHERE d.id = ? ORDER BY r.id LIMIT 1`,
        [credential.deviceId],
      );
      if (!row) throw new Error(`no household for ${credential.deviceId}`);
      return { ...row, credential };
    }

    it("stores a call from a resident's phone as a located SOS before answering, then texts and dispatches as for a press", async () => {
      const home = await household(3);
      const callSid = newSid("CA");
      const answer = await th.twilioWebhooks().inboundCall({ from: home.phone, callSid });
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^text\/xml/);
      // Stored by the time Twilio is answered.
      const alarmId = await alarmOfCall(callSid);
      if (alarmId === undefined) throw new Error("the call raised no alarm");
      expect(await alarm(alarmId)).toMatchObject({
        kind: "sos",
        source: "voice",
        caller: home.phone,
        device_id: null,
        household_id: home.id,
        press_count: 1,
      });
      // The resident hears, in their language, that help is being arranged.
      const said = home.language === "en" ? /Your family is being told/ : /正在通知您的家人/;
      // Nobody on the staff has a phone on record in this hub: the message, then the call ends.
      const twiml = parseTwiml(answer.body);
      expect(verbs(twiml)).toEqual(["Say", "Hangup"]);
      expect(spoken(twiml)).toMatch(said);

      await th.waitForPipeline(alarmId, 15_000);
      expect(await alarm(alarmId)).toMatchObject({ household_id: home.id, status: "offered" });
      const events = await th.hub.sql.all<{ type: string; actor: string }>(
        "SELECT type, actor FROM alarm_events WHERE alarm_id = ? ORDER BY id",
        [alarmId],
      );
      expect(events[0]).toEqual({ type: "received", actor: `caller:${home.phone}` });
      expect(events.map((e) => e.type)).toContain("located");
      const sms = await th.hub.sql.all<{ purpose: string; body: string }>(
        "SELECT purpose, body FROM outbox WHERE alarm_id = ?",
        [alarmId],
      );
      const toRelatives = sms.filter((row) => row.purpose.startsWith("relative:"));
      expect(toRelatives.length).toBeGreaterThan(0);
      // The relatives read that the resident phoned: never that a button was pressed.
      for (const { body } of toRelatives) {
        expect(body).toMatch(/拨打了紧急呼叫电话|phoned the emergency center/);
        expect(body).not.toMatch(/按下了一键呼叫按钮|pressed the call button/);
      }

      // Twilio sending the same webhook again: the same alarm, nothing added.
      const before = await counts();
      const again = await th.twilioWebhooks().inboundCall({ from: home.phone, callSid });
      expect(again.status).toBe(200);
      expect(await counts()).toEqual(before);
      expect((await alarm(alarmId)).press_count).toBe(1);
    });

    it("joins a call and a button press of one household into one alarm, and places a landline's call", async () => {
      const home = await household(5);
      const landline = `+86546${String(9_000_000 + home.id).padStart(8, "0")}`;
      await th.hub.sql.run("UPDATE households SET landline = ? WHERE id = ?", [landline, home.id]);
      const first = await th.twilioWebhooks().inboundCall({ from: landline });
      expect(first.status).toBe(200);
      const voiceAlarm = (await th.hub.sql.get<{ id: number }>(
        "SELECT id FROM alarms WHERE household_id = ? AND source = 'voice' ORDER BY id DESC",
        [home.id],
      )) as { id: number };
      // The household's button pressed meanwhile: acked with the call's alarm, a second press on it.
      const button = new SimulatedButton({
        mqttUrl: th.mqttUrl,
        deviceId: home.credential.deviceId,
        secret: home.credential.secret,
      });
      await button.start({ timeoutMs: 5000 });
      try {
        const ack = await button.press("sos");
        expect(ack.alarmId).toBe(voiceAlarm.id);
      } finally {
        await button.stop();
      }
      // And the resident's own phone once more: the third press on the one incident.
      expect((await th.twilioWebhooks().inboundCall({ from: home.phone })).status).toBe(200);
      expect(await alarm(voiceAlarm.id)).toMatchObject({ source: "voice", household_id: home.id, press_count: 3 });
      const open = await th.hub.sql.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM alarms WHERE incident_scope = ? AND status NOT IN ('resolved', 'followed_up', 'cancelled')",
        [`household:${home.id}`],
      );
      expect(Number(open?.n)).toBe(1);
    });

    it("raises an unplaced alarm for a number the registry does not know, and for a withheld one", async () => {
      const stranger = "+8613700009999";
      const answer = await th.twilioWebhooks().inboundCall({ from: stranger });
      expect(answer.status).toBe(200);
      // Answered in the center's language (zh-CN by default): the operator will call back.
      expect(spoken(parseTwiml(answer.body))).toMatch(/值班人员会马上给您回电/);
      const unplaced = (await th.hub.sql.get<VoiceAlarm>("SELECT * FROM alarms WHERE caller = ?", [
        stranger,
      ])) as VoiceAlarm;
      expect(unplaced).toMatchObject({ source: "voice", household_id: null });
      await th.waitForPipeline(unplaced.id, 15_000);
      const unlocated = await th.hub.sql.get<{ detail: string }>(
        "SELECT detail FROM alarm_events WHERE alarm_id = ? AND type = 'unlocated'",
        [unplaced.id],
      );
      expect(JSON.parse(unlocated?.detail ?? "{}")).toEqual({
        reason: { code: "caller_unknown", params: { caller: stranger } },
      });
      // On the console: the caller, for an operator to place by hand.
      const cookie = await th.login();
      const summary = (await (
        await fetch(`${th.httpUrl}/api/alarms/${unplaced.id}`, { headers: { cookie } })
      ).json()) as { alarm?: { source: string; caller: string | null; deviceId: string | null } };
      expect(summary.alarm ?? summary).toMatchObject({ source: "voice", caller: stranger, deviceId: null });
      // The same stranger calling again joins that alarm.
      await th.twilioWebhooks().inboundCall({ from: stranger });
      expect((await alarm(unplaced.id)).press_count).toBe(2);

      const withheld = newSid("CA");
      expect((await th.twilioWebhooks().inboundCall({ from: "anonymous", callSid: withheld })).status).toBe(200);
      const anonymousId = await alarmOfCall(withheld);
      expect(anonymousId).toBeDefined();
      expect(await alarm(anonymousId ?? 0)).toMatchObject({ source: "voice", caller: null, household_id: null });
      await th.waitForPipeline(anonymousId ?? 0, 15_000);
      const whyWithheld = await th.hub.sql.get<{ detail: string }>(
        "SELECT detail FROM alarm_events WHERE alarm_id = ? AND type = 'unlocated'",
        [anonymousId ?? 0],
      );
      expect(JSON.parse(whyWithheld?.detail ?? "{}")).toEqual({ reason: { code: "caller_withheld", params: {} } });
    });

    it("places an unknown caller's alarm by hand: the stages run again, and the number is kept for the next call", async () => {
      const home = await household(9);
      const stranger = "+8613700007777";
      const callSid = newSid("CA");
      expect((await th.twilioWebhooks().inboundCall({ from: stranger, callSid })).status).toBe(200);
      const alarmId = (await alarmOfCall(callSid)) ?? 0;
      await th.waitForPipeline(alarmId, 15_000);
      const toRelatives = async () =>
        Number(
          (
            await th.hub.sql.get<{ n: number }>(
              "SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ? AND purpose LIKE 'relative:%'",
              [alarmId],
            )
          )?.n,
        );
      expect(await toRelatives()).toBe(0); // nobody to text while nobody knows where the caller is

      const cookie = await th.login();
      const place = (body: unknown, id = alarmId) =>
        fetch(`${th.httpUrl}/api/alarms/${id}/place`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json", origin: th.httpUrl },
          body: JSON.stringify(body),
        });
      // A household that does not exist, and a field that is not there, are refused and change nothing.
      expect((await place({ householdId: 999_999 })).status).toBe(404);
      expect((await place({ householdId: home.id, rememberAs: "mobile" })).status).toBe(400);
      expect((await alarm(alarmId)).household_id).toBeNull();

      const placed = await place({ householdId: home.id, rememberAs: "landline" });
      expect(placed.status).toBe(200);
      await th.waitForPipeline(alarmId, 15_000);
      // Placed and processed as a new alarm: located, relatives texted, a worker offered.
      expect(await alarm(alarmId)).toMatchObject({ household_id: home.id, status: "offered" });
      expect(await toRelatives()).toBeGreaterThan(0);
      const types = (
        await th.hub.sql.all<{ type: string; actor: string }>(
          "SELECT type, actor FROM alarm_events WHERE alarm_id = ? ORDER BY id",
          [alarmId],
        )
      ).map((e) => `${e.type}:${e.actor}`);
      expect(types).toContain("placed:user:admin");
      expect(types.indexOf("located:system")).toBeGreaterThan(types.indexOf("placed:user:admin"));
      // Kept as the household's landline (audited as a registry change); placing twice is refused.
      const landline = await th.hub.sql.get<{ landline: string | null }>(
        "SELECT landline FROM households WHERE id = ?",
        [home.id],
      );
      expect(landline?.landline).toBe(stranger);
      const audit = await th.hub.sql.all<{ action: string; target: string }>(
        "SELECT action, target FROM audit_log WHERE actor = 'user:admin' AND action IN ('alarm_placed', 'registry_updated') ORDER BY id",
      );
      expect(audit).toEqual([
        { action: "registry_updated", target: `household:${home.id}` },
        { action: "alarm_placed", target: `alarm:${alarmId}` },
      ]);
      expect((await place({ householdId: home.id })).status).toBe(409);

      // The next call from that number is placed at once, and joins the open alarm.
      expect((await th.twilioWebhooks().inboundCall({ from: stranger })).status).toBe(200);
      expect((await alarm(alarmId)).press_count).toBe(2);

      // A withheld number cannot be kept; and an alarm cannot be placed where an emergency is already open.
      const withheldSid = newSid("CA");
      await th.twilioWebhooks().inboundCall({ from: "anonymous", callSid: withheldSid });
      const withheldId = (await alarmOfCall(withheldSid)) ?? 0;
      expect((await place({ householdId: home.id, rememberAs: "resident_phone" }, withheldId)).status).toBe(400);
      const duplicate = await place({ householdId: home.id }, withheldId);
      expect(duplicate.status).toBe(409);
      expect(((await duplicate.json()) as { message: string }).message).toContain(`open alarm ${alarmId}`);
      expect((await alarm(withheldId)).household_id).toBeNull();
    });

    it("places by hand the alarm of a button bound to no household, and a replayed call adds nothing", async () => {
      const home = await household(11);
      await th.hub.sql.run("UPDATE devices SET household_id = NULL WHERE id = ?", [home.credential.deviceId]);
      const button = new SimulatedButton({
        mqttUrl: th.mqttUrl,
        deviceId: home.credential.deviceId,
        secret: home.credential.secret,
      });
      await button.start({ timeoutMs: 5000 });
      let acked: number | null;
      try {
        acked = (await button.press("sos")).alarmId;
      } finally {
        await button.stop();
      }
      const alarmId = Number(acked);
      await th.waitForPipeline(alarmId, 15_000);
      expect((await alarm(alarmId)).household_id).toBeNull();
      const cookie = await th.login();
      const placed = await fetch(`${th.httpUrl}/api/alarms/${alarmId}/place`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", origin: th.httpUrl },
        body: JSON.stringify({ householdId: home.id }),
      });
      expect(placed.status).toBe(200);
      await th.waitForPipeline(alarmId, 15_000);
      // Located where the operator placed it, although its button still belongs to no household.
      expect(await alarm(alarmId)).toMatchObject({ household_id: home.id, status: "offered" });

      // Twilio sending a call's webhook twice: one "nobody took the call" line, not two.
      const callSid = newSid("CA");
      for (let i = 0; i < 2; i++) await th.twilioWebhooks().inboundCall({ from: "+8613700005555", callSid });
      const unanswered = await th.hub.sql.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM alarm_events WHERE type = 'call_unanswered' AND alarm_id = ?",
        [(await alarmOfCall(callSid)) ?? 0],
      );
      expect(Number(unanswered?.n)).toBe(1);
    });

    it("refuses unsigned, forged and other-account calls with 403 and stores nothing", async () => {
      const home = await household(7);
      const before = await counts();
      const hooks = th.twilioWebhooks();
      for (const options of [{ signature: null }, { signature: "forged" }, { authToken: "not-our-token" }]) {
        const refused = await hooks.inboundCall({ from: home.phone }, options);
        expect(refused.status).toBe(403);
      }
      expect(await counts()).toEqual(before);
      // A webhook that is no inbound call (no CallSid) is refused too, signed or not.
      expect((await hooks.post("/api/twilio/voice/inbound", { AccountSid: "x", From: home.phone })).status).toBe(403);
      expect(await counts()).toEqual(before);
      await waitFor(() => th.logs.find((line) => line.code === "TWILIO_SIGNATURE_INVALID"), 3000, "the refusal logged");
    });
  });
}
