/**
 * Confirmation by phone keypad on a real hub: the relative's call asks for 1
 * in a `<Gather>` that posts to the hub's signed webhook; the stand-in presses
 * keys by posting to the action it finds in the call's TwiML, signed as Twilio
 * signs it. 1 confirms exactly as an SMS reply does.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type CascadeHub, type RelativeFixture, startCascadeHub } from "./support/relatives-harness.ts";
import { TEST_TWILIO, waitFor } from "./support/test-hub.ts";
import { twilioSignature } from "./support/twilio-webhooks.ts";
import { find, parseTwiml, spoken, verbs } from "./support/twiml.ts";

const A = { name: "赵丽", phone: "+8613900000301" };
const B = { name: "Zhao Lei", phone: "+8613900000302", language: "en" as const };
const C = { name: "赵刚", phone: "+8613900000303" };
const DEVICE = 20;
const GATHER_TAG =
  '<Gather input="dtmf" numDigits="1" action="http://anxin.test/api/twilio/voice/gather" method="POST" timeout="10">';

/** Everyone texted in one wave; once it times out, the first relative is called. */
async function untilFirstCall(hub: CascadeHub, relatives: RelativeFixture[] = [A, B, C]) {
  const ids = await hub.giveRelatives(DEVICE, relatives);
  const alarmId = await hub.press(DEVICE);
  await hub.twilio.waitForMessages(relatives.length, 4000);
  hub.advance(301);
  const first = relatives[0] ?? A;
  await waitFor(() => hub.callsTo(first.phone).length === 1, 3000, "call to the first relative");
  return { alarmId, ids, sid: await hub.sidFor(alarmId, first.phone, "voice") };
}

