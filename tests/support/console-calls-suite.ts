/**
 * Operators call back from the console (issue 14), on each engine (SQLite in
 * tests/console-calls.e2e.test.ts, PostgreSQL in tests/postgres/console-calls.e2e.test.ts):
 * a real hub with recording on, the real twilio SDK creating the call at the
 * stand-in (through the outbox), and Twilio's signed callbacks about the
 * callee's leg and the recording played back as Twilio would post them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsoleCallPlayer } from "./console-call-player.ts";
import { FAKE_RECORDING_AUDIO } from "./fake-twilio.ts";
import type { FakeTwilioCall } from "./fake-twilio-resources.ts";
import { newSid } from "./fake-twilio-resources.ts";
import { startTestHub, TEST_TWILIO, type TestHub, waitFor } from "./test-hub.ts";
import { spoken, verbs } from "./twiml.ts";

const PASSWORD = "console-calls-Passw0rd!";
const OPERATOR_PHONE = "+8613900000021";

interface Detail {
  id: number;
  relatives: { id: number; name: string; phone: string }[];
  callable: { resident: boolean; landline: boolean; keyHolder: boolean; worker: boolean };
  calls: {
    id: number;
    by: string;
    target: string;
    name: string;
    status: string | null;
    durationS: number | null;
    mark: string | null;
    markedBy: string | null;
    recorded: boolean;
  }[];
  events: { type: string; actor: string; detail: Record<string, unknown> | null }[];
}

export function describeConsoleCalls(engine: "sqlite" | "postgres"): void {
  describe(`operators call back from the console, on ${engine}`, () => {
    let th: TestHub;
    const cookies: Record<string, string> = {};

    beforeAll(async () => {
      th = await startTestHub({ engine, env: { ANXIN_CALL_RECORDING: "true" } });
      const staff: [string, string, string | null][] = [
        ["op_call", "operator", OPERATOR_PHONE],
        ["op_nophone", "operator", null],
        ["sup_call", "supervisor", "sip:sup@center.example"],
      ];
      for (const [username, role, contact] of staff) {
        await th.hub.accounts.create(
          { name: "test", userId: null },
          { username, displayName: username, role, contact },
          { password: PASSWORD, mustChange: false },
        );
        cookies[username] = await th.login(username, PASSWORD);
      }
      cookies.admin = await th.login();
    }, 60_000);
    afterAll(async () => {
      await th?.stop();
    });

    const api = async (who: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${th.httpUrl}${path}`, {
        method,
        headers: {
          cookie: cookies[who] ?? "",
          origin: th.httpUrl,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    const detail = async (alarmId: number) =>
      (await api("op_call", "GET", `/api/alarms/${alarmId}`)).body.alarm as unknown as Detail;
    /** A located SOS of a demo household (raised by a call from the resident's phone), its stages run. */
    async function alarmOfHousehold(index: number): Promise<number> {
      const resident = await th.hub.sql.get<{ phone: string }>(
        `SELECT r.phone FROM residents r JOIN devices d ON d.household_id = r.household_id
         WHERE d.id = ? ORDER BY r.id LIMIT 1`,
        [th.demoDevices[index]?.deviceId ?? ""],
      );
      const callSid = newSid("CA");
      await th.twilioWebhooks().inboundCall({ from: resident?.phone ?? "", callSid });
      const row = await th.hub.sql.get<{ alarm_id: number }>("SELECT alarm_id FROM inbound_calls WHERE call_sid = ?", [
        callSid,
      ]);
      const alarmId = Number(row?.alarm_id);
      await th.waitForPipeline(alarmId, 15_000);
      return alarmId;
    }
    /** The call the hub placed to `to` through the stand-in, once the outbox has sent it. */
    const callTo = (to: string, after: number) =>
      waitFor(
        () => th.twilio?.calls.find((c, i) => i >= after && c.to === to),
        10_000,
        `a call to ${to}`,
      ) as Promise<FakeTwilioCall>;

    it("rings the operator's phone, dials the resident with the center's number, and follows the callee's leg forward only", async () => {
      const alarmId = await alarmOfHousehold(20);
      const before = (await detail(alarmId)).callable;
      expect(before.resident).toBe(true);
      const callsBefore = th.twilio?.calls.length ?? 0;
      const placed = await api("op_call", "POST", `/api/alarms/${alarmId}/calls`, { target: "resident" });
      expect(placed.status).toBe(202);
      const callId = Number(placed.body.callId);

      // The operator's own phone is rung (through the outbox and the real SDK); its TwiML dials the resident.
      const call = await callTo(OPERATOR_PHONE, callsBefore);
      expect(call.statusCallback).toBe("http://anxin.test/api/twilio/status");
      const play = new ConsoleCallPlayer(th.twilioWebhooks(), call);
      expect(verbs(play.twiml)).toEqual(["Say", "Dial", "Say"]);
      const resident = await th.hub.sql.get<{ name: string; phone: string }>(
        "SELECT r.name, r.phone FROM residents r JOIN alarms a ON a.resident_id = r.id WHERE a.id = ?",
        [alarmId],
      );
      expect(spoken(play.twiml)).toContain(`正在为您接通 ${resident?.name}`);
      expect(play.dial.attrs).toMatchObject({
        callerId: TEST_TWILIO.from,
        record: "record-from-answer-dual",
        recordingStatusCallback: `http://anxin.test/api/twilio/voice/recording?call=${callId}`,
      });
      expect(play.number.text).toBe(resident?.phone);
      expect(play.number.attrs).toMatchObject({
        statusCallback: `http://anxin.test/api/twilio/voice/callee-status?call=${callId}`,
        statusCallbackEvent: "initiated ringing answered completed",
        statusCallbackMethod: "POST",
      });

      // Twilio reports the callee's leg; a late "ringing" after the answer changes nothing.
      for (const status of ["ringing", "in-progress", "ringing"]) {
        expect((await play.calleeStatus(status)).status).toBe(204);
      }
      expect((await play.calleeStatus("completed", { durationS: 65 })).status).toBe(204);
      // A forged callback is refused and changes nothing.
      expect((await play.calleeStatus("busy", {}, { signature: "forged" })).status).toBe(403);
      const shown = await detail(alarmId);
      expect(shown.calls).toEqual([
        expect.objectContaining({ id: callId, by: "op_call", target: "resident", name: resident?.name }),
      ]);
      expect(shown.calls[0]).toMatchObject({ status: "completed", durationS: 65, mark: null });
      const timeline = shown.events.filter((e) => e.type.startsWith("callback_"));
      expect(timeline.map((e) => [e.type, e.actor, e.detail?.status ?? e.detail?.target])).toEqual([
        ["callback_placed", "user:op_call", "resident"],
        ["callback_status", "twilio", "ringing"],
        ["callback_status", "twilio", "in-progress"],
        ["callback_status", "twilio", "completed"],
      ]);

      // The result in one click; a mark that does not fit a call to the resident is refused.
      expect(
        (await api("op_call", "POST", `/api/alarms/${alarmId}/calls/${callId}/mark`, { mark: "relative_reached" }))
          .status,
      ).toBe(400);
      expect(
        (await api("op_call", "POST", `/api/alarms/${alarmId}/calls/${callId}/mark`, { mark: "resident_ok" })).status,
      ).toBe(204);
      expect((await detail(alarmId)).calls[0]).toMatchObject({ mark: "resident_ok", markedBy: "op_call" });
      // Marked once: a second click (or another operator) is told so, and nothing changes.
      const again = await api("op_call", "POST", `/api/alarms/${alarmId}/calls/${callId}/mark`, { mark: "no_answer" });
      expect([again.status, again.body.code]).toEqual([409, "CALL_ALREADY_MARKED"]);
      expect((await detail(alarmId)).calls[0]).toMatchObject({ mark: "resident_ok" });
      expect((await detail(alarmId)).events.filter((e) => e.type === "callback_marked")).toHaveLength(1);

      // The recording: stored from Twilio's callback; a supervisor plays it (audited), an operator may not.
      expect((await play.recording({ durationS: 61 }, { signature: "forged" })).status).toBe(403);
      expect((await play.recording({ durationS: 61 }, { signature: null })).status).toBe(403);
      expect((await detail(alarmId)).calls[0]?.recorded).toBe(false);
      expect((await play.recording({ durationS: 61, url: "https://evil.example/rec.mp3" })).status).toBe(400);
      expect((await play.recording({ durationS: 61 })).status).toBe(204);
      expect((await detail(alarmId)).calls[0]?.recorded).toBe(true);
      const path = `/api/alarms/${alarmId}/calls/${callId}/recording`;
      expect((await fetch(`${th.httpUrl}${path}`, { headers: { cookie: cookies.op_call ?? "" } })).status).toBe(403);
      const audio = await fetch(`${th.httpUrl}${path}`, { headers: { cookie: cookies.sup_call ?? "" } });
      expect(audio.status).toBe(200);
      expect(audio.headers.get("content-type")).toBe("audio/mpeg");
      expect(Buffer.from(await audio.arrayBuffer()).equals(FAKE_RECORDING_AUDIO)).toBe(true);
      const plays = await th.hub.sql.all<{ actor: string; target: string }>(
        "SELECT actor, target FROM audit_log WHERE action = 'recording_played'",
      );
      expect(plays).toEqual([{ actor: "user:sup_call", target: `alarm:${alarmId}` }]);
    });

    it("reaching a relative by phone stops the relatives' cascade as an SMS confirmation does", async () => {
      const alarmId = await alarmOfHousehold(22);
      const cascade = async () =>
        (await th.hub.sql.get<{ status: string }>("SELECT status FROM relative_cascades WHERE alarm_id = ?", [alarmId]))
          ?.status;
      expect(await cascade()).toBe("texting");
      const relative = (await detail(alarmId)).relatives.at(-1);
      if (!relative) throw new Error("the demo resident has no relative");
      const callsBefore = th.twilio?.calls.length ?? 0;
      const placed = await api("op_call", "POST", `/api/alarms/${alarmId}/calls`, {
        target: "relative",
        relativeId: relative.id,
      });
      expect(placed.status).toBe(202);
      const play = new ConsoleCallPlayer(th.twilioWebhooks(), await callTo(OPERATOR_PHONE, callsBefore));
      expect(play.number.text).toBe(relative.phone);
      await play.calleeStatus("in-progress");
      await play.calleeStatus("completed", { durationS: 30 });
      const mark = await api("op_call", "POST", `/api/alarms/${alarmId}/calls/${placed.body.callId}/mark`, {
        mark: "relative_reached",
      });
      expect(mark.status).toBe(204);
      expect(await cascade()).toBe("confirmed");
      const confirmed = (await detail(alarmId)).events.filter((e) => e.type === "relative_confirmed");
      // No reply of the relative's own: `via` says the center reached them.
      expect(confirmed.map((e) => [e.actor, e.detail?.via, e.detail?.cascadeStopped, e.detail?.reply])).toEqual([
        [`relative:${relative.id}`, "operator_call", true, null],
      ]);
    });

    it("refuses a call without the operator's own phone, without a number on record, and from an administrator", async () => {
      const alarmId = await alarmOfHousehold(24);
      const without = await api("op_nophone", "POST", `/api/alarms/${alarmId}/calls`, { target: "resident" });
      expect([without.status, without.body.code]).toEqual([409, "CALL_NO_OPERATOR_PHONE"]);
      const keyHolder = await api("op_call", "POST", `/api/alarms/${alarmId}/calls`, { target: "key_holder" });
      expect([keyHolder.status, keyHolder.body.code]).toEqual([409, "CALL_NO_NUMBER"]);
      expect((await api("admin", "POST", `/api/alarms/${alarmId}/calls`, { target: "resident" })).status).toBe(403);
      expect((await api("op_call", "POST", `/api/alarms/${alarmId}/calls`, { target: "relative" })).status).toBe(400);
      expect((await detail(alarmId)).calls).toEqual([]);
      // With the key holder's phone in the registry, the key holder can be called.
      const household = await th.hub.sql.get<{ id: number }>("SELECT household_id AS id FROM alarms WHERE id = ?", [
        alarmId,
      ]);
      const patch = await api("admin", "PATCH", `/api/registry/households/${household?.id}`, {
        keyHolderPhone: "+8613800000777",
      });
      expect(patch.status).toBe(200);
      expect((await detail(alarmId)).callable.keyHolder).toBe(true);
      expect((await api("op_call", "POST", `/api/alarms/${alarmId}/calls`, { target: "key_holder" })).status).toBe(202);
    });
  });
}
