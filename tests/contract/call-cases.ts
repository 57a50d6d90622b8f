/**
 * The Calls endpoint's part of the contract check (check-twilio-fake.ts): the
 * relatives' voice calls go SDK -> Prism -> fake like the SMS do, and the
 * fake's call resource must have exactly the spec's fields.
 */
import { randomUUID } from "node:crypto";
import { callbackTwiml } from "../../hub/notify/callback-texts.ts";
import type { HangupResult, SendResult } from "../../hub/notify/notifier.ts";
import { relativeCallTwiml } from "../../hub/notify/relative-texts.ts";
import { TwilioVoiceNotifier } from "../../hub/notify/twilio-voice-notifier.ts";
import type { FakeTwilio } from "../support/fake-twilio.ts";

export interface Expected {
  ok: boolean;
  retryable?: boolean;
  status?: number;
  providerCode?: number;
  /** The shape of the sid of a created resource; an SMS's (SM…) unless said. */
  sid?: RegExp;
  /** For a call update: the call's status in the answer. */
  callStatus?: string;
  /** For a 429: the wait the answer's `Retry-After` asked for, as the client read it. */
  retryAfterMs?: number;
}

/** What a case's request came back as: a created message or call, or an updated call. */
export type Outcome = SendResult | HangupResult;

export interface Case {
  name: string;
  /** Runs before the case is measured (its requests are not the case's). */
  setup?: () => Promise<void>;
  run(): Promise<Outcome>;
  expected: Expected;
  /** For a created or updated resource: did it reach the fake unaltered? */
  arrived?: () => boolean;
}

export function matches(result: Outcome, expected: Expected): boolean {
  if (result.ok !== expected.ok) return false;
  if (result.ok) {
    if ("callStatus" in result) return result.callStatus === expected.callStatus;
    return (expected.sid ?? /^SM[0-9a-f]{32}$/).test(result.providerRef);
  }
  return (
    result.retryable === expected.retryable &&
    result.status === expected.status &&
    (expected.providerCode === undefined || result.providerCode === expected.providerCode) &&
    (expected.retryAfterMs === undefined || result.retryAfterMs === expected.retryAfterMs)
  );
}

export function describeResult(result: Outcome): string {
  if (result.ok) return "callStatus" in result ? `ok call ${result.callStatus}` : `ok ${result.providerRef}`;
  return `retryable=${result.retryable} status=${result.status ?? "-"} code=${result.providerCode ?? "-"}`;
}

export interface Account {
  accountSid: string;
  authToken: string;
  from: string;
  to: string;
}

export const CALL_SID = /^CA[0-9a-f]{32}$/;

export const CALL_TWIML = relativeCallTwiml(
  {
    alarmId: 12,
    residentName: "王秀英",
    address: "垦利区胜兴路12号3单元201室",
    receivedAt: new Date("2026-11-23T00:05:00Z"),
    timeZone: "Asia/Shanghai",
  },
  "zh-CN",
  "https://hub.example.org/api/twilio/voice/gather",
);

/** An operator's call back from the console (hub/voice/console-calls.ts): dials the resident, recorded. */
export const CALLBACK_TWIML = callbackTwiml({
  language: "zh-CN",
  calleeName: "王秀英",
  calleePhone: "+8613800138000",
  callerId: "+15005550006",
  statusUrl: "https://hub.example.org/api/twilio/voice/callee-status?call=4",
  recordingUrl: "https://hub.example.org/api/twilio/voice/recording?call=4",
});

export function callCases(prismUrl: string, fake: FakeTwilio, account: Account): Case[] {
  const caller = (authToken = account.authToken, ringTimeoutS?: number) =>
    new TwilioVoiceNotifier({
      accountSid: account.accountSid,
      authToken,
      from: account.from,
      apiBaseUrl: prismUrl,
      timeoutMs: 5000,
      statusCallbackUrl: "https://hub.example.org/api/twilio/status",
      ...(ringTimeoutS ? { ringTimeoutS } : {}),
    });
  return [
    {
      name: "201 console call to the operator's SIP address, TwiML dialling the callee (callerId, record, statusCallback)",
      run: () =>
        caller().send({
          outboxId: 23,
          idempotencyKey: randomUUID(),
          to: "sip:operator@center.example",
          twiml: CALLBACK_TWIML,
        }),
      expected: { ok: true, sid: CALL_SID },
      arrived: () =>
        fake.calls.at(-1)?.twiml === CALLBACK_TWIML && fake.calls.at(-1)?.to === "sip:operator@center.example",
    },
    {
      name: "201 call with Timeout (how long a relative's phone may ring)",
      run: () =>
        caller(account.authToken, 30).send({
          outboxId: 24,
          idempotencyKey: randomUUID(),
          to: account.to,
          twiml: CALL_TWIML,
        }),
      expected: { ok: true, sid: CALL_SID },
      arrived: () => fake.calls.at(-1)?.twiml === CALL_TWIML,
    },
    {
      name: "201 call created, zh-CN TwiML inline, StatusCallback",
      run: () => caller().send({ outboxId: 20, idempotencyKey: randomUUID(), to: account.to, twiml: CALL_TWIML }),
      expected: { ok: true, sid: CALL_SID },
      arrived: () => fake.calls.at(-1)?.twiml === CALL_TWIML,
    },
    {
      name: "400 call to an invalid To (21211)",
      run: () => caller().send({ outboxId: 21, idempotencyKey: randomUUID(), to: "13800138000", twiml: CALL_TWIML }),
      expected: { ok: false, retryable: false, status: 400, providerCode: 21211 },
    },
    {
      name: "401 call with a wrong auth token (20003)",
      run: () =>
        caller("0".repeat(32)).send({ outboxId: 22, idempotencyKey: randomUUID(), to: account.to, twiml: CALL_TWIML }),
      expected: { ok: false, retryable: false, status: 401, providerCode: 20003 },
    },
  ];
}

/** The created call's body has exactly the spec's `api.v2010.account.call` fields, and Prism saw no violation. */
export async function checkCallFields(
  prismUrl: string,
  account: Account,
  specFields: string[],
  fieldDiff: (actual: string[], wanted: string[]) => string | undefined,
): Promise<[string, string | undefined]> {
  const created = await fetch(`${prismUrl}/2010-04-01/Accounts/${account.accountSid}/Calls.json`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ To: account.to, From: account.from, Twiml: CALL_TWIML }).toString(),
  });
  const body = (await created.json()) as Record<string, unknown>;
  const problem =
    created.status !== 201
      ? `status ${created.status}: ${JSON.stringify(body.validation ?? body)}`
      : specFields.length === 0
        ? "spec has no api.v2010.account.call properties"
        : (fieldDiff(Object.keys(body), specFields) ?? created.headers.get("sl-violations") ?? undefined);
  return ["201 call body has exactly the spec's call fields", problem];
}
