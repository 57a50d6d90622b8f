/**
 * The call update's part of the contract check (check-twilio-fake.ts): ending
 * a relative's call goes SDK (`calls(sid).update({ status })`) -> Prism ->
 * fake, so Prism checks our request (path sids, `Status` in
 * `call_enum_update_status`) and the fake's 200 body against
 * POST /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json. Each call to end is
 * placed in the fake directly first, outside the measured request.
 */
import { randomUUID } from "node:crypto";
import { TwilioVoiceNotifier } from "../../hub/notify/twilio-voice-notifier.ts";
import type { FakeTwilio } from "../support/fake-twilio.ts";
import { type Account, CALL_TWIML, type Case } from "./call-cases.ts";

export function callUpdateCases(prismUrl: string, fake: FakeTwilio, account: Account): Case[] {
  const voice = (apiBaseUrl: string) =>
    new TwilioVoiceNotifier({
      accountSid: account.accountSid,
      authToken: account.authToken,
      from: account.from,
      apiBaseUrl,
      timeoutMs: 5000,
    });
  let sid = "";
  /** A call in the fake, moved to `status`, to be ended by the next case. */
  const placeCall = (status: string) => async (): Promise<void> => {
    const placed = await voice(fake.url).send({
      outboxId: 30,
      idempotencyKey: randomUUID(),
      to: account.to,
      twiml: CALL_TWIML,
    });
    if (!placed.ok) throw new Error(`could not place a call to end: ${placed.message}`);
    sid = placed.providerRef;
    fake.setCallStatus(sid, status);
  };
  const lastUpdate = (status: string, after: string) => () => {
    const update = fake.callUpdates.at(-1);
    return update?.sid === sid && update.status === status && update.after === after;
  };
  return [
    {
      name: "200 ringing call ended with Status=canceled",
      setup: placeCall("ringing"),
      run: () => voice(prismUrl).hangUp({ outboxId: 30, idempotencyKey: randomUUID(), sid, status: "canceled" }),
      expected: { ok: true, callStatus: "canceled" },
      arrived: lastUpdate("canceled", "canceled"),
    },
    {
      name: "200 answered call ended with Status=completed",
      setup: placeCall("in-progress"),
      run: () => voice(prismUrl).hangUp({ outboxId: 31, idempotencyKey: randomUUID(), sid, status: "completed" }),
      expected: { ok: true, callStatus: "completed" },
      arrived: lastUpdate("completed", "completed"),
    },
    {
      name: "404 update of a call Twilio does not know (20404)",
      run: () =>
        voice(prismUrl).hangUp({
          outboxId: 32,
          idempotencyKey: randomUUID(),
          sid: `CA${"0".repeat(32)}`,
          status: "canceled",
        }),
      expected: { ok: false, retryable: false, status: 404, providerCode: 20404 },
    },
    {
      name: "503 on a call update",
      setup: async () => fake.failNext(503),
      run: () =>
        voice(prismUrl).hangUp({
          outboxId: 33,
          idempotencyKey: randomUUID(),
          sid: `CA${"1".repeat(32)}`,
          status: "completed",
        }),
      expected: { ok: false, retryable: true, status: 503 },
    },
  ];
}

/** The updated call's body has exactly the spec's `api.v2010.account.call` fields, and Prism saw no violation. */
export async function checkCallUpdateFields(
  prismUrl: string,
  fake: FakeTwilio,
  account: Account,
  specFields: string[],
  fieldDiff: (actual: string[], wanted: string[]) => string | undefined,
): Promise<[string, string | undefined]> {
  const auth = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString("base64")}`;
  const post = (url: string, form: Record<string, string>) =>
    fetch(url, {
      method: "POST",
      headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
  const calls = `/2010-04-01/Accounts/${account.accountSid}/Calls`;
  const placed = (await (
    await post(`${fake.url}${calls}.json`, { To: account.to, From: account.from, Twiml: CALL_TWIML })
  ).json()) as { sid: string };
  const updated = await post(`${prismUrl}${calls}/${placed.sid}.json`, { Status: "canceled" });
  const body = (await updated.json()) as Record<string, unknown>;
  const problem =
    updated.status !== 200
      ? `status ${updated.status}: ${JSON.stringify(body.validation ?? body)}`
      : body.status !== "canceled"
        ? `status field ${String(body.status)}, not canceled`
        : (fieldDiff(Object.keys(body), specFields) ?? updated.headers.get("sl-violations") ?? undefined);
  return ["200 call update body has exactly the spec's call fields", problem];
}
