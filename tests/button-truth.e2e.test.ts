/**
 * The resident's button says only what is true (docs/protocol.md, feedback
 * states). A real hub, a simulated button pressing over MQTT, and a second
 * MQTT connection of the same device that records every feedback message the
 * hub publishes, in order: the LED's whole history, as the resident sees it.
 *
 * - an automatic offer to a worker, that nobody has accepted, leaves `received`;
 * - `acknowledged` appears only once an operator acknowledges;
 * - `dispatched` only once a worker accepts (whether or not anyone acknowledged),
 *   and a later acknowledgement does not take it back.
 */
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import type { FeedbackMessage } from "../protocol/index.ts";
import { collectMessages, connectAsDevice } from "./support/raw-device.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

interface Watched {
  button: SimulatedButton;
  observer: MqttClient;
  feedback: FeedbackMessage[];
  alarmId: number;
}

describe("the button tells the resident only what is true", () => {
  let th: TestHub;
  const open: Watched[] = [];

  beforeAll(async () => {
    th = await startTestHub();
  });
  afterAll(async () => {
    for (const w of open) {
      await w.button.stop();
      await w.observer.endAsync();
    }
    await th?.stop();
  });

  const db = () => th.hub.db;
  const call = (cookie: string, method: "GET" | "POST", url: string, payload?: object) =>
    th.hub.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });
  const statesOf = (w: Watched) => w.feedback.filter((f) => f.alarmId === w.alarmId).map((f) => f.state);
  const openOffer = (alarmId: number) =>
    db().prepare("SELECT id, worker_id FROM dispatch_offers WHERE alarm_id = ? AND status = 'offered'").get(alarmId) as
      | { id: number; worker_id: number }
      | undefined;
  async function workerLogin(workerId: number): Promise<string> {
    const { code } = db().prepare("SELECT code FROM workers WHERE id = ?").get(workerId) as { code: string };
    return th.login(code, th.workerPassword(code));
  }

  /** Presses SOS on a demo device while a second connection of that device records its feedback. */
  async function press(deviceIndex: number): Promise<Watched> {
    const credential = th.demoDevices[deviceIndex];
    if (!credential) throw new Error(`no demo device ${deviceIndex}`);
    const observer = await connectAsDevice(th.mqttUrl, credential, "led");
    const feedback = await collectMessages(observer, credential.deviceId, "feedback");
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    if (ack.alarmId === null) throw new Error("no alarm id");
    const watched = { button, observer, feedback, alarmId: ack.alarmId };
    open.push(watched);
    await th.waitForPipeline(ack.alarmId);
    return watched;
  }

  /** Waits for the automatic offer to have gone out: offered, its SMS handed to Twilio, and its feedback published. */
  async function offerWentOut(w: Watched): Promise<{ id: number; worker_id: number }> {
    const offer = await waitFor(() => openOffer(w.alarmId), 5000, "the automatic offer");
    await waitFor(
      () =>
        db()
          .prepare("SELECT 1 FROM outbox WHERE alarm_id = ? AND purpose = 'worker' AND status = 'sent'")
          .get(w.alarmId),
      5000,
      "the worker's offer SMS sent",
    );
    // The press's own `received`, then the one the offer's commit restated: both are now published.
    await waitFor(() => statesOf(w).length >= 2, 5000, "the feedback published after the offer");
    return offer;
  }

  it("an automatic offer leaves `received`; an operator's acknowledgement shows `acknowledged`, then the worker's steps", async () => {
    // Nobody is logged in: no operator has seen this alarm.
    const w = await press(3);
    const offer = await offerWentOut(w);
    expect(statesOf(w).every((s) => s === "received")).toBe(true);
    expect(w.button.feedbackState).toBe("received");

    // Now an operator of the command center signs in and takes the call.
    const operator = await createUser(th, "duty-operator", "operator", "duty-operator-pass-1");
    const before = (await call(operator, "GET", `/api/alarms/${w.alarmId}`)).json().alarm;
    expect(before).toMatchObject({ status: "offered", acknowledgedAt: null, buttonState: "received" });

    const acknowledged = await call(operator, "POST", `/api/alarms/${w.alarmId}/acknowledge`);
    expect(acknowledged.statusCode).toBe(200);
    // Acknowledging changes the acknowledgement, not where dispatch stands.
    expect(acknowledged.json().alarm).toMatchObject({
      status: "offered",
      buttonState: "acknowledged",
      acknowledgedBy: "duty-operator",
    });
    await waitFor(() => statesOf(w).at(-1) === "acknowledged", 3000, "acknowledged on the button");

    const worker = await workerLogin(offer.worker_id);
    expect((await call(worker, "POST", `/api/worker/offers/${offer.id}/accept`)).statusCode).toBe(200);
    await waitFor(() => statesOf(w).at(-1) === "dispatched", 3000, "dispatched on the button");
    expect((await call(worker, "POST", `/api/worker/alarms/${w.alarmId}/arrived`)).statusCode).toBe(200);
    await waitFor(() => statesOf(w).at(-1) === "arrived", 3000, "arrived on the button");
    const resolved = await call(worker, "POST", `/api/worker/alarms/${w.alarmId}/resolve`, {
      outcome: "real",
      note: "helped up, unhurt",
    });
    expect(resolved.statusCode).toBe(200);
    await waitFor(() => statesOf(w).at(-1) === "closed", 3000, "closed on the button");

    // The whole history, in order, with nothing claimed early.
    const distinct = statesOf(w).filter((s, i, all) => i === 0 || all[i - 1] !== s);
    expect(distinct).toEqual(["received", "acknowledged", "dispatched", "arrived", "closed"]);
  });

  it("a worker's acceptance shows `dispatched` without an acknowledgement; a later acknowledgement keeps it", async () => {
    const w = await press(4);
    const offer = await offerWentOut(w);
    const worker = await workerLogin(offer.worker_id);
    expect((await call(worker, "POST", `/api/worker/offers/${offer.id}/accept`)).statusCode).toBe(200);
    await waitFor(() => statesOf(w).at(-1) === "dispatched", 3000, "dispatched on the button");

    const admin = await th.login();
    const accepted = (await call(admin, "GET", `/api/alarms/${w.alarmId}`)).json().alarm;
    expect(accepted).toMatchObject({ status: "accepted", acknowledgedAt: null, buttonState: "dispatched" });

    // A late acknowledgement is recorded, and takes nothing away: the worker is still on the way.
    const acknowledged = await call(admin, "POST", `/api/alarms/${w.alarmId}/acknowledge`);
    expect(acknowledged.json().alarm).toMatchObject({ status: "accepted", buttonState: "dispatched" });
    expect(acknowledged.json().alarm.acknowledgedAt).not.toBeNull();
    await waitFor(() => w.button.feedbackState === "dispatched" && statesOf(w).length >= 4, 3000, "restated");
    expect(statesOf(w).filter((s) => s === "acknowledged")).toEqual([]);
  });
});
