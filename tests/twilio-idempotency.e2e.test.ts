/**
 * A slow Twilio gets each request once (issue 11, part 4). The stand-in takes
 * a request and answers only after the hub gave up waiting, as a Twilio
 * answering in 12 s does to a 10 s timeout; the hub's retry must carry the
 * same `I-Twilio-Idempotency-Token`, so the stand-in (as Twilio) answers it
 * with the original message or call instead of sending another. Real hub, real
 * twilio SDK, SQLite on disk.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type CascadeHub, startCascadeHub } from "./support/relatives-harness.ts";
import { waitFor } from "./support/test-hub.ts";

const A = { name: "周建国", phone: "+8613900000501" };
const B = { name: "周秀兰", phone: "+8613900000502" };
const DEVICE = 23;
/** Short, so a held request costs the test little; a request merely slow on a busy machine is retried safely too. */
const SLOW = { env: { ANXIN_TWILIO_TIMEOUT_MS: "300", ANXIN_RELATIVES_FIRST_WAVE: "2" } };
/** Generous: a hub that waited the SDK's default 10 s before retrying still gets there, and shows what it sent. */
const LONG = 25_000;

interface OutboxFacts {
  recipient: string;
  channel: string;
  status: string;
  provider_ref: string | null;
  attempts: number;
}

function outbox(hub: CascadeHub, alarmId: number): OutboxFacts[] {
  return hub.th.hub.db
    .prepare("SELECT recipient, channel, status, provider_ref, attempts FROM outbox WHERE alarm_id = ? ORDER BY id")
    .all(alarmId) as OutboxFacts[];
}

describe("a slow Twilio gets each request once", () => {
  let h: CascadeHub | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("SMS answered only after the hub's timeout are sent once, and the hub learns their sids", async () => {
    h = await startCascadeHub(SLOW);
    const hub = h;
    await hub.giveRelatives(DEVICE, [A, B]);
    hub.twilio.holdAnswers(2);
    const alarmId = await hub.press(DEVICE);

    await waitFor(
      () => outbox(hub, alarmId).every((row) => row.status === "sent"),
      LONG,
      "every SMS of the alarm handed to Twilio",
    );
    const rows = outbox(hub, alarmId);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // Each row is exactly one Twilio message, the one whose sid the hub stored.
    for (const row of rows) {
      const sent = hub.twilio.messages.filter((m) => m.to === row.recipient);
      expect(sent.map((m) => m.sid)).toEqual([row.provider_ref]);
    }
    expect(hub.twilio.messages).toHaveLength(rows.length);
    expect([A, B].map((r) => hub.smsTo(r.phone).length)).toEqual([1, 1]);
    // The scenario did happen: two creates were taken without an answer and their retries got the originals.
    expect(hub.twilio.requests.filter((r) => r.held)).toHaveLength(2);
    expect(hub.twilio.requests.filter((r) => r.replayed).length).toBeGreaterThanOrEqual(2);
    expect(rows.filter((r) => r.attempts > 1).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("a relative's call answered late rings once; so does a hang-up answered late", async () => {
    h = await startCascadeHub(SLOW);
    const hub = h;
    await hub.giveRelatives(DEVICE, [A]);
    const alarmId = await hub.press(DEVICE);
    await waitFor(() => hub.smsTo(A.phone).length === 1, 4000, "the SMS wave");
    await waitFor(() => outbox(hub, alarmId).every((row) => row.status === "sent"), 4000, "the first sends done");

    hub.twilio.holdAnswers(1, "call");
    hub.advance(301);
    const sid = await waitFor(
      () => outbox(hub, alarmId).find((row) => row.channel === "voice" && row.status === "sent")?.provider_ref,
      LONG,
      "the call handed to Twilio",
    );
    expect(hub.callsTo(A.phone).map((c) => c.sid)).toEqual([sid]);
    expect(hub.twilio.requests.filter((r) => r.held)).toHaveLength(1);
    expect(hub.twilio.requests.filter((r) => r.replayed).length).toBeGreaterThanOrEqual(1);

    // The relative confirms by SMS while the phone rings; Twilio takes the hang-up but answers it late.
    hub.twilio.setCallStatus(sid, "ringing");
    hub.twilio.holdAnswers(1, "call update");
    const reply = await hub.th.twilioWebhooks().inboundSms({ from: A.phone, body: "1" });
    expect(reply.status).toBe(200);
    await waitFor(
      () =>
        (
          hub.th.hub.db.prepare("SELECT status FROM call_hangups WHERE alarm_id = ?").get(alarmId) as
            | { status: string }
            | undefined
        )?.status === "done",
      LONG,
      "the hang-up recorded",
    );
    expect(hub.twilio.callUpdates.map((u) => [u.sid, u.status])).toEqual([[sid, "canceled"]]);
    expect(hub.twilio.requests.filter((r) => r.held)).toHaveLength(2);
    expect(hub.callsTo(A.phone)).toHaveLength(1);
  }, 60_000);
});
