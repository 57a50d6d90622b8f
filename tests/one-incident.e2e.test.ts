/**
 * One emergency is one incident (issue 11, part 4): whatever a device sends,
 * a household has at most one open SOS incident, one relatives' cascade and
 * one worker offer chain at a time. Real presses over MQTT (a raw client
 * sending as fast as it can, like the attacker's), a real hub, SQLite on disk.
 */
import { randomUUID } from "node:crypto";
import type { MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import type { AckMessage, AlarmKind } from "../protocol/index.ts";
import { type LifecycleHub, startLifecycleHub } from "./support/lifecycle-harness.ts";
import { connectAsDevice, publishAndCollect } from "./support/raw-device.ts";
import { waitFor } from "./support/test-hub.ts";

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

describe("one emergency is one incident", () => {
  let h: LifecycleHub | undefined;
  const clients: MqttClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.endAsync();
    await h?.stop();
    h = undefined;
  });

  const start = async (): Promise<LifecycleHub> => {
    h = await startLifecycleHub(DEVICE);
    h.giveRelatives(DEVICE, RELATIVES);
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

  const alarmsOf = (hub: LifecycleHub, deviceId: string): AlarmFacts[] =>
    hub.th.hub.db
      .prepare("SELECT id, kind, status, press_count, outcome FROM alarms WHERE device_id = ? ORDER BY id")
      .all(deviceId) as AlarmFacts[];
  const count = (hub: LifecycleHub, sql: string, ...params: unknown[]): number =>
    (hub.th.hub.db.prepare(sql).get(...params) as { n: number }).n;

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
    const sos = alarmsOf(hub, hub.deviceId).filter((a) => a.kind === "sos");
    expect(sos).toHaveLength(1);
    expect(sos[0]).toMatchObject({ id: first.alarmId, press_count: 3 });
    // The test press is still a device test: closed by itself as a manual test once its pipeline is done.
    await waitFor(
      () => alarmsOf(hub, hub.deviceId).find((a) => a.id === test.alarmId)?.outcome === "test",
      5000,
      "the test alarm closed as a test",
    );
    // One relatives' cascade, one first wave (2 relatives), one worker offer chain.
    expect(count(hub, "SELECT COUNT(*) AS n FROM relative_cascades WHERE alarm_id IN (SELECT id FROM alarms)")).toBe(1);
    await hub.twilio.waitForMessages(1, 3000);
    await hub.quiet(500);
    expect(RELATIVES.map((r) => hub.smsTo(r.phone).length)).toEqual([1, 1, 0]);
    expect(count(hub, "SELECT COUNT(*) AS n FROM dispatch_offers")).toBe(1);
    // The button shows the emergency, not the test that closed after it.
    await waitFor(() => hub.button.feedbackState === "received", 3000, "the SOS's feedback");
  });
});
