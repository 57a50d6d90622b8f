import { randomUUID } from "node:crypto";
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
  "https://hub.example.org/api/twilio/voice/gather",
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
    const result = await notifier().send({
      outboxId: 1,
      idempotencyKey: randomUUID(),
      to: "+8613800138000",
      twiml: TWIML,
    });
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
    expect(
      await notifier().send({ outboxId: 2, idempotencyKey: randomUUID(), to: "13800138000", twiml: TWIML }),
    ).toMatchObject({
      ok: false,
      retryable: false,
      status: 400,
      providerCode: 21211,
    });
    expect(
      await notifier("0".repeat(32)).send({
        outboxId: 3,
        idempotencyKey: randomUUID(),
        to: "+8613800138000",
        twiml: TWIML,
      }),
    ).toMatchObject({
      ok: false,
      retryable: false,
      status: 401,
    });
    fake.failNext(429);
    fake.failNext(503);
    for (const status of [429, 503]) {
      expect(
        await notifier().send({ outboxId: 4, idempotencyKey: randomUUID(), to: "+8613800138000", twiml: TWIML }),
      ).toMatchObject({
        ok: false,
        retryable: true,
        status,
      });
    }
    expect(fake.calls).toHaveLength(0);
  });

  it("ends a call through calls(sid).update: canceled while it rings, completed once answered", async () => {
    const placed = await notifier().send({
      outboxId: 5,
      idempotencyKey: randomUUID(),
      to: "+8613800138000",
      twiml: TWIML,
    });
    if (!placed.ok) throw new Error(placed.message);
    const sid = placed.providerRef;
    fake.setCallStatus(sid, "in-progress");
    // canceled leaves an answered call alone, and Twilio's answer says so.
    expect(await notifier().hangUp({ outboxId: 5, idempotencyKey: randomUUID(), sid, status: "canceled" })).toEqual({
      ok: true,
      callStatus: "in-progress",
    });
    expect(await notifier().hangUp({ outboxId: 5, idempotencyKey: randomUUID(), sid, status: "completed" })).toEqual({
      ok: true,
      callStatus: "completed",
    });
    const second = await notifier().send({
      outboxId: 6,
      idempotencyKey: randomUUID(),
      to: "+8613800138001",
      twiml: TWIML,
    });
    if (!second.ok) throw new Error(second.message);
    fake.setCallStatus(second.providerRef, "ringing");
    expect(
      await notifier().hangUp({
        outboxId: 6,
        idempotencyKey: randomUUID(),
        sid: second.providerRef,
        status: "canceled",
      }),
    ).toEqual({
      ok: true,
      callStatus: "canceled",
    });
    expect(fake.callUpdates.map((u) => [u.status, u.before, u.after])).toEqual([
      ["canceled", "in-progress", "in-progress"],
      ["completed", "in-progress", "completed"],
      ["canceled", "ringing", "canceled"],
    ]);
    const update = fake.requests.filter((r) => r.path.endsWith(`/Calls/${sid}.json`));
    expect(update.map((r) => [r.method, r.status])).toEqual([
      ["POST", 200],
      ["POST", 200],
    ]);
  });

  it("reports an unknown call as 404 / 20404, and outages as retryable", async () => {
    expect(
      await notifier().hangUp({
        outboxId: 7,
        idempotencyKey: randomUUID(),
        sid: `CA${"0".repeat(32)}`,
        status: "canceled",
      }),
    ).toMatchObject({
      ok: false,
      retryable: false,
      status: 404,
      providerCode: 20404,
    });
    fake.failNext(503);
    expect(
      await notifier().hangUp({
        outboxId: 8,
        idempotencyKey: randomUUID(),
        sid: `CA${"1".repeat(32)}`,
        status: "completed",
      }),
    ).toMatchObject({
      ok: false,
      retryable: true,
      status: 503,
    });
    expect(fake.callUpdates).toEqual([]);
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