describe("relatives confirm by phone keypad", () => {
  let h: CascadeHub | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("asks for 1 in the relative's language; forged keys change nothing, another key asks again, 1 confirms", async () => {
    h = await startCascadeHub({ env: { ANXIN_RELATIVES_FIRST_WAVE: "3" } });
    const hub = h;
    const { alarmId, ids, sid } = await untilFirstCall(hub);
    const twiml = hub.callsTo(A.phone)[0]?.twiml ?? "";
    expect(twiml.split(GATHER_TAG)).toHaveLength(3);
    expect(twiml).toContain(`${GATHER_TAG}<Say language="zh-CN" voice="alice">这里是安心紧急呼叫中心`);
    // As Twilio reads it: the message read twice, each time in a Gather, then what to do without a key.
    const call = parseTwiml(twiml);
    expect(verbs(call)).toEqual(["Gather", "Gather", "Say"]);
    expect(find(call, "Gather").attrs).toMatchObject({ numDigits: "1", method: "POST", timeout: "10" });
    const webhooks = hub.th.twilioWebhooks();
    const db = hub.th.hub.db;
    const snapshot = async () => ({
      events: db.prepare("SELECT COUNT(*) AS n FROM alarm_events").get(),
      outbox: db.prepare("SELECT id, status, delivery_status FROM outbox ORDER BY id").all(),
      cascade: await hub.cascade(alarmId),
      contacts: db.prepare("SELECT id, outcome FROM relative_contacts ORDER BY id").all(),
      hangups: db.prepare("SELECT * FROM call_hangups").all(),
    });
    await hub.settled();
    const before = await snapshot();

    // Unsigned, signed with another token, or signed for another key: refused, logged, nothing changes.
    const params = { AccountSid: TEST_TWILIO.accountSid, CallSid: sid, Digits: "1", CallStatus: "in-progress" };
    const refused = [
      await webhooks.gather(sid, "1", { signature: null }),
      await webhooks.gather(sid, "1", { authToken: "someone-elses-token-0000" }),
      await webhooks.post("/api/twilio/voice/gather", params, {
        signature: twilioSignature(TEST_TWILIO.authToken, "http://anxin.test/api/twilio/voice/gather", {
          ...params,
          Digits: "2",
        }),
      }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ code: "TWILIO_SIGNATURE_INVALID" });
    }
    expect(hub.th.logs.filter((l) => l.code === "TWILIO_SIGNATURE_INVALID")).toHaveLength(3);
    await hub.quiet(300);
    expect(await snapshot()).toEqual(before);

    // Another key: recorded for the operator, told how to confirm, and gathered again at the same address.
    const five = await webhooks.gather(sid, "5");
    expect(five.status).toBe(200);
    expect(five.contentType).toContain("text/xml");
    expect(five.body).toContain(`${GATHER_TAG}<Say language="zh-CN" voice="alice">您按的不是1。`);
    expect(spoken(find(parseTwiml(five.body), "Gather"))).toMatch(/^您按的不是1。/);
    expect((await hub.cascade(alarmId))?.status).toBe("calling");
    expect(await hub.events(alarmId, "relative_replied")).toEqual([
      {
        type: "relative_replied",
        actor: `relative:${ids[0]}`,
        detail: expect.objectContaining({ reply: "5", via: "keypad" }),
      },
    ]);

    // 1, pressed in the Gather of that answer: the cascade is confirmed, as by an SMS reply.
    const one = await webhooks.gather(sid, "1", { twiml: five.body });
    expect(one.status).toBe(200);
    expect(one.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="zh-CN" voice="alice">谢谢，已收到您的确认。指挥中心正在处理。再见。</Say><Hangup/></Response>',
    );
    expect(verbs(parseTwiml(one.body))).toEqual(["Say", "Hangup"]);
    expect(await hub.cascade(alarmId)).toMatchObject({ status: "confirmed", deadline_at: null });
    expect(await hub.events(alarmId, "relative_confirmed")).toEqual([
      {
        type: "relative_confirmed",
        actor: `relative:${ids[0]}`,
        detail: expect.objectContaining({
          relative: expect.objectContaining({ name: A.name }),
          reply: "1",
          via: "keypad",
          cascadeStopped: true,
        }),
      },
    ]);
    // The key press told the hub the call was answered.
    const row = db.prepare("SELECT delivery_status FROM outbox WHERE provider_ref = ?").get(sid);
    expect(row).toEqual({ delivery_status: "in-progress" });

    // The call the relative confirmed on is left to say thank you: no hang-up for it.
    await hub.quiet(500);
    expect(hub.twilio.callUpdates).toEqual([]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM call_hangups").get()).toEqual({ n: 0 });

    // Its end, and however long nobody else confirms, move nothing on.
    expect((await webhooks.callStatus(sid, "completed")).status).toBe(204);
    hub.advance(3600);
    await hub.quiet();
    expect(hub.twilio.calls).toHaveLength(1);
    expect((await hub.cascade(alarmId))?.status).toBe("confirmed");
    expect(await hub.events(alarmId, "relative_call_completed")).toEqual([]);

    // A second press of 1 is thanked again, recorded, and restarts nothing.
    const again = await webhooks.gather(sid, "1");
    expect(again.body).toContain("谢谢，已收到您的确认");
    expect(await hub.events(alarmId, "relative_confirmed")).toHaveLength(1);

    // The operator sees who confirmed.
    const cookie = await hub.th.login();
    const detail = (
      await hub.th.hub.app.inject({ method: "GET", url: `/api/alarms/${alarmId}`, headers: { cookie } })
    ).json() as { alarm: { relativeCascade: { status: string; confirmedBy: { name: string } | null } } };
    expect(detail.alarm.relativeCascade).toMatchObject({ status: "confirmed", confirmedBy: { name: A.name } });
  });

  it("asks an English-speaking relative in English", async () => {
    h = await startCascadeHub({ env: { ANXIN_RELATIVES_FIRST_WAVE: "3" } });
    const hub = h;
    const { sid } = await untilFirstCall(hub, [B, A, C]);
    expect(hub.callsTo(B.phone)[0]?.twiml).toContain(
      `${GATHER_TAG}<Say language="en-US" voice="alice">This is the Anxin emergency call center. Your relative`,
    );
    const other = await hub.th.twilioWebhooks().gather(sid, "9");
    expect(other.body).toContain('<Say language="en-US" voice="alice">That was not 1.');
    const one = await hub.th.twilioWebhooks().gather(sid, "1");
    expect(one.body).toContain('<Say language="en-US" voice="alice">Thank you, we have your confirmation.');
  });

  it("says goodbye to a key pressed on a call it does not know, with a coded log line, changing nothing", async () => {
    h = await startCascadeHub();
    const hub = h;
    const db = hub.th.hub.db;
    const events = db.prepare("SELECT COUNT(*) AS n FROM alarm_events").get();
    const unknown = `CA${"7".repeat(32)}`;
    const response = await hub.th.twilioWebhooks().post("/api/twilio/voice/gather", {
      AccountSid: TEST_TWILIO.accountSid,
      CallSid: unknown,
      Digits: "1",
      CallStatus: "in-progress",
    });
    expect(response.status).toBe(200);
    expect(response.contentType).toContain("text/xml");
    expect(response.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="zh-CN" voice="alice">这里是安心紧急呼叫中心。此呼叫已结束，再见。</Say><Hangup/></Response>',
    );
    const line = await hub.th.waitForLog((l) => l.code === "TWILIO_UNKNOWN_CALL");
    expect(line).toMatchObject({ callSid: unknown, digits: "1", level: 40 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM alarm_events").get()).toEqual(events);
  });
});
