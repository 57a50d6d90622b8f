import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { relativeCallTwiml } from "../hub/notify/relative-texts.ts";
import { TwilioVoiceNotifier } from "../hub/notify/twilio-voice-notifier.ts";
import { type FakeTwilio, startFakeTwilio } from "./support/fake-twilio.ts";

const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const AUTH_TOKEN = "fedcba9876543210".repeat(2);
const FROM = "+15005550006";
const TWIML = relativeCallTwiml(
  {
    alarmId: 3,
    residentName: "王秀英",
    address: "垦利区胜兴路12号",
    receivedAt: new Date("2026-11-23T00:05:00Z"),
    timeZone: "Asia/Shanghai",
  },
  "zh-CN",
);

let fake: FakeTwilio;
beforeEach(async () => {
  fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});
afterEach(async () => {
  await fake.close();
});

const notifier = (authToken = AUTH_TOKEN) =>
  new TwilioVoiceNotifier({
    accountSid: ACCOUNT_SID,
    authToken,
    from: FROM,
    apiBaseUrl: fake.url,
    timeoutMs: 2000,
    statusCallbackUrl: "https://hub.example.org/api/twilio/status",
  });

describe("TwilioVoiceNotifier against the fake Twilio (real SDK)", () => {
  it("places the call with the TwiML inline and a status callback for its end", async () => {
    const result = await notifier().send({ outboxId: 1, to: "+8613800138000", twiml: TWIML });
    const [call] = await fake.waitForCalls(1, 1000);
    expect(result).toEqual({ ok: true, providerRef: call?.sid });
    expect(call?.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call).toMatchObject({
      to: "+8613800138000",
      from: FROM,
      twiml: TWIML,
      statusCallback: "https://hub.example.org/api/twilio/status",
      statusCallbackEvents: [],
    });
  });

  it("reports an invalid number as permanent, throttling and outages as retryable", async () => {
    expect(await notifier().send({ outboxId: 2, to: "13800138000", twiml: TWIML })).toMatchObject({
      ok: false,
      retryable: false,
      status: 400,
      providerCode: 21211,
    });
    expect(await notifier("0".repeat(32)).send({ outboxId: 3, to: "+8613800138000", twiml: TWIML })).toMatchObject({
      ok: false,
      retryable: false,
      status: 401,
    });
    fake.failNext(429);
    fake.failNext(503);
    for (const status of [429, 503]) {
      expect(await notifier().send({ outboxId: 4, to: "+8613800138000", twiml: TWIML })).toMatchObject({
        ok: false,
        retryable: true,
        status,
      });
    }
    expect(fake.calls).toHaveLength(0);
  });

  it("is refused by the fake without TwiML or with a document that is not TwiML", async () => {
    const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`;
    const post = (form: Record<string, string>) =>
      fetch(`${fake.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
        method: "POST",
        headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
      });
    expect((await (await post({ To: "+8613800138000", From: FROM })).json()) as object).toMatchObject({
      code: 21205,
    });
    expect(
      (await (await post({ To: "+8613800138000", From: FROM, Twiml: "<Say>hi</Say>" })).json()) as object,
    ).toMatchObject({ code: 12100 });
    expect(fake.calls).toHaveLength(0);
  });
});
