/**
 * Every Twilio create carries an idempotency token (`I-Twilio-Idempotency-Token`),
 * and the stand-in honours it as Twilio does: the real SDK through
 * TwilioSmsNotifier / TwilioVoiceNotifier, and raw requests for the stand-in's
 * own rules.
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TwilioSmsNotifier } from "../hub/notify/twilio-notifier.ts";
import { TwilioVoiceNotifier } from "../hub/notify/twilio-voice-notifier.ts";
import { type FakeTwilio, startFakeTwilio } from "./support/fake-twilio.ts";

const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const AUTH_TOKEN = "fedcba9876543210".repeat(2);
const FROM = "+15005550006";
const TO = "+8613800138000";
const BODY = "【安心】王秀英按下了紧急按钮，请尽快联系她。";
const TWIML = "<Response><Say>test</Say></Response>";

let fake: FakeTwilio;
beforeEach(async () => {
  fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});
afterEach(async () => {
  await fake.close();
});

const account = () => ({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiBaseUrl: fake.url });

describe("idempotent Twilio requests (real SDK against the stand-in)", () => {
  it("a create the client gave up on, sent again with its key, is one message, and the retry learns its sid", async () => {
    const message = { outboxId: 1, idempotencyKey: randomUUID(), to: TO, body: BODY };
    fake.holdAnswers(1);

    const first = await new TwilioSmsNotifier({ ...account(), timeoutMs: 300 }).send(message);
    expect(first).toMatchObject({ ok: false, retryable: true });
    expect(first.ok === false && first.status).toBeUndefined();
    // A patient client for the retry: what counts is the key, and a busy machine must not time it out.
    const second = await new TwilioSmsNotifier({ ...account(), timeoutMs: 10_000 }).send(message);

    expect(fake.messages).toHaveLength(1);
    expect(second).toEqual({ ok: true, providerRef: fake.messages[0]?.sid });
    expect(fake.requests.map((r) => [r.status, r.held ?? false, r.replayed ?? false])).toEqual([
      [201, true, false],
      [201, false, true],
    ]);
  });

  it("another key is another message; a refusal is not remembered, so the retry goes through", async () => {
    const sms = new TwilioSmsNotifier({ ...account(), timeoutMs: 2000 });
    const key = randomUUID();
    fake.failNext(503);
    expect(await sms.send({ outboxId: 1, idempotencyKey: key, to: TO, body: BODY })).toMatchObject({ status: 503 });
    expect(await sms.send({ outboxId: 1, idempotencyKey: key, to: TO, body: BODY })).toMatchObject({ ok: true });
    expect(await sms.send({ outboxId: 2, idempotencyKey: randomUUID(), to: TO, body: BODY })).toMatchObject({
      ok: true,
    });
    expect(fake.messages).toHaveLength(2);
  });

  it("a call create and a call update given up on ring and change the call once", async () => {
    const impatient = new TwilioVoiceNotifier({ ...account(), timeoutMs: 300 });
    const voice = new TwilioVoiceNotifier({ ...account(), timeoutMs: 10_000 });
    const call = { outboxId: 5, idempotencyKey: randomUUID(), to: TO, twiml: TWIML };
    fake.holdAnswers(1, "call");
    expect(await impatient.send(call)).toMatchObject({ ok: false, retryable: true });
    const placed = await voice.send(call);
    expect(fake.calls).toHaveLength(1);
    expect(placed).toEqual({ ok: true, providerRef: fake.calls[0]?.sid });
    if (!placed.ok) throw new Error("not placed");

    fake.holdAnswers(1, "call update");
    const hangUp = { outboxId: 5, sid: placed.providerRef, status: "canceled" as const, idempotencyKey: randomUUID() };
    expect(await impatient.hangUp(hangUp)).toMatchObject({ ok: false, retryable: true });
    expect(await voice.hangUp(hangUp)).toEqual({ ok: true, callStatus: "canceled" });
    expect(fake.callUpdates).toHaveLength(1);
  });
});

describe("the stand-in's idempotency (raw requests)", () => {
  const post = (token: string | null, account = ACCOUNT_SID) =>
    fetch(`${fake.url}/2010-04-01/Accounts/${account}/Messages.json`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`,
        "Content-Type": "application/x-www-form-urlencoded",
        ...(token === null ? {} : { "I-Twilio-Idempotency-Token": token }),
      },
      body: new URLSearchParams({ To: TO, From: FROM, Body: BODY }).toString(),
    });

  it("answers a repeated token with the original 201 body; no token, no memory", async () => {
    const token = randomUUID();
    const first = (await (await post(token)).json()) as { sid: string };
    const again = await post(token);
    expect(again.status).toBe(201);
    expect(((await again.json()) as { sid: string }).sid).toBe(first.sid);
    await post(null);
    await post(null);
    expect(fake.messages).toHaveLength(3);
  });

  it("checks credentials and the account before looking at the token", async () => {
    const token = randomUUID();
    await post(token);
    expect((await post(token, `AC${"1".repeat(32)}`)).status).toBe(404);
    expect(fake.messages).toHaveLength(1);
  });
});
