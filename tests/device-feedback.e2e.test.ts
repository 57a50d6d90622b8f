/**
 * The button's retained feedback is the stored truth, whatever order the
 * hub's racing publishes happen in: the press's own `received`, the dispatch
 * stage's offer and a quick cancel's `closed` all go out after different
 * commits, and a late one must never leave a device showing a stale state.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { deviceTopic, type FeedbackMessage } from "../protocol/index.ts";
import { type LifecycleHub, startLifecycleHub } from "./support/lifecycle-harness.ts";
import { collectMessages, connectAsDevice } from "./support/raw-device.ts";
import { waitFor } from "./support/test-hub.ts";

const DEVICE = 31;

/** What a device that connects now is told: the retained feedback. */
async function retainedFeedback(hub: LifecycleHub, suffix: string): Promise<FeedbackMessage> {
  const credential = hub.th.demoDevices[DEVICE];
  if (!credential) throw new Error("no demo device");
  const client = await connectAsDevice(hub.th.mqttUrl, credential, suffix);
  try {
    const received = await collectMessages(client, credential.deviceId, "feedback");
    await waitFor(() => received.length > 0, 3000, "retained feedback");
    return received[received.length - 1] as FeedbackMessage;
  } finally {
    await client.endAsync();
  }
}

describe("device feedback", () => {
  let h: LifecycleHub | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("a late publish carrying a stale state cannot overwrite what storage says", async () => {
    h = await startLifecycleHub(DEVICE);
    const hub = h;
    const { alarmId } = await hub.pressButton("sos");
    if (alarmId === null) throw new Error("no alarm");
    await waitFor(
      () => hub.th.hub.db.prepare("SELECT 1 FROM dispatch_offers WHERE alarm_id = ?").get(alarmId),
      3000,
      "the automatic offer",
    );
    await waitFor(() => hub.button.feedbackState === "received", 3000, "received feedback");
    await hub.pressButton("cancel");
    await waitFor(() => hub.button.feedbackState === "closed", 3000, "closed feedback");

    // A caller that read the alarm before the cancel committed publishes now, as dispatch's after-commit could.
    await hub.th.hub.devices.feedback(hub.deviceId, "dispatched", alarmId);
    await hub.th.hub.devices.feedback(hub.deviceId, "received", alarmId);
    expect(await retainedFeedback(hub, "check")).toMatchObject({ state: "closed", alarmId });
    expect(hub.button.feedbackState).toBe("closed");
  });

  it("presses cancelled the moment they are acknowledged all end closed, in order", async () => {
    h = await startLifecycleHub(DEVICE);
    const hub = h;
    const credential = hub.th.demoDevices[DEVICE];
    if (!credential) throw new Error("no demo device");
    await hub.button.stop();
    const client = await connectAsDevice(hub.th.mqttUrl, credential, "quick");
    const feedback = await collectMessages(client, credential.deviceId, "feedback");
    const acks = await collectMessages(client, credential.deviceId, "ack");
    const alarmIds: number[] = [];
    let seq = 0;
    const send = (kind: "sos" | "cancel") => {
      const message = { pressId: randomUUID(), kind, deviceTime: new Date().toISOString(), seq: seq++, battery: 90 };
      return client.publishAsync(deviceTopic(credential.deviceId, "alarm"), JSON.stringify(message), { qos: 1 });
    };
    for (let round = 0; round < 6; round += 1) {
      const before = acks.length;
      await send("sos");
      await waitFor(() => acks.length > before, 3000, "sos ack");
      // Cancel at once, while the new alarm's pipeline (locate, relatives, dispatch) is still running.
      await send("cancel");
      await waitFor(() => acks.length > before + 1, 3000, "cancel ack");
      const alarmId = acks[before]?.alarmId;
      if (typeof alarmId !== "number") throw new Error("sos not stored");
      alarmIds.push(alarmId);
      await hub.th.waitForPipeline(alarmId);
    }
    await hub.quiet(500);
    await client.endAsync();

    for (const alarmId of alarmIds) expect((await hub.alarm(alarmId)).status).toBe("cancelled");
    const newest = alarmIds[alarmIds.length - 1];
    expect(await retainedFeedback(hub, "check")).toMatchObject({ state: "closed", alarmId: newest });
    // Each alarm's own feedback ends with `closed`: nothing stale came after it.
    for (const alarmId of alarmIds) {
      const states = feedback.filter((f) => f.alarmId === alarmId).map((f) => f.state);
      expect(states[states.length - 1]).toBe("closed");
    }
  });
});
