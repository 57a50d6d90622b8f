/**
 * Idempotency's part of the contract check (check-twilio-fake.ts). The spec
 * does not describe `I-Twilio-Idempotency-Token` on Messages or Calls, so
 * Prism passes the header through; what it does check is that the stand-in's
 * answer to a repeated token (the original 201, nothing created again) is a
 * valid 201 body for the operation, like the first.
 */
import { randomUUID } from "node:crypto";
import type { SendResult } from "../../hub/notify/notifier.ts";
import { TwilioVoiceNotifier } from "../../hub/notify/twilio-voice-notifier.ts";
import type { FakeTwilio } from "../support/fake-twilio.ts";
import { type Account, CALL_TWIML, type Case } from "./call-cases.ts";

type SendSms = (message: { outboxId: number; idempotencyKey: string; to: string; body: string }) => Promise<SendResult>;

export function idempotencyCases(prismUrl: string, fake: FakeTwilio, account: Account, sendSms: SendSms, body: string) {
  const smsKey = randomUUID();
  const callKey = randomUUID();
  const voice = new TwilioVoiceNotifier({ ...account, apiBaseUrl: prismUrl, timeoutMs: 5000 });
  const call = { outboxId: 41, idempotencyKey: callKey, to: account.to, twiml: CALL_TWIML };
  const counts = { messages: 0, calls: 0 };
  const cases: Case[] = [
    {
      name: "201 again for a repeated I-Twilio-Idempotency-Token (message; nothing sent twice)",
      setup: async () => {
        await sendSms({ outboxId: 40, idempotencyKey: smsKey, to: account.to, body });
        counts.messages = fake.messages.length;
      },
      run: () => sendSms({ outboxId: 40, idempotencyKey: smsKey, to: account.to, body }),
      expected: { ok: true },
      arrived: () => fake.messages.length === counts.messages && fake.requests.at(-1)?.replayed === true,
    },
    {
      name: "201 again for a repeated I-Twilio-Idempotency-Token (call; nobody rung twice)",
      setup: async () => {
        await voice.send(call);
        counts.calls = fake.calls.length;
      },
      run: () => voice.send(call),
      expected: { ok: true, sid: /^CA[0-9a-f]{32}$/ },
      arrived: () => fake.calls.length === counts.calls && fake.requests.at(-1)?.replayed === true,
    },
  ];
  return cases;
}
