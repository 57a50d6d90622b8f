import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutboundSms } from "../hub/notify/notifier.ts";
import { retryAfterMs } from "../hub/notify/twilio-client.ts";
import { TwilioSmsNotifier, type TwilioSmsNotifierOptions } from "../hub/notify/twilio-notifier.ts";
import { type FakeTwilio, startFakeTwilio } from "./support/fake-twilio.ts";

// Made-up credentials of the right shape: the SDK refuses an AccountSid not starting with AC.
const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const AUTH_TOKEN = "fedcba9876543210".repeat(2);
const FROM = "+15005550006";
const CHINESE_BODY = "【安心】王秀英（幸福里3号楼502）按下了紧急按钮，请尽快联系她或拨打120。";

let fake: FakeTwilio;

beforeEach(async () => {
  fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});

afterEach(async () => {
  await fake.close();
});

function notifier(overrides: Partial<TwilioSmsNotifierOptions> = {}): TwilioSmsNotifier {
  return new TwilioSmsNotifier({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    from: FROM,
    apiBaseUrl: fake.url,
    timeoutMs: 2000,
    ...overrides,
  });
}

function sms(overrides: Partial<OutboundSms> = {}): OutboundSms {
  return { outboxId: 7, idempotencyKey: randomUUID(), to: "+8613800138000", body: CHINESE_BODY, ...overrides };
}

