/**
 * A call to the center reaches a person (issue 14), on each engine (SQLite in
 * tests/call-routing.e2e.test.ts, PostgreSQL in tests/postgres/call-routing.e2e.test.ts):
 * a real hub with staff accounts, and Twilio played through the hub's own TwiML
 * (tests/support/inbound-call-player.ts): the operators on duty ring at once,
 * whoever picks up hears the household and accepts with a key, the first key
 * takes the call and acknowledges the alarm; nobody: the supervisors, then the
 * caller hears that help is coming.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InboundCallPlayer } from "./inbound-call-player.ts";
import { startTestHub, type TestHub } from "./test-hub.ts";
import { twilioSignature } from "./twilio-webhooks.ts";
import { find, findAll, spoken, type TwimlNode, verbs } from "./twiml.ts";

const PASSWORD = "call-routing-Passw0rd!";
const SUPERVISOR_PHONE = "+8613900000099";
const RING_S = 15;

interface Staff {
  id: number;
  username: string;
  contact: string | null;
}

export function describeCallRouting(engine: "sqlite" | "postgres"): void {
  describe(`a call to the center rings the staff, on ${engine}`, () => {
    let th: TestHub;
    const staff: Record<string, Staff> = {};
    const cookies: Record<string, string> = {};

    async function account(username: string, role: string, contact: string | null, language = "zh-CN") {
      const created = await th.hub.accounts.create(
        { name: "test", userId: null },
        { username, displayName: username, role, language, contact },
        { password: PASSWORD, mustChange: false },
      );
      staff[username] = { id: created.account.id, username, contact };
    }

    beforeAll(async () => {
      th = await startTestHub({
        engine,
        env: { ANXIN_CALL_RING_S: String(RING_S), ANXIN_SUPERVISOR_PHONE: SUPERVISOR_PHONE },
      });
      await account("op_zh", "operator", "+8613900000001");
      await account("op_en", "operator", "+8613900000002", "en");
      await account("op_sip", "operator", "sip:op_sip@center.example"); // a softphone: rung only alone (below)
      await account("op_away", "operator", "+8613900000003"); // has a phone, never signs in
      await account("op_nophone", "operator", null); // signed in, no phone on record
      await account("sup", "supervisor", "+8613900000009");
      for (const name of ["op_zh", "op_en", "op_sip", "op_nophone"]) cookies[name] = await th.login(name, PASSWORD);
    }, 60_000);
    afterAll(async () => {
      await th?.stop();
    });

    async function household(index: number) {
      const credential = th.demoDevices[index];
      if (!credential) throw new Error("demo district has too few devices");
      const row = await th.hub.sql.get<{ id: number; code: string; phone: string; language: string }>(
        `SELECT h.id, h.code, r.phone, r.language FROM households h JOIN devices d ON d.household_id = h.id
         JOIN residents r ON r.household_id = h.id WHERE d.id = ? ORDER BY r.id LIMIT 1`,
        [credential.deviceId],
      );
      if (!row) throw new Error(`no household for ${credential.deviceId}`);
      return row;
    }
    const player = (from: string) => new InboundCallPlayer(th.twilioWebhooks(), from);
    const callRow = (sid: string) =>
      th.hub.sql.get<{ alarm_id: number; answered_by: number | null; answered_at: string | null }>(
        "SELECT alarm_id, answered_by, answered_at FROM inbound_calls WHERE call_sid = ?",
        [sid],
      );
    const alarmOf = async (sid: string) => {
      const row = await callRow(sid);
      if (!row) throw new Error(`call ${sid} was not stored`);
      return (await th.hub.sql.get<{ id: number; acknowledged_by: number | null; status: string }>(
        "SELECT id, acknowledged_by, status FROM alarms WHERE id = ?",
        [row.alarm_id],
      )) as { id: number; acknowledged_by: number | null; status: string };
    };
    const events = async (alarmId: number, type: string) =>
      th.hub.sql.all<{ actor: string; detail: string | null }>(
        "SELECT actor, detail FROM alarm_events WHERE alarm_id = ? AND type = ? ORDER BY id",
        [alarmId, type],
      );
    const line = (dial: TwimlNode, contact: string) => {
      const found = dial.children.find((noun) => noun.text === contact);
      if (!found) throw new Error(`${contact} is not rung`);
      return found;
    };
    const sayLanguage = (language: string) => (language === "en" ? "en-US" : "zh-CN");

    it("rings every operator on duty at once; the first to accept after the whisper takes the call and acknowledges", async () => {
      const home = await household(2);
      const call = player(home.phone);
      const answer = await call.ring();
      expect(answer.status).toBe(200);
      // Stored before Twilio was answered.
      const alarm = await alarmOf(call.callSid);
      expect(alarm.acknowledged_by).toBeNull();

      // The caller hears, in their language, that they are being put through, while the operators ring.
      expect(verbs(answer.twiml)).toEqual(["Say", "Dial"]);
      expect(find(answer.twiml, "Say").attrs.language).toBe(sayLanguage(home.language));
      expect(spoken(answer.twiml)).toMatch(home.language === "en" ? /Putting you through/ : /正在为您接通值班人员/);
      const dial = find(answer.twiml, "Dial");
      expect(dial.attrs).toMatchObject({
        timeout: String(RING_S),
        method: "POST",
        action: "http://anxin.test/api/twilio/voice/dialed?stage=operators",
      });
      // Only operators signed in with a phone: not the one away, not the one without, not the supervisor; and not
      // the softphone, since Twilio takes no <Sip> beside other lines in one <Dial>.
      expect(dial.children.map((noun) => [noun.name, noun.text])).toEqual([
        ["Number", "+8613900000001"],
        ["Number", "+8613900000002"],
      ]);

      // Both pick up; each hears the household's code in their own language, and must press a key.
      const zh = await call.pickUp(line(dial, "+8613900000001"));
      const en = await call.pickUp(line(dial, "+8613900000002"));
      expect(verbs(zh.twiml)).toEqual(["Gather", "Hangup"]);
      expect(find(zh.twiml, "Gather").attrs).toMatchObject({ numDigits: "1", method: "POST" });
      expect(spoken(zh.twiml)).toContain(`住户 ${[...home.code].join(" ")}`);
      expect(find(en.twiml, "Say").attrs.language).toBe("en-US");
      expect(spoken(en.twiml)).toContain(`household ${[...home.code].join(" ")}`);

      // The Chinese-speaking operator presses first: put through, and the alarm is acknowledged in their name.
      const taken = await call.press(zh.twiml, zh.childSid, "+8613900000001", "1");
      expect(verbs(taken.twiml)).toEqual(["Say"]);
      expect(spoken(taken.twiml)).toBe("正在接通。");
      expect(await alarmOf(call.callSid)).toMatchObject({ acknowledged_by: staff.op_zh?.id });
      expect(await callRow(call.callSid)).toMatchObject({ answered_by: staff.op_zh?.id });
      // The second key is too late: told so, and their line hangs up; nothing changes.
      const late = await call.press(en.twiml, en.childSid, "+8613900000002", "5");
      expect(verbs(late.twiml)).toEqual(["Say", "Hangup"]);
      expect(spoken(late.twiml)).toBe("Someone else has taken this call.");
      expect(await events(alarm.id, "call_answered")).toEqual([
        { actor: "user:op_zh", detail: JSON.stringify({ callSid: call.callSid, stage: "operators" }) },
      ]);
      expect((await events(alarm.id, "acknowledged")).map((e) => e.actor)).toEqual(["user:op_zh"]);

      // The conversation ends: Twilio posts the Dial's action; the call is over, no supervisor rings.
      const ended = await call.dialEnded(dial, "completed");
      expect(verbs(ended.twiml)).toEqual(["Hangup"]);
      expect(await events(alarm.id, "call_unanswered")).toEqual([]);
      // The number's own status callbacks, in order: the timeline says once how the call ended and how long.
      for (const status of ["ringing", "in-progress"]) expect((await call.status(status)).status).toBe(204);
      expect((await call.status("completed", { signature: "forged", durationS: 1 })).status).toBe(403);
      expect((await call.status("completed", { durationS: 130 })).status).toBe(204);
      expect((await call.status("completed", { durationS: 131 })).status).toBe(204); // Twilio retrying
      expect(await events(alarm.id, "call_ended")).toEqual([
        { actor: "twilio", detail: JSON.stringify({ callSid: call.callSid, status: "completed", durationS: 130 }) },
      ]);
    });

    it("when no operator accepts (a voicemail picked up), rings the supervisors; then the caller hears help is coming", async () => {
      const home = await household(4);
      const call = player(home.phone);
      const dial = find((await call.ring()).twiml, "Dial");
      // A voicemail answers one line: it hears the whisper and presses nothing, so the line hangs up.
      const voicemail = await call.pickUp(line(dial, "+8613900000001"));
      expect(verbs(voicemail.twiml)).toEqual(["Gather", "Hangup"]);
      // Twilio calls that dial "completed"; the hub knows nobody accepted it.
      const supervisors = await call.dialEnded(dial, "completed");
      expect(verbs(supervisors.twiml)).toEqual(["Dial"]); // the caller already heard they are being put through
      const supervisorDial = find(supervisors.twiml, "Dial");
      expect(supervisorDial.attrs).toMatchObject({
        timeout: String(RING_S),
        action: "http://anxin.test/api/twilio/voice/dialed?stage=supervisors",
      });
      expect(supervisorDial.children.map((noun) => noun.text)).toEqual(["+8613900000009", SUPERVISOR_PHONE]);
      const alarm = await alarmOf(call.callSid);
      expect(alarm.acknowledged_by).toBeNull();

      // Nobody there either: the caller hears in their language that help is being sent, then the call ends.
      const message = await call.dialEnded(supervisorDial, "no-answer");
      expect(verbs(message.twiml)).toEqual(["Say", "Hangup"]);
      expect(find(message.twiml, "Say").attrs.language).toBe(sayLanguage(home.language));
      expect(spoken(message.twiml)).toMatch(
        home.language === "en" ? /community worker is being sent/ : /安排社区人员上门/,
      );
      // The alarm stays open and unacknowledged: its deadlines escalate it as any other.
      expect(await alarmOf(call.callSid)).toMatchObject({
        acknowledged_by: null,
        status: expect.not.stringMatching(/resolved|cancelled/),
      });
      const unanswered = await events(alarm.id, "call_unanswered");
      expect(unanswered.map((e) => JSON.parse(e.detail ?? "{}"))).toEqual([
        { callSid: call.callSid, why: "nobody_answered", stage: "supervisors" },
      ]);
    });

    it("the supervisor phone (no account) can take the call; the alarm is then left for an operator to acknowledge", async () => {
      const home = await household(6);
      const call = player(home.phone);
      const dial = find((await call.ring()).twiml, "Dial");
      const supervisorDial = find((await call.dialEnded(dial, "no-answer")).twiml, "Dial");
      const phoneLine = line(supervisorDial, SUPERVISOR_PHONE);
      expect(phoneLine.attrs.url).not.toContain("user=");
      const whisper = await call.pickUp(phoneLine);
      const taken = await call.press(whisper.twiml, whisper.childSid, SUPERVISOR_PHONE, "9");
      expect(spoken(taken.twiml)).toBe("正在接通。");
      const alarm = await alarmOf(call.callSid);
      expect(alarm.acknowledged_by).toBeNull();
      expect((await events(alarm.id, "call_answered")).map((e) => e.actor)).toEqual([`phone:${SUPERVISOR_PHONE}`]);
      expect(verbs((await call.dialEnded(supervisorDial, "completed")).twiml)).toEqual(["Hangup"]);
    });

    it("refuses forged, unsigned and altered webhooks of a ringing call with 403 and changes nothing", async () => {
      const home = await household(8);
      const call = player(home.phone);
      const dial = find((await call.ring()).twiml, "Dial");
      const zhLine = line(dial, "+8613900000001");
      const whisper = await call.pickUp(zhLine);
      const accept = find(whisper.twiml, "Gather").attrs.action ?? "";
      const hooks = th.twilioWebhooks();
      const params = { AccountSid: hooks.accountSid, CallSid: whisper.childSid, Digits: "1" };
      for (const options of [{ signature: null }, { signature: "forged" }, { authToken: "not-our-token" }]) {
        expect((await hooks.post(accept, params, options)).status).toBe(403);
        expect((await call.pickUp(zhLine, options)).status).toBe(403);
        expect((await call.dialEnded(dial, "no-answer", options)).status).toBe(403);
      }
      // Signed for one operator's line, posted as another's: the query is part of what Twilio signs.
      const signature = twilioSignature(hooks.authToken, accept, params);
      const altered = accept.replace(`user=${staff.op_zh?.id}`, `user=${staff.op_en?.id}`);
      expect(altered).not.toBe(accept);
      expect((await hooks.post(altered, params, { signature })).status).toBe(403);
      expect(await callRow(call.callSid)).toMatchObject({ answered_by: null, answered_at: null });
      const alarm = await alarmOf(call.callSid);
      expect(alarm.acknowledged_by).toBeNull();
      expect(await events(alarm.id, "call_answered")).toEqual([]);
      expect(await events(alarm.id, "call_unanswered")).toEqual([]);
      // The real key still works afterwards.
      expect(spoken((await call.press(whisper.twiml, whisper.childSid, "+8613900000001", "1")).twiml)).toBe(
        "正在接通。",
      );
    });

    it("rings a softphone alone, then with no operator on duty the supervisors at once; notes a caller who hung up", async () => {
      const logOut = async (name: string) => {
        const out = await fetch(`${th.httpUrl}/api/auth/logout`, {
          method: "POST",
          headers: { cookie: cookies[name] ?? "", origin: th.httpUrl },
        });
        expect(out.status).toBeLessThan(300);
      };
      await logOut("op_zh");
      await logOut("op_en");
      // Only the softphone's operator is on duty: their SIP address is the stage's one line.
      const softphone = find((await player((await household(9)).phone).ring()).twiml, "Dial");
      expect(softphone.attrs.action).toBe("http://anxin.test/api/twilio/voice/dialed?stage=operators");
      expect(softphone.children.map((noun) => [noun.name, noun.text])).toEqual([["Sip", "sip:op_sip@center.example"]]);
      expect(line(softphone, "sip:op_sip@center.example").attrs.url).toContain(`user=${staff.op_sip?.id}`);
      await logOut("op_sip");
      const home = await household(10);
      const call = player(home.phone);
      const answer = (await call.ring()).twiml;
      expect(verbs(answer)).toEqual(["Say", "Dial"]);
      const dial = find(answer, "Dial");
      expect(dial.attrs.action).toBe("http://anxin.test/api/twilio/voice/dialed?stage=supervisors");
      expect(findAll(dial, "Number").map((n) => n.text)).toEqual(["+8613900000009", SUPERVISOR_PHONE]);
      // The caller gives up while the supervisors' phones ring: nothing more to say, the alarm stands.
      const ended = await call.dialEnded(dial, "no-answer", { callStatus: "completed" });
      expect(verbs(ended.twiml)).toEqual(["Hangup"]);
      const alarm = await alarmOf(call.callSid);
      const unanswered = await events(alarm.id, "call_unanswered");
      expect(unanswered.map((e) => JSON.parse(e.detail ?? "{}").why)).toEqual(["caller_hung_up"]);
    });
  });
}
