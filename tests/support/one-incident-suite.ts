/**
 * One emergency is one incident (issue 11, part 4): whatever a device sends,
 * a household has at most one open SOS incident, one relatives' cascade and
 * one worker offer chain at a time. Real presses over MQTT (a raw client
 * sending as fast as it can, like the attacker's), a real hub, SQLite on disk.
 */
import { randomUUID } from "node:crypto";
import type { MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import type { AckMessage, AlarmKind } from "../../protocol/index.ts";
import { type LifecycleHub, startLifecycleHub } from "./lifecycle-harness.ts";
import { collectMessages, connectAsDevice, publishAndCollect } from "./raw-device.ts";
import { waitFor } from "./test-hub.ts";

const DEVICE = 17;
const OTHER_DEVICE = 18;
const RELATIVES = [
  { name: "李建国", phone: "+8613900000301" },
  { name: "李秀兰", phone: "+8613900000302" },
  { name: "李小明", phone: "+8613900000303" },
];

function press(kind: AlarmKind, seq: number): string {
  return JSON.stringify({ pressId: randomUUID(), kind, deviceTime: new Date().toISOString(), seq, battery: 90 });
}

interface AlarmFacts {
  id: number;
  kind: string;
  status: string;
  press_count: number;
  outcome: string | null;
}

export function describeOneIncident(engine: "sqlite" | "postgres"): void {
  describe(`one emergency is one incident on ${engine}`, () => {
    let h: LifecycleHub | undefined;
    const clients: MqttClient[] = [];
    afterEach(async () => {
      for (const client of clients.splice(0)) await client.endAsync();
      await h?.stop();
      h = undefined;
    });

    const start = async (): Promise<LifecycleHub> => {
      h = await startLifecycleHub(DEVICE, { engine });
      await h.giveRelatives(DEVICE, RELATIVES);
      return h;
    };

    /** Sends every press at once from a raw client of `deviceIndex`, and returns the acks in order. */
    async function burst(hub: LifecycleHub, deviceIndex: number, kinds: readonly AlarmKind[]): Promise<AckMessage[]> {
      const credential = hub.th.demoDevices[deviceIndex];
      if (!credential) throw new Error(`no demo device ${deviceIndex}`);
      const client = await connectAsDevice(hub.th.mqttUrl, credential, `burst-${clients.length}`);
      clients.push(client);
      const payloads = kinds.map((kind, i) => press(kind, i + 1));
      const acks = await publishAndCollect(client, credential.deviceId, "alarm", payloads, "ack", kinds.length);
      const byPress = new Map(acks.map((a) => [a.pressId, a]));
      return payloads.map((p) => {
        const ack = byPress.get((JSON.parse(p) as { pressId: string }).pressId);
        if (!ack) throw new Error("a press was not acked");
        return ack;
      });
    }

    const alarmsOf = (hub: LifecycleHub, deviceId: string): Promise<AlarmFacts[]> =>
      hub.th.hub.sql.all<AlarmFacts>(
        "SELECT id, kind, status, press_count, outcome FROM alarms WHERE device_id = ? ORDER BY id",
        [deviceId],
      );
    const count = async (hub: LifecycleHub, sql: string): Promise<number> =>
      (await hub.th.hub.sql.get<{ n: number }>(sql))?.n ?? 0;

    /** One relatives' cascade and one worker offer chain in the whole hub. */
    async function expectOneFanOut(hub: LifecycleHub): Promise<void> {
      expect(await count(hub, "SELECT COUNT(*) AS n FROM relative_cascades")).toBe(1);
      expect(await count(hub, "SELECT COUNT(DISTINCT alarm_id) AS n FROM dispatch_offers")).toBe(1);
      expect(await count(hub, "SELECT COUNT(*) AS n FROM dispatch_offers")).toBe(1);
    }

    /** Every SMS and call queued so far has left the outbox, so counting what Twilio got is final. */
    async function outboxDrained(hub: LifecycleHub): Promise<void> {
      await waitFor(
        async () => (await count(hub, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")) === 0,
        5000,
        "the outbox drained",
      );
    }

    it("sos, test, sos, sos: the further SOS presses attach to the open SOS, not to a second incident", async () => {
      const hub = await start();
      const acks = await burst(hub, DEVICE, ["sos", "test", "sos", "sos"]);
      const [first, test, third, fourth] = acks;
      if (!first?.alarmId || !test?.alarmId) throw new Error("no alarm");
      await hub.th.waitForPipeline(first.alarmId);
      await hub.th.waitForPipeline(test.alarmId);

      expect(third?.alarmId).toBe(first.alarmId);
      expect(fourth?.alarmId).toBe(first.alarmId);
      expect(test.alarmId).not.toBe(first.alarmId);
      const sos = (await alarmsOf(hub, hub.deviceId)).filter((a) => a.kind === "sos");
      expect(sos).toHaveLength(1);
      expect(sos[0]).toMatchObject({ id: first.alarmId, press_count: 3 });
      // The test press is still a device test: closed by itself as a manual test once its pipeline is done.
      await waitFor(
        async () => (await alarmsOf(hub, hub.deviceId)).find((a) => a.id === test.alarmId)?.outcome === "test",
        5000,
        "the test alarm closed as a test",
      );
      // One relatives' cascade, one first wave (2 relatives), one worker offer chain.
      await expectOneFanOut(hub);
      await outboxDrained(hub);
      expect(RELATIVES.map((r) => hub.smsTo(r.phone).length)).toEqual([1, 1, 0]);
      // The button shows the emergency, not the test that closed after it.
      await waitFor(() => hub.button.feedbackState === "received", 3000, "the SOS's feedback");
    });

    it("sos, test, cancel: the cancel cancels the emergency, never the test press", async () => {
      const hub = await start();
      const [sos, test, cancel] = await burst(hub, DEVICE, ["sos", "test", "cancel"]);
      if (!sos?.alarmId || !test?.alarmId) throw new Error("no alarm");
      expect(cancel?.alarmId).toBe(sos.alarmId);
      await waitFor(
        async () => (await alarmsOf(hub, hub.deviceId)).find((a) => a.id === sos.alarmId)?.status === "cancelled",
        5000,
        "the SOS cancelled",
      );
      await waitFor(
        async () => (await alarmsOf(hub, hub.deviceId)).find((a) => a.id === test.alarmId)?.outcome === "test",
        5000,
        "the test alarm closed as a test",
      );
      expect((await alarmsOf(hub, hub.deviceId)).find((a) => a.id === sos.alarmId)?.outcome).toBe("false_alarm");
    });

    it("two buttons of one household make one incident; each shows its state; one alone cannot cancel it", async () => {
      const hub = await start();
      const other = hub.th.demoDevices[OTHER_DEVICE];
      if (!other) throw new Error("no second demo device");
      const household = await hub.th.hub.sql.get<{ id: number }>(
        "SELECT household_id AS id FROM devices WHERE id = ?",
        [hub.deviceId],
      );
      if (!household) throw new Error("the device has no household");
      const bound = await hub.api("PATCH", `/api/registry/devices/${other.deviceId}`, { householdId: household.id });
      expect(bound.status).toBe(200);
      const otherClient = await connectAsDevice(hub.th.mqttUrl, other, "watch");
      clients.push(otherClient);
      const otherFeedback = await collectMessages(otherClient, other.deviceId, "feedback");

      const first = await hub.pressButton("sos");
      if (first.alarmId === null) throw new Error("no alarm");
      const [fromOther, sosAgain] = await burst(hub, OTHER_DEVICE, ["sos", "sos"]);
      expect([fromOther?.alarmId, sosAgain?.alarmId]).toEqual([first.alarmId, first.alarmId]);
      expect(await count(hub, "SELECT COUNT(*) AS n FROM alarms WHERE kind = 'sos'")).toBe(1);
      expect((await alarmsOf(hub, hub.deviceId))[0]).toMatchObject({ id: first.alarmId, press_count: 3 });
      expect((await hub.events(first.alarmId, "pressed_again")).map((e) => e.actor)).toEqual([
        `device:${other.deviceId}`,
        `device:${other.deviceId}`,
      ]);
      await expectOneFanOut(hub);
      await waitFor(
        () => otherFeedback.some((f) => f.alarmId === first.alarmId && f.state === "received"),
        3000,
        "the second button told the incident was received",
      );

      // The first button's own cancel, within the window: someone else pressed too, so the operator decides.
      const cancel = await hub.pressButton("cancel");
      expect(cancel.alarmId).toBe(first.alarmId);
      expect((await hub.events(first.alarmId, "cancel")).map((e) => e.type)).toEqual(["cancel_requested"]);
      expect((await hub.alarm(first.alarmId)).status).not.toBe("cancelled");

      const done = await hub.api("POST", `/api/alarms/${first.alarmId}/cancel`, { reason: "两人都误按" });
      expect(done.status).toBe(200);
      await waitFor(() => hub.button.feedbackState === "closed", 3000, "the first button closed");
      await waitFor(
        () => otherFeedback.at(-1)?.state === "closed" && otherFeedback.at(-1)?.alarmId === first.alarmId,
        3000,
        "the second button closed",
      );
    });

    it("a misbehaving button's burst of sos, service and test presses makes one incident and one fan-out", async () => {
      const hub = await start();
      // A fixed pattern, no randomness: a failure must reproduce.
      const kinds: AlarmKind[] = Array.from({ length: 40 }, (_, i) =>
        i % 5 === 1 ? "test" : i % 7 === 3 ? "service" : "sos",
      );
      const acks = await burst(hub, DEVICE, kinds);
      const sosIds = new Set(acks.filter((_, i) => kinds[i] !== "test").map((a) => a.alarmId));
      expect(sosIds.size).toBe(1);
      const [incident] = [...sosIds];
      if (incident === null || incident === undefined) throw new Error("no alarm");
      await hub.th.waitForPipeline(incident);
      expect(await count(hub, "SELECT COUNT(*) AS n FROM alarms WHERE kind IN ('sos', 'service')")).toBe(1);
      expect(await hub.alarm(incident)).toMatchObject({
        kind: "sos",
        press_count: kinds.filter((k) => k !== "test").length,
      });
      await expectOneFanOut(hub);
      await outboxDrained(hub);
      expect(RELATIVES.map((r) => hub.smsTo(r.phone).length)).toEqual([1, 1, 0]);
    });

    it("storage refuses a second open SOS for a household, whoever writes it", async () => {
      const hub = await start();
      const { alarmId } = await hub.pressButton("sos");
      if (alarmId === null) throw new Error("no alarm");
      const scope = ((await hub.alarm(alarmId)) as { incident_scope: string }).incident_scope;
      expect(scope).toMatch(/^household:\d+$/);
      const insert = (kind: string) =>
        hub.th.hub.sql.run(
          "INSERT INTO alarms (device_id, kind, status, received_at, incident_scope) VALUES (?, ?, 'unassigned', ?, ?)",
          [hub.deviceId, kind, new Date().toISOString(), scope],
        );
      // SQLite: "UNIQUE constraint failed"; PostgreSQL: "duplicate key value violates unique constraint".
      const refused = /UNIQUE constraint|unique constraint/;
      await expect(insert("sos")).rejects.toThrow(refused);
      // A service call of the same household is another matter; a second one is refused too.
      await insert("service");
      await expect(insert("service")).rejects.toThrow(refused);
      // Once the SOS is closed, a new emergency opens a new incident.
      expect((await hub.api("POST", `/api/alarms/${alarmId}/cancel`, { reason: "误按" })).status).toBe(200);
      const next = await hub.pressButton("sos");
      expect(next.alarmId).not.toBe(alarmId);
      expect(await hub.alarm(next.alarmId ?? 0)).toMatchObject({ kind: "sos", incident_scope: scope, press_count: 1 });
    });
  });
}
