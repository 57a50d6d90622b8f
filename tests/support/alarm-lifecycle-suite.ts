/**
 * Cancel, repeated presses, the follow-up visit and the overdue list on a real
 * hub: presses over MQTT, SQLite on disk, the operator's HTTP API, and the
 * hub's clock moved by the test.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type LifecycleHub, startLifecycleHub } from "./lifecycle-harness.ts";
import { waitFor } from "./test-hub.ts";

const DEVICE = 14;
const RELATIVES = [
  { name: "王建国", phone: "+8613900000201" },
  { name: "王秀兰", phone: "+8613900000202" },
  { name: "王小明", phone: "+8613900000203" },
];

export function describeAlarmLifecycle(engine: "sqlite" | "postgres"): void {
  describe(`alarm lifecycle on ${engine}`, () => {
    let h: LifecycleHub | undefined;
    afterEach(async () => {
      await h?.stop();
      h = undefined;
    });

    const start = async (): Promise<LifecycleHub> => {
      h = await startLifecycleHub(DEVICE, { engine });
      await h.giveRelatives(DEVICE, RELATIVES);
      return h;
    };
    const offers = (hub: LifecycleHub, alarmId: number) =>
      hub.th.hub.sql.all<{ status: string }>("SELECT status FROM dispatch_offers WHERE alarm_id = ? ORDER BY id", [
        alarmId,
      ]);

    it("a cancel press within the window cancels the alarm: offers withdrawn, relatives stopped, device closed", async () => {
      const hub = await start();
      const { alarmId } = await hub.pressButton("sos");
      if (alarmId === null) throw new Error("no alarm");
      // The offer first, so that the cancel has an offer to withdraw; it tells the resident nothing new.
      await waitFor(async () => (await offers(hub, alarmId)).length === 1, 3000, "the automatic offer");
      expect((await offers(hub, alarmId)).map((o) => o.status)).toEqual(["offered"]);
      expect(hub.button.feedbackState).toBe("received");
      expect((await hub.cascade(alarmId))?.status).toBe("texting");

      // 5 s on the hub's clock plus the real time the test takes: still inside the 10 s window.
      hub.advance(5);
      const ack = await hub.pressButton("cancel");
      expect(ack.alarmId).toBe(alarmId);
      await waitFor(() => hub.button.feedbackState === "closed", 3000, "closed feedback");
      expect(await hub.alarm(alarmId)).toMatchObject({ status: "cancelled", outcome: "false_alarm" });
      expect((await hub.alarm(alarmId)).cancelled_at).not.toBeNull();
      const cancelled = await hub.events(alarmId, "cancelled");
      expect(cancelled).toHaveLength(1);
      expect(cancelled[0]).toMatchObject({ actor: `device:${hub.deviceId}`, detail: { outcome: "false_alarm" } });
      expect((await offers(hub, alarmId)).map((o) => o.status)).not.toContain("offered");
      expect((await hub.cascade(alarmId))?.status).toBe("stopped");
      // The relatives' cascade stays stopped: its deadline passing texts nobody else.
      hub.advance(400);
      await hub.quiet();
      expect(hub.smsTo(RELATIVES[2]?.phone ?? "")).toHaveLength(0);
      const { json } = await hub.api("GET", `/api/alarms/${alarmId}`);
      expect(json.alarm).toMatchObject({ status: "cancelled", outcome: "false_alarm" });
    });

    it("a cancel press after the window only asks the operator; the operator can then cancel it", async () => {
      const hub = await start();
      const { alarmId } = await hub.pressButton("sos");
      if (alarmId === null) throw new Error("no alarm");
      hub.advance(11);
      const ack = await hub.pressButton("cancel");
      expect(ack.alarmId).toBe(alarmId);
      await hub.quiet(300);
      expect((await hub.alarm(alarmId)).status).toBe("offered");
      expect((await hub.events(alarmId, "cancel")).map((e) => e.type)).toEqual(["cancel_requested"]);
      expect(hub.button.feedbackState).not.toBe("closed");

      const refused = await hub.api("POST", `/api/alarms/${alarmId}/cancel`, {});
      expect(refused.status).toBe(400);
      const done = await hub.api("POST", `/api/alarms/${alarmId}/cancel`, { reason: "老人误按" });
      expect(done.status).toBe(200);
      expect(done.json.alarm).toMatchObject({ id: alarmId, status: "cancelled", outcome: "false_alarm" });
      // The operator's own words are a note; a `reason` on the timeline is always coded.
      expect((await hub.events(alarmId, "cancelled"))[0]).toMatchObject({
        actor: "user:admin",
        detail: { outcome: "false_alarm", note: "老人误按" },
      });
      await waitFor(() => hub.button.feedbackState === "closed", 3000, "closed feedback");
      expect((await offers(hub, alarmId)).map((o) => o.status)).not.toContain("offered");
      expect((await hub.cascade(alarmId))?.status).toBe("stopped");
      const again = await hub.api("POST", `/api/alarms/${alarmId}/cancel`, { reason: "twice" });
      expect(again.status).toBe(409);
    });

    it("repeated presses attach to the open alarm: one incident, press count and priority up, same ack id", async () => {
      const hub = await start();
      const first = await hub.pressButton("sos");
      const alarmId = first.alarmId;
      if (alarmId === null) throw new Error("no alarm");
      const second = await hub.pressButton("sos");
      const third = await hub.pressButton("service");
      expect([second.alarmId, third.alarmId]).toEqual([alarmId, alarmId]);
      expect(second.duplicate).toBe(false);
      const count = await hub.th.hub.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM alarms WHERE device_id = ?", [
        hub.deviceId,
      ]);
      expect(count?.n).toBe(1);
      expect((await hub.alarm(alarmId)).press_count).toBe(3);
      expect((await hub.events(alarmId, "pressed_again")).map((e) => e.detail.pressCount)).toEqual([2, 3]);
      const { json } = await hub.api("GET", "/api/alarms");
      const summary = (json.alarms as Record<string, unknown>[]).find((a) => a.id === alarmId);
      expect(summary).toMatchObject({ pressCount: 3, priority: "urgent" });
      // Each further press did not start a second dispatch or a second relatives' wave.
      expect(await offers(hub, alarmId)).toHaveLength(1);
    });

    it("an SOS pressed during an open service call opens its own incident and is dispatched", async () => {
      const hub = await start();
      const service = await hub.pressButton("service");
      const again = await hub.pressButton("service");
      expect(again.alarmId).toBe(service.alarmId);
      const emergency = await hub.pressButton("sos");
      expect(emergency.alarmId).not.toBe(service.alarmId);
      if (emergency.alarmId === null) throw new Error("no alarm");
      expect(await hub.alarm(emergency.alarmId)).toMatchObject({ kind: "sos", status: "offered", press_count: 1 });
    });

    it("plans and records the follow-up visit; overdue lists late resolution and late follow-up", async () => {
      const hub = await start();
      const { alarmId } = await hub.pressButton("sos");
      if (alarmId === null) throw new Error("no alarm");
      expect(
        (await hub.api("POST", `/api/alarms/${alarmId}/follow-up`, { note: "x", visitedAt: new Date().toISOString() }))
          .status,
      ).toBe(409);

      const overdueIds = async (kind: string) => {
        const { json } = await hub.api("GET", "/api/alarms/overdue");
        return (json.overdue as { kind: string; alarm: { id: number } }[])
          .filter((o) => o.kind === kind)
          .map((o) => o.alarm.id);
      };
      hub.advance(3599);
      expect(await overdueIds("resolution")).toEqual([]);
      hub.advance(2);
      expect(await overdueIds("resolution")).toEqual([alarmId]);
      await waitFor(async () => (await hub.events(alarmId, "overdue")).length === 1, 3000, "overdue event");

      expect((await hub.api("POST", `/api/alarms/${alarmId}/resolve`, { outcome: "real" })).status).toBe(200);
      expect(await overdueIds("resolution")).toEqual([]);
      // Due by default three days after resolution (the resolution used the wall clock; the hub's clock is 1 h ahead).
      hub.advance(3 * 86_400 - 3600 - 60);
      expect(await overdueIds("follow_up")).toEqual([]);
      hub.advance(120);
      expect(await overdueIds("follow_up")).toEqual([alarmId]);

      const plannedAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
      const plan = await hub.api("PUT", `/api/alarms/${alarmId}/follow-up-plan`, { dueAt: plannedAt });
      expect(plan.status).toBe(200);
      expect((await hub.alarm(alarmId)).follow_up_due_at).toBe(plannedAt);
      expect(await overdueIds("follow_up")).toEqual([]);

      const visitedAt = new Date().toISOString();
      const visit = await hub.api("POST", `/api/alarms/${alarmId}/follow-up`, { note: "老人已康复", visitedAt });
      expect(visit.status).toBe(200);
      expect(visit.json.alarm).toMatchObject({ status: "followed_up", followedUpAt: visitedAt });
      expect((await hub.events(alarmId, "followed_up"))[0]).toMatchObject({
        actor: "user:admin",
        detail: { note: "老人已康复" },
      });
      const twice = await hub.api("POST", `/api/alarms/${alarmId}/follow-up`, { note: "again", visitedAt });
      expect(twice).toMatchObject({ status: 409, json: { code: "ALARM_TRANSITION_ILLEGAL" } });
    });
  });
}
