/**
 * The relatives' cascade on a real hub: presses over MQTT, SQLite on disk, the
 * real twilio SDK against the local stand-in (SMS and calls), Twilio's signed
 * callbacks played by the stand-in, and the hub's clock moved by the test.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type CascadeHub, startCascadeHub } from "./relatives-harness.ts";
import { type Scrape, scrape } from "./scrape.ts";
import { waitFor } from "./test-hub.ts";

const A = { name: "王建国", phone: "+8613900000101" };
const B = { name: "Li Ming", phone: "+8613900000102", language: "en" as const };
const C = { name: "王秀兰", phone: "+8613900000103" };
const DEVICE = 12;

export function describeRelativesCascade(engine: "sqlite" | "postgres"): void {
  describe(`relatives' cascade on ${engine}`, () => {
    let h: CascadeHub | undefined;
    afterEach(async () => {
      await h?.stop();
      h = undefined;
    });

    it("texts the first wave, the next after the timeout, then calls each relative in order, then gives up", async () => {
      h = await startCascadeHub({ engine });
      const hub = h;
      await hub.giveRelatives(DEVICE, [A, B, C]);
      const alarmId = await hub.press(DEVICE);

      // The first wave: the first two relatives, at once; the third waits.
      await hub.twilio.waitForMessages(2, 4000);
      await waitFor(() => hub.smsTo(A.phone).length === 1 && hub.smsTo(B.phone).length === 1, 4000, "first wave");
      expect(hub.smsTo(A.phone)[0]?.body).toContain("收到请回复1");
      expect(hub.smsTo(B.phone)[0]?.body).toContain("Reply 1 to confirm");
      expect(hub.smsTo(A.phone)[0]?.statusCallback).toBe("http://anxin.test/api/twilio/status");
      const first = await hub.cascade(alarmId);
      expect(first).toMatchObject({ status: "texting", wave: 1, step: 1 });
      const wave1 = (await hub.events(alarmId, "relatives_wave_sent"))[0];
      expect(wave1?.detail).toMatchObject({ wave: 1, relatives: [{ name: A.name }, { name: B.name }] });

      // Nobody confirms: not early, the third relative is texted once the deadline passes. The hub's clock
      // also runs in real time, so "before the deadline" keeps 10 s of margin for a busy machine.
      hub.advance(290);
      await hub.quiet();
      expect(hub.smsTo(C.phone)).toHaveLength(0);
      hub.advance(11);
      await waitFor(() => hub.smsTo(C.phone).length === 1, 3000, "second wave");
      expect(await hub.cascade(alarmId)).toMatchObject({ status: "texting", wave: 2 });

      // Everyone texted and still nobody confirms: the first relative is called, in their language.
      hub.advance(301);
      await waitFor(() => hub.callsTo(A.phone).length === 1, 3000, "call to the first relative");
      const callA = hub.callsTo(A.phone)[0];
      expect(callA?.twiml).toMatch(/<Say language="zh-CN"[^>]*>这里是安心紧急呼叫中心/);
      expect(callA?.twiml).toContain("按下了一键呼叫按钮");
      expect(callA?.statusCallback).toBe("http://anxin.test/api/twilio/status");
      expect(callA?.statusCallbackEvents).toEqual([]);
      expect(hub.callsTo(B.phone)).toHaveLength(0);
      // The order the outbox would send them in a mass event: the first wave's first relative and the call
      // first, the rest of the first wave next, the later wave after (hub/storage/outbox-priority.ts).
      const queued = await hub.th.hub.sql.all(
        "SELECT channel, priority FROM outbox WHERE alarm_id = ? AND purpose LIKE 'relative%' ORDER BY id",
        [alarmId],
      );
      expect(queued).toEqual([
        { channel: "sms", priority: 0 },
        { channel: "sms", priority: 1 },
        { channel: "sms", priority: 2 },
        { channel: "voice", priority: 0 },
      ]);
      const medical =
        (await hub.th.hub.sql.get<Record<string, string>>(
          "SELECT r.conditions, r.medications, r.allergies FROM residents r JOIN alarms a ON a.resident_id = r.id WHERE a.id = ?",
          [alarmId],
        )) ?? {};
      for (const detail of Object.values(medical).filter((m) => m && m !== "无")) {
        expect(callA?.twiml).not.toContain(detail);
      }

      // No answer: the next relative is called at once, in English, with no clock movement.
      const webhooks = hub.th.twilioWebhooks();
      const sidA = await hub.sidFor(alarmId, A.phone, "voice");
      expect((await webhooks.callStatus(sidA, "no-answer")).status).toBe(204);
      await waitFor(() => hub.callsTo(B.phone).length === 1, 3000, "call to the second relative");
      expect(hub.callsTo(B.phone)[0]?.twiml).toMatch(/<Say language="en-US"[^>]*>This is the Anxin emergency/);

      // The second call never reports back: the deadline still moves the cascade on.
      hub.advance(301);
      await waitFor(() => hub.callsTo(C.phone).length === 1, 3000, "call to the third relative");

      // The last call is answered but nobody confirms: everyone was tried.
      const sidC = await hub.sidFor(alarmId, C.phone, "voice");
      expect((await webhooks.callStatus(sidC, "completed")).status).toBe(204);
      await waitFor(async () => (await hub.cascade(alarmId))?.status === "unreachable", 3000, "cascade gives up");
      expect((await hub.cascade(alarmId))?.deadline_at).toBeNull();

      const steps = (await hub.events(alarmId, "relative"))
        .map((e) => e.type)
        .filter((t) => t !== "relatives_not_notified");
      expect(steps).toEqual([
        "relatives_wave_sent",
        "relatives_wave_sent",
        "relative_call_placed",
        "relative_contact_failed",
        "relative_call_placed",
        "relative_call_placed",
        "relative_call_completed",
        "relatives_unreachable",
      ]);
      expect((await hub.events(alarmId, "relatives_unreachable"))[0]?.detail).toMatchObject({
        texted: 3,
        called: 3,
        after: { code: "relative_answered_unconfirmed", params: { relative: C.name } },
      });
      // Why each call was placed, coded: no answer from A; B's call not confirmed within the deadline.
      expect((await hub.events(alarmId, "relative_call_placed")).slice(1).map((e) => e.detail?.after)).toEqual([
        { code: "relative_contact_failed", params: { relative: A.name, channel: "voice" } },
        { code: "call_not_confirmed_in_time", params: { seconds: expect.any(Number) } },
      ]);

      // The operator sees every contact with its channel and delivery status.
      const cookie = await hub.th.login();
      const { alarm: detail } = (
        await hub.th.hub.app.inject({ method: "GET", url: `/api/alarms/${alarmId}`, headers: { cookie } })
      ).json() as {
        alarm: {
          sms: { to: string; channel: string; deliveryStatus: string | null; relative: { outcome: string } | null }[];
          relativeCascade: { status: string; wave: number; confirmedBy: unknown };
        };
      };
      const toRelatives = detail.sms.filter((m) => m.relative !== null);
      expect(toRelatives.map((m) => [m.to, m.channel])).toEqual([
        [A.phone, "sms"],
        [B.phone, "sms"],
        [C.phone, "sms"],
        [A.phone, "voice"],
        [B.phone, "voice"],
        [C.phone, "voice"],
      ]);
      expect(toRelatives[3]).toMatchObject({ deliveryStatus: "no-answer", relative: { outcome: "failed" } });
      expect(toRelatives[4]).toMatchObject({ deliveryStatus: null, relative: { outcome: "waiting" } });
      expect(toRelatives[5]).toMatchObject({ deliveryStatus: "completed", relative: { outcome: "answered" } });
      expect(detail.relativeCascade).toMatchObject({ status: "unreachable", wave: 2, confirmedBy: null });

      // /metrics counts each call Twilio took, once, beside the SMS (issue 16): three calls, none refused, and the
      // SMS as the table holds them (a counter moves just after its row's commit: read until they agree).
      const voice = (s: Scrape, outcome: string) =>
        s.value("anxin_outbox_messages_total", { channel: "voice", outcome });
      const figures = await waitFor(
        async () => {
          const s = await scrape(hub.th.httpUrl);
          const smsSent = await hub.th.hub.sql.get<{ n: number | string }>(
            "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'sms' AND status = 'sent'",
          );
          const smsCounted = s.value("anxin_outbox_messages_total", { channel: "sms", outcome: "sent" });
          return voice(s, "sent") === 3 && smsCounted === Number(smsSent?.n) ? s : null;
        },
        15_000,
        "the three calls and every sent SMS counted",
      );
      expect(voice(figures, "failed") + voice(figures, "retried")).toBe(0);
    });

    it("stops at the first confirming reply, thanks the relative in their language, and records later replies", async () => {
      h = await startCascadeHub({ engine });
      const hub = h;
      const [, idB] = await hub.giveRelatives(DEVICE, [A, B, C]);
      const alarmId = await hub.press(DEVICE);
      await waitFor(() => hub.smsTo(B.phone).length === 1, 4000, "first wave");
      const webhooks = hub.th.twilioWebhooks();

      // Something that is not a confirmation: shown to operators, answered with how to confirm, cascade goes on.
      const question = await webhooks.inboundSms({ from: A.phone, body: "你是谁？" });
      expect(question.status).toBe(200);
      expect(question.contentType).toContain("text/xml");
      expect(question.body).toContain("请回复 1 确认");
      expect((await hub.cascade(alarmId))?.status).toBe("texting");
      expect((await hub.events(alarmId, "relative_replied"))[0]?.detail).toMatchObject({ reply: "你是谁？" });

      // B (English) confirms with "OK!".
      const confirm = await webhooks.inboundSms({ from: B.phone, body: "OK!" });
      expect(confirm.status).toBe(200);
      expect(confirm.body).toMatch(/<Response><Message>\[Anxin\] Thank you, we have your confirmation .*#\d+/);
      expect(await hub.cascade(alarmId)).toMatchObject({ status: "confirmed", deadline_at: null });
      const confirmed = await hub.events(alarmId, "relative_confirmed");
      expect(confirmed).toEqual([
        {
          type: "relative_confirmed",
          actor: `relative:${idB}`,
          detail: expect.objectContaining({
            relative: expect.objectContaining({ name: B.name }),
            cascadeStopped: true,
          }),
        },
      ]);

      // The cascade is over: however long it stays unconfirmed otherwise, nobody else is texted or called.
      hub.advance(3600);
      await hub.quiet();
      expect(hub.smsTo(C.phone)).toHaveLength(0);
      expect(hub.twilio.calls).toHaveLength(0);

      // A second relative confirming too is recorded, in Chinese, without restarting anything.
      const second = await webhooks.inboundSms({ from: A.phone, body: "收到" });
      expect(second.body).toContain("谢谢，已收到您的确认");
      expect((await hub.events(alarmId, "relative_confirmed"))[1]?.detail).toMatchObject({
        cascadeStopped: false,
        alreadyConfirmedBy: { name: B.name },
      });

      const cookie = await hub.th.login();
      const { alarm: detail } = (
        await hub.th.hub.app.inject({ method: "GET", url: `/api/alarms/${alarmId}`, headers: { cookie } })
      ).json() as {
        alarm: {
          sms: { to: string; confirmedAt: string | null }[];
          relativeCascade: { status: string; confirmedBy: { name: string; at: string } | null };
        };
      };
      expect(detail.relativeCascade).toMatchObject({ status: "confirmed", confirmedBy: { name: B.name } });
      expect(detail.sms.find((m) => m.to === B.phone)?.confirmedAt).toBe(detail.relativeCascade.confirmedBy?.at);
      expect(detail.sms.find((m) => m.to === C.phone)).toBeUndefined();
    });

    it("keeps its deadlines across a restart: early is not yet, overdue goes at once", async () => {
      h = await startCascadeHub({ engine });
      const hub = h;
      await hub.giveRelatives(DEVICE, [A, B, C]);
      const alarmId = await hub.press(DEVICE);
      await waitFor(() => hub.smsTo(B.phone).length === 1, 4000, "first wave");

      // Down for 200 s of the 300: after the restart the wave is still not due.
      await hub.th.hub.stop();
      hub.advance(200);
      await hub.th.restart();
      await hub.quiet();
      expect(hub.smsTo(C.phone)).toHaveLength(0);
      hub.advance(101);
      await waitFor(() => hub.smsTo(C.phone).length === 1, 3000, "second wave on time after the restart");

      // Down past the next deadline: the call goes out as soon as the hub is back.
      await hub.th.hub.stop();
      hub.advance(400);
      await hub.th.restart();
      await waitFor(() => hub.callsTo(A.phone).length === 1, 3000, "overdue call after the restart");
      expect(hub.smsTo(A.phone)).toHaveLength(1);
      expect(await hub.events(alarmId, "relatives_wave_sent")).toHaveLength(2);
    });

    it("never contacts relatives for test and service presses, and stops when the alarm is resolved", async () => {
      h = await startCascadeHub({ engine });
      const hub = h;
      await hub.giveRelatives(3, [A, B, C]);
      const testAlarm = await hub.press(3, "test");
      await hub.giveRelatives(5, [A, B, C]);
      const serviceAlarm = await hub.press(5, "service");
      hub.advance(3600);
      await hub.quiet();
      for (const alarmId of [testAlarm, serviceAlarm]) {
        expect(await hub.cascade(alarmId)).toBeUndefined();
        const toRelatives = await hub.th.hub.sql.get<{ n: number }>(
          "SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ? AND purpose LIKE 'relative%'",
          [alarmId],
        );
        expect(toRelatives?.n).toBe(0);
      }
      expect([...hub.smsTo(A.phone), ...hub.smsTo(B.phone), ...hub.smsTo(C.phone)]).toEqual([]);

      // An SOS that an operator resolves: its cascade stops in the same transaction.
      await hub.giveRelatives(DEVICE, [A, B, C]);
      const sos = await hub.press(DEVICE);
      await waitFor(() => hub.smsTo(B.phone).length === 1, 4000, "first wave");
      const cookie = await hub.th.login();
      const resolved = await hub.th.hub.app.inject({
        method: "POST",
        url: `/api/alarms/${sos}/resolve`,
        headers: { cookie },
        payload: { outcome: "false_alarm" },
      });
      expect(resolved.statusCode).toBe(200);
      expect((await hub.cascade(sos))?.status).toBe("stopped");
      hub.advance(3600);
      await hub.quiet();
      expect(hub.smsTo(C.phone)).toHaveLength(0);
      expect(hub.twilio.calls).toHaveLength(0);
      // A reply to a closed alarm is from nobody the hub is waiting for.
      const late = await hub.th.twilioWebhooks().inboundSms({ from: A.phone, body: "1" });
      expect(late.body).not.toContain("<Message>");
    });
  });
}