describe("TwilioSmsNotifier against the fake Twilio (real SDK)", () => {
  it("delivers exactly To, From and Body and returns the message sid", async () => {
    const result = await notifier().send(sms());

    expect(result.ok).toBe(true);
    const [message] = await fake.waitForMessages(1, 1000);
    expect(fake.messages).toHaveLength(1);
    expect(message).toMatchObject({ to: "+8613800138000", from: FROM, body: CHINESE_BODY });
    expect(message?.statusCallback).toBeUndefined();
    expect(result).toEqual({ ok: true, providerRef: message?.sid });
    expect(message?.sid).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it("passes the status callback URL when configured", async () => {
    const callback = "https://hub.example.org/twilio/status";
    const result = await notifier({ statusCallbackUrl: callback }).send(sms());

    expect(result.ok).toBe(true);
    expect(fake.messages[0]?.statusCallback).toBe(callback);
  });

  it.each([
    [429, 20429],
    [500, 20500],
    [503, 20503],
  ])("HTTP %i is retryable and the next attempt goes through", async (status, code) => {
    fake.failNext(status);
    const sender = notifier();

    const first = await sender.send(sms());
    expect(first).toMatchObject({ ok: false, retryable: true, status, providerCode: code });
    expect(fake.messages).toHaveLength(0);

    const second = await sender.send(sms());
    expect(second.ok).toBe(true);
    expect(fake.requests.map((r) => r.status)).toEqual([status, 201]);
  });

  it("an invalid To number is permanent, with Twilio code 21211", async () => {
    const result = await notifier().send(sms({ to: "13800138000" }));

    expect(result).toMatchObject({ ok: false, retryable: false, status: 400, providerCode: 21211 });
    expect(fake.messages).toHaveLength(0);
    expect(fake.requests[0]?.rejection).toContain("13800138000");
  });

  it("a body over 1600 characters is permanent; exactly 1600 Chinese characters is accepted", async () => {
    const tooLong = await notifier().send(sms({ body: "安".repeat(1601) }));
    expect(tooLong).toMatchObject({ ok: false, retryable: false, status: 400, providerCode: 21617 });

    const longest = await notifier().send(sms({ body: "安".repeat(1600) }));
    expect(longest.ok).toBe(true);
  });

  it("a wrong auth token is permanent 401", async () => {
    const result = await notifier({ authToken: "0".repeat(32) }).send(sms());

    expect(result).toMatchObject({ ok: false, retryable: false, status: 401, providerCode: 20003 });
    expect(fake.messages).toHaveLength(0);
  });

  it("a 429 is retryable and carries Twilio's Retry-After as ms; other failures carry none", async () => {
    fake.setLimits({ throttleShare: 1 });
    expect(await notifier().send(sms())).toMatchObject({ ok: false, status: 429, retryAfterMs: 1000 });
    fake.setLimits({});
    fake.failNext(500);
    const outage = await notifier().send(sms());
    expect(outage).toMatchObject({ ok: false, status: 500 });
    expect(outage.ok === false && outage.retryAfterMs).toBeUndefined();
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs("3", now)).toBe(3000);
    expect(retryAfterMs(["7"], now)).toBe(7000);
    expect(retryAfterMs("Wed, 01 Jan 2025 00:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("Tue, 31 Dec 2024 23:00:00 GMT", now)).toBe(0);
    expect([retryAfterMs(undefined, now), retryAfterMs("soon", now), retryAfterMs("", now)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("a closed port is a retryable network error", async () => {
    const sender = notifier();
    await fake.close();

    const result = await sender.send(sms());

    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.ok === false && result.status).toBeUndefined();
    expect(result.ok === false && result.message).toContain("ECONNREFUSED");
  });

  it("a server that never answers is a retryable timeout", async () => {
    const silent = createServer(() => {
      // Never respond: the notifier's deadline has to fire.
    });
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const result = await notifier({ apiBaseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 }).send(sms());

      expect(result).toMatchObject({ ok: false, retryable: true });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("a malformed AccountSid is reported, not thrown", async () => {
    const result = await notifier({ accountSid: "not-a-sid" }).send(sms());

    expect(result).toMatchObject({ ok: false, retryable: false });
  });
});

describe("the fake really checks requests (raw fetch, no SDK)", () => {
  const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`;
  const messagesUrl = (): string => `${fake.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

  async function post(form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(messagesUrl(), {
      method: "POST",
      headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  it("rejects a To that is not E.164", async () => {
    const res = await post({ To: "0086 138 0013 8000", From: FROM, Body: "test" });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 21211, status: 400 });
    expect(fake.messages).toHaveLength(0);
    expect(fake.requests[0]).toMatchObject({ status: 400, code: 21211 });
  });

  it("rejects a missing From, an empty Body, JSON bodies and missing credentials", async () => {
    expect((await post({ To: "+8613800138000", Body: "x" })).status).toBe(400);
    expect((await post({ To: "+8613800138000", From: FROM, Body: "" })).status).toBe(400);
    const json = await fetch(messagesUrl(), {
      method: "POST",
      headers: { Authorization: auth, "Content-Type": "application/json" },
      body: JSON.stringify({ To: "+8613800138000", From: FROM, Body: "x" }),
    });
    expect(json.status).toBe(415);
    const anonymous = await fetch(messagesUrl(), { method: "POST", body: "To=%2B8613800138000" });
    expect(anonymous.status).toBe(401);

    expect(fake.requests.map((r) => r.code)).toEqual([21603, 21602, 20415, 20003]);
    expect(fake.messages).toHaveLength(0);
  });

  it("answers a created message shaped like Twilio's message resource", async () => {
    const res = await post({ To: "+8613800138000", From: FROM, Body: CHINESE_BODY });
    const body = (await res.json()) as Record<string, unknown>;

    expect(res.status).toBe(201);
    expect(body).toMatchObject({
      account_sid: ACCOUNT_SID,
      body: CHINESE_BODY,
      direction: "outbound-api",
      status: "queued",
      num_segments: "1",
      price: null,
    });
    expect(body.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it("answers another account's path and unknown paths with Twilio-shaped 404s", async () => {
    const other = await fetch(`${fake.url}/2010-04-01/Accounts/AC${"1".repeat(32)}/Messages.json`, {
      method: "POST",
      headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
      body: "To=%2B8613800138000&From=%2B15005550006&Body=x",
    });
    expect(other.status).toBe(404);
    const unknown = await fetch(`${fake.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Faxes.json`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 20404, status: 404 });
  });
});
