/**
 * Deadlines and escalation on a real hub, with the hub's clock moved by the
 * test: a missed acknowledgement re-alerts the consoles and texts the
 * supervisor, then re-alerts again every ANXIN_ACK_REALERT_S until someone
 * acknowledges; a missed arrival texts the grid leader then the street
 * supervisor (through the outbox, to the Twilio stand-in), each level once, and
 * a hub stopped mid-alarm still escalates on time after it starts again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type LifecycleHub, startLifecycleHub } from "./lifecycle-harness.ts";
import { waitFor } from "./test-hub.ts";

const DEVICE = 21;
const SUPERVISOR = "+8613800000991";
const STREET = "+8613800000992";
const ENV = { ANXIN_SUPERVISOR_PHONE: SUPERVISOR, ANXIN_STREET_SUPERVISOR_PHONE: STREET };

export function describeAlarmDeadlines(engine: "sqlite" | "postgres"): void {
  describe(`alarm deadlines on ${engine}`, () => {
    let h: LifecycleHub | undefined;
    afterEach(async () => {
      await h?.stop();
      h = undefined;
    });

    const sos = async (hub: LifecycleHub): Promise<number> => {
      const { alarmId } = await hub.pressButton("sos");
      if (alarmId === null) throw new Error("no alarm");
      return alarmId;
    };
    const escalations = async (hub: LifecycleHub, alarmId: number) =>
      (await hub.events(alarmId, "escalated")).map((e) => `${String(e.detail.kind)}:${String(e.detail.level)}`);
    const summary = async (hub: LifecycleHub, alarmId: number) =>
      (await hub.api("GET", `/api/alarms/${alarmId}`)).json.alarm as Record<string, unknown>;

    it("a missed acknowledgement re-alerts every console until acknowledged; the supervisor is texted once", async () => {
      const hub = await startLifecycleHub(DEVICE, { engine, env: ENV });
      h = hub;
      const alarmId = await sos(hub);
      // The hub's clock also runs in real time: "before the deadline" keeps 10 s of margin for a busy machine.
      hub.advance(50);
      await hub.quiet();
      expect(await escalations(hub, alarmId)).toEqual([]);
      expect(hub.smsTo(SUPERVISOR)).toHaveLength(0);

      hub.advance(11);
      await waitFor(async () => (await escalations(hub, alarmId)).length === 1, 3000, "ack escalation");
      expect(await escalations(hub, alarmId)).toEqual(["ack:1"]);
      expect((await hub.events(alarmId, "escalated"))[0]).toMatchObject({
        actor: "system",
        detail: { notified: "supervisor" },
      });
      await waitFor(() => hub.smsTo(SUPERVISOR).length === 1, 4000, "supervisor SMS");
      expect(hub.smsTo(SUPERVISOR)[0]?.body).toContain(`#${alarmId}`);
      expect(hub.smsTo(SUPERVISOR)[0]?.body).toContain("无人确认");
      expect(await summary(hub, alarmId)).toMatchObject({ escalation: 1, acknowledgedAt: null });

      // Not again within the re-alert interval (60 s by default)…
      hub.advance(50);
      await hub.quiet();
      expect(await escalations(hub, alarmId)).toEqual(["ack:1"]);
      // …then again at each interval, louder on the consoles, without texting the supervisor again.
      hub.advance(12);
      await waitFor(async () => (await escalations(hub, alarmId)).length === 2, 3000, "second re-alert");
      expect(await escalations(hub, alarmId)).toEqual(["ack:1", "ack:2"]);
      expect((await hub.events(alarmId, "escalated"))[1]).toMatchObject({ detail: { notified: null } });
      expect(await summary(hub, alarmId)).toMatchObject({ escalation: 2 });

      // Several intervals pass at once (a busy or stopped hub): one re-alert at the level now due, not a burst.
      hub.advance(185);
      await waitFor(async () => (await escalations(hub, alarmId)).length === 3, 3000, "catch-up re-alert");
      await hub.quiet();
      expect(await escalations(hub, alarmId)).toEqual(["ack:1", "ack:2", "ack:5"]);
      expect(hub.smsTo(SUPERVISOR)).toHaveLength(1);

      // Acknowledged: the re-alerts stop.
      expect((await hub.api("POST", `/api/alarms/${alarmId}/acknowledge`)).status).toBe(200);
      hub.advance(300);
      await hub.quiet();
      expect((await escalations(hub, alarmId)).filter((e) => e.startsWith("ack"))).toHaveLength(3);
    });

    it("ANXIN_ACK_REALERT_S=0 re-alerts once only", async () => {
      const hub = await startLifecycleHub(DEVICE, { engine, env: { ...ENV, ANXIN_ACK_REALERT_S: "0" } });
      h = hub;
      const alarmId = await sos(hub);
      hub.advance(61);
      await waitFor(async () => (await escalations(hub, alarmId)).length === 1, 3000, "ack escalation");
      hub.advance(600);
      await hub.quiet();
      expect(await escalations(hub, alarmId)).toEqual(["ack:1"]);
      expect(hub.smsTo(SUPERVISOR)).toHaveLength(1);
    });

    it("an acknowledged alarm does not escalate; a missed arrival texts the grid leader, then the street supervisor", async () => {
      const hub = await startLifecycleHub(DEVICE, { engine, env: ENV });
      h = hub;
      const alarmId = await sos(hub);
      expect((await hub.api("POST", `/api/alarms/${alarmId}/acknowledge`)).status).toBe(200);
      hub.advance(120);
      await hub.quiet();
      expect(await escalations(hub, alarmId)).toEqual([]);
      expect(hub.smsTo(SUPERVISOR)).toHaveLength(0);

      const leader = await hub.th.hub.sql.get<{ phone: string }>(
        `SELECT g.leader_phone AS phone FROM alarms a JOIN households h ON h.id = a.household_id
         JOIN grids g ON g.id = h.grid_id WHERE a.id = ?`,
        [alarmId],
      );
      const phone = leader?.phone ?? "";
      expect(phone).toMatch(/^\+?\d+/);
      hub.advance(900 - 120 + 2);
      await waitFor(() => hub.smsTo(phone).length === 1, 4000, "grid leader SMS");
      expect(hub.smsTo(phone)[0]?.body).toContain("无人到场");
      expect(await escalations(hub, alarmId)).toEqual(["arrival:1"]);
      expect(hub.smsTo(STREET)).toHaveLength(0);

      hub.advance(900);
      await waitFor(() => hub.smsTo(STREET).length === 1, 4000, "street supervisor SMS");
      expect(await escalations(hub, alarmId)).toEqual(["arrival:1", "arrival:2"]);
      expect(await summary(hub, alarmId)).toMatchObject({ escalation: 2 });
      expect(hub.smsTo(phone)).toHaveLength(1);
    });

    it("keeps the deadline across a restart: not early, and at once when it passed while the hub was down", async () => {
      const hub = await startLifecycleHub(DEVICE, { engine, env: ENV });
      h = hub;
      const alarmId = await sos(hub);
      hub.advance(30);
      await hub.th.restart();
      await hub.quiet();
      expect(await escalations(hub, alarmId)).toEqual([]);
      hub.advance(31);
      await waitFor(async () => (await escalations(hub, alarmId)).length === 1, 3000, "ack escalation after restart");
      await waitFor(() => hub.smsTo(SUPERVISOR).length === 1, 4000, "supervisor SMS after restart");

      // Down while the arrival deadline passes: it fires as soon as the hub is back, and only once.
      await hub.th.hub.stop();
      hub.advance(900);
      await hub.th.restart();
      await waitFor(
        async () => (await escalations(hub, alarmId)).includes("arrival:1"),
        3000,
        "arrival escalation at start",
      );
      await hub.th.restart();
      await hub.quiet();
      // Still unacknowledged after 961 s: one re-alert at the level due then (1 + 901 s / 60 s = 16), not fifteen.
      expect(await escalations(hub, alarmId)).toEqual(["ack:1", "ack:16", "arrival:1"]);
      expect(hub.smsTo(SUPERVISOR)).toHaveLength(1);
    });
  });
}
