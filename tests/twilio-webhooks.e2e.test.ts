/**
 * Twilio's webhooks on a real hub: only requests signed with our account's
 * auth token for the exact public URL and parameters are believed; status
 * callbacks only ever move a message forward; a failed SMS moves the
 * relatives' cascade on at once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type CascadeHub, startCascadeHub } from "./support/relatives-harness.ts";
import { startTestHub, TEST_TWILIO, type TestHub, waitFor } from "./support/test-hub.ts";
import { twilioSignature } from "./support/twilio-webhooks.ts";

const A = { name: "张伟", phone: "+8613900000201" };
const B = { name: "张敏", phone: "+8613900000202" };
const C = { name: "张强", phone: "+8613900000203" };
const DEVICE = 16;

describe("Twilio webhooks", () => {
  let h: CascadeHub | undefined;
  let plain: TestHub | undefined;
  afterEach(async () => {
    await h?.stop();
    await plain?.stop();
    h = undefined;
    plain = undefined;
  });

  it("refuses unsigned, forged, tampered and misaddressed requests with 403, changing nothing", async () => {
    h = await startCascadeHub();
    const hub = h;
    await hub.giveRelatives(DEVICE, [A, B, C]);
    const alarmId = await hub.press(DEVICE);
    const sidA = await hub.sidFor(alarmId, A.phone);
    const webhooks = hub.th.twilioWebhooks();
    const db = hub.th.hub.db;
    // Everything queued so far is handed to Twilio first, so only the webhooks could change what follows.
    await waitFor(
      () => (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }).n === 0,
      4000,
      "outbox drained",
    );
    const snapshot = async () => ({
      events: db.prepare("SELECT COUNT(*) AS n FROM alarm_events").get(),
      outbox: db.prepare("SELECT id, status, delivery_status FROM outbox ORDER BY id").all(),
      cascade: await hub.cascade(alarmId),
      contacts: db.prepare("SELECT id, outcome FROM relative_contacts ORDER BY id").all(),
    });
    const before = await snapshot();

    const confirm = { from: A.phone, body: "1" };
    const refused = [
      await webhooks.inboundSms(confirm, { signature: null }),
      await webhooks.inboundSms(confirm, { signature: "bm90IGEgc2lnbmF0dXJl" }),
      await webhooks.inboundSms(confirm, { authToken: "someone-elses-token-0000" }),
      await webhooks.messageStatus(sidA, "failed", { errorCode: "30008" }, { signature: null }),
      await webhooks.messageStatus(sidA, "failed", {}, { authToken: "someone-elses-token-0000" }),
    ];
    // Signed for other parameters (the body changed on the way) or another URL.
    const params = { From: A.phone, To: TEST_TWILIO.from, Body: "1", AccountSid: TEST_TWILIO.accountSid };
    const signedForOtherBody = twilioSignature(TEST_TWILIO.authToken, "http://anxin.test/api/twilio/sms", {
      ...params,
      Body: "谁",
    });
    refused.push(await webhooks.post("/api/twilio/sms", params, { signature: signedForOtherBody }));
    const signedForOtherUrl = twilioSignature(TEST_TWILIO.authToken, "http://evil.test/api/twilio/sms", params);
    refused.push(await webhooks.post("/api/twilio/sms", params, { signature: signedForOtherUrl }));
    // Properly signed, but for another Twilio account.
    refused.push(await webhooks.post("/api/twilio/sms", { ...params, AccountSid: `AC${"9".repeat(32)}` }));

    for (const response of refused) {
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ code: "TWILIO_SIGNATURE_INVALID" });
    }
    const warnings = hub.th.logs.filter((l) => l.code === "TWILIO_SIGNATURE_INVALID");
    expect(warnings).toHaveLength(refused.length);
    expect(warnings.every((l) => l.level === 40)).toBe(true);
    await hub.quiet();
    expect(await snapshot()).toEqual(before);
    expect((await hub.cascade(alarmId))?.status).toBe("texting");
    expect(hub.smsTo(C.phone)).toHaveLength(0);

    // The same confirmation, signed as Twilio signs it, is believed.
    const genuine = await webhooks.inboundSms(confirm);
    expect(genuine.status).toBe(200);
    expect((await hub.cascade(alarmId))?.status).toBe("confirmed");
  });

  it("keeps the furthest status however callbacks are ordered, and moves on at once when an SMS fails", async () => {
    h = await startCascadeHub();
    const hub = h;
    await hub.giveRelatives(DEVICE, [A, B, C]);
    const alarmId = await hub.press(DEVICE);
    const webhooks = hub.th.twilioWebhooks();
    const status = (phone: string) =>
      hub.th.hub.db
        .prepare("SELECT delivery_status, delivery_error FROM outbox WHERE alarm_id = ? AND recipient = ?")
        .get(alarmId, phone) as { delivery_status: string | null; delivery_error: string | null };

    // Delivered arrives before sent (Twilio does not promise order): delivered stays.
    const sidA = await hub.sidFor(alarmId, A.phone);
    for (const s of ["delivered", "sent", "queued", "sending"]) {
      expect((await webhooks.messageStatus(sidA, s)).status).toBe(204);
    }
    expect(status(A.phone).delivery_status).toBe("delivered");
    const reported = (await hub.events(alarmId, "delivery_status")).filter((e) => e.detail.to === A.phone);
    expect(reported.map((e) => e.detail.status)).toEqual(["delivered"]);
    // Unknown statuses are not stored either.
    await webhooks.messageStatus(sidA, "teleported");
    expect(status(A.phone).delivery_status).toBe("delivered");

    // B's SMS is undelivered: C is texted at once, without waiting for the deadline.
    const sidB = await hub.sidFor(alarmId, B.phone);
    await webhooks.messageStatus(sidB, "sent");
    await webhooks.messageStatus(sidB, "undelivered", { errorCode: "30003" });
    await waitFor(() => hub.smsTo(C.phone).length === 1, 3000, "the next relative texted at once");
    expect(status(B.phone)).toEqual({ delivery_status: "undelivered", delivery_error: "30003" });
    expect((await hub.events(alarmId, "relative_contact_failed"))[0]?.detail).toMatchObject({
      relative: { name: B.name },
      channel: "sms",
      status: "undelivered",
    });
    expect((await hub.events(alarmId, "relatives_wave_sent"))[1]?.detail).toMatchObject({
      wave: 2,
      relatives: [{ name: C.name }],
      after: { code: "relative_contact_failed", params: { relative: B.name, channel: "sms" } },
    });
    // Undelivered is final: a late delivered does not undo it.
    await webhooks.messageStatus(sidB, "delivered");
    expect(status(B.phone).delivery_status).toBe("undelivered");

    // A callback for a message we never sent is answered and logged, nothing else.
    const stray = await webhooks.post("/api/twilio/status", {
      MessageSid: `SM${"0".repeat(32)}`,
      MessageStatus: "delivered",
      AccountSid: TEST_TWILIO.accountSid,
    });
    expect(stray.status).toBe(204);
    await hub.th.waitForLog((l) => l.code === "TWILIO_UNKNOWN_SID");
  });

  it("moves on at once when Twilio refuses a relative's number for good", async () => {
    h = await startCascadeHub();
    const hub = h;
    await hub.giveRelatives(DEVICE, [{ ...A, phone: "+0123" }, B, C]);
    const alarmId = await hub.press(DEVICE);
    await waitFor(() => hub.smsTo(C.phone).length === 1, 4000, "the next relative texted after the refusal");
    expect((await hub.events(alarmId, "relative_contact_failed"))[0]?.detail).toMatchObject({
      relative: { name: A.name },
      error: expect.stringContaining("21211"),
    });
  });

  it("answers an unknown sender with empty TwiML and a log line", async () => {
    h = await startCascadeHub();
    const hub = h;
    const eventsBefore = hub.th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarm_events").get();
    const response = await hub.th.twilioWebhooks().inboundSms({ from: "+8613700000999", body: "1" });
    expect(response.status).toBe(200);
    expect(response.contentType).toContain("text/xml");
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const line = await hub.th.waitForLog((l) => l.code === "TWILIO_UNKNOWN_SENDER");
    expect(line.from).toBe("+8613700000999");
    expect(hub.th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarm_events").get()).toEqual(eventsBefore);
  });

  it("refuses webhooks signed with a Twilio key when Twilio is not configured (only the hub's simulation key counts)", async () => {
    plain = await startTestHub({ twilio: false });
    const params = { From: A.phone, Body: "1", AccountSid: TEST_TWILIO.accountSid };
    const response = await plain.hub.app.inject({
      method: "POST",
      url: "/api/twilio/sms",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(TEST_TWILIO.authToken, "http://anxin.test/api/twilio/sms", params),
      },
      payload: new URLSearchParams(params).toString(),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: "TWILIO_SIGNATURE_INVALID" });
  });
});
