/**
 * A replayed inbound SMS (issue 11, part 4): Twilio's request, correctly
 * signed, posted again with the same `MessageSid` (a retry, or someone who
 * captured it). The hub must act on it once, and answer the copy with an empty
 * `<Response/>`, or Twilio would send the relative our reply again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type CascadeHub, startCascadeHub } from "./support/relatives-harness.ts";
import { TEST_TWILIO, waitFor } from "./support/test-hub.ts";

const A = { name: "吴建国", phone: "+8613900000601" };
const B = { name: "吴秀兰", phone: "+8613900000602" };
const DEVICE = 27;
const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

describe("a replayed inbound SMS", () => {
  let h: CascadeHub | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("is acted on once; the copy is answered with an empty <Response/> and logged", async () => {
    h = await startCascadeHub();
    const hub = h;
    await hub.giveRelatives(DEVICE, [A, B]);
    const alarmId = await hub.press(DEVICE);
    await waitFor(() => hub.smsTo(B.phone).length === 1, 4000, "first wave");
    const webhooks = hub.th.twilioWebhooks();
    const messageSid = `SM${"ab".repeat(16)}`;

    const first = await webhooks.inboundSms({ from: A.phone, body: "收到", messageSid });
    expect(first.status).toBe(200);
    expect(first.body).toContain("<Message>");
    const replay = await webhooks.inboundSms({ from: A.phone, body: "收到", messageSid });
    expect(replay.status).toBe(200);
    expect(replay.contentType).toContain("text/xml");
    expect(replay.body).toBe(EMPTY);
    expect(await hub.events(alarmId, "relative_confirmed")).toHaveLength(1);
    const line = await hub.th.waitForLog((l) => l.code === "TWILIO_SMS_REPLAYED");
    expect(line).toMatchObject({ messageSid });

    // A new message from the same relative (another MessageSid) is answered as usual; they confirmed already.
    const again = await webhooks.inboundSms({ from: A.phone, body: "收到" });
    expect(again.body).toContain("<Message>");
    expect(await hub.events(alarmId, "relative_confirmed")).toHaveLength(1);
  });

  it("a replayed question is recorded once and answered once; a replay survives a restart", async () => {
    h = await startCascadeHub();
    const hub = h;
    await hub.giveRelatives(DEVICE, [A, B]);
    const alarmId = await hub.press(DEVICE);
    await waitFor(() => hub.smsTo(A.phone).length === 1, 4000, "first wave");
    const messageSid = `SM${"cd".repeat(16)}`;

    const first = await hub.th.twilioWebhooks().inboundSms({ from: A.phone, body: "你是谁？", messageSid });
    expect(first.body).toContain("请回复 1 确认");
    await hub.th.restart();
    const replay = await hub.th.twilioWebhooks().inboundSms({ from: A.phone, body: "你是谁？", messageSid });
    expect(replay.body).toBe(EMPTY);
    expect(await hub.events(alarmId, "relative_replied")).toHaveLength(1);
  });

  it("a signed SMS without a MessageSid is refused with a coded error", async () => {
    h = await startCascadeHub();
    const hub = h;
    const params = { From: A.phone, Body: "1", AccountSid: TEST_TWILIO.accountSid };
    const response = await hub.th.twilioWebhooks().post("/api/twilio/sms", params);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: "VALIDATION_FAILED" });
    await hub.th.waitForLog((l) => l.code === "VALIDATION_FAILED" && l.from === A.phone);
  });
});
