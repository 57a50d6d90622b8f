/**
 * Scheduled end-to-end test alarms and operators' drills on a real hub: the
 * hub sends `command` `test_press` over MQTT, the simulated button presses
 * `test`, the press runs the whole pipeline (stored, acked, ranked) and is
 * closed as a test without a single SMS; a button that ignores the command
 * gets a `test_failed` fault, which a later completed test clears.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { type CommandMessage, deviceTopic, encodeMessage, type FeedbackState } from "../protocol/index.ts";
import { openConsoleFeed } from "./support/console-feed.ts";
import { connectAsDevice } from "./support/raw-device.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

interface TestRow {
  id: number;
  request_id: string;
  device_id: string;
  trigger: string;
  requested_by: string;
  status: string;
  alarm_id: number | null;
  deadline: string;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface WatchedButton {
  button: SimulatedButton;
  commands: CommandMessage[];
  feedback: FeedbackState[];
}

async function startButton(th: TestHub, index: number, ignoreCommands = false): Promise<WatchedButton> {
  const device = th.demoDevices[index];
  if (!device) throw new Error(`no demo device ${index}`);
  const button = new SimulatedButton({
    mqttUrl: th.mqttUrl,
    deviceId: device.deviceId,
    secret: device.secret,
    heartbeatIntervalMs: 500,
    retryInitialMs: 200,
    ignoreCommands,
  });
  const watched: WatchedButton = { button, commands: [], feedback: [] };
  button.on("command", (command) => watched.commands.push(command));
  button.on("feedback", (feedback) => watched.feedback.push(feedback.state));
  cleanups.push(() => button.stop());
  await button.start({ timeoutMs: 5000 });
  return watched;
}

const testsOf = (th: TestHub, deviceId: string) =>
  th.hub.db.prepare("SELECT * FROM device_tests WHERE device_id = ? ORDER BY id").all(deviceId) as TestRow[];

/** The detail of the event that closed the alarm. */
const resolvedDetail = (th: TestHub, alarmId: number) =>
  JSON.parse(
    (
      th.hub.db.prepare("SELECT detail FROM alarm_events WHERE alarm_id = ? AND type = 'resolved'").get(alarmId) as {
        detail: string;
      }
    ).detail,
  ) as unknown;

describe("scheduled test alarms", () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({
      // One slot every 3.6 s per device, a 3 s deadline, and the real Twilio channel to prove nobody is texted.
      env: { ANXIN_TEST_ALARM_INTERVAL_H: "0.001", ANXIN_TEST_ALARM_DEADLINE_S: "3", ANXIN_HEARTBEAT_INTERVAL_S: "5" },
    });
  });
  afterAll(async () => {
    await th?.stop();
  });

  it("asks the device to press test, runs the press through the pipeline, and closes it as a test without any SMS", async () => {
    const watched = await startButton(th, 0);
    const deviceId = th.demoDevices[0]?.deviceId ?? "";
    const feed = await openConsoleFeed(th.wsUrl, await th.login());
    cleanups.push(() => feed.close());

    const command = await waitFor(() => watched.commands[0], 15_000, "a scheduled test command");
    expect(command).toMatchObject({ type: "test_press", requestId: expect.any(String) });
    const done = await waitFor(
      () => testsOf(th, deviceId).find((t) => t.request_id === command.requestId && t.status === "completed"),
      15_000,
      "the test completed",
    );
    expect(done).toMatchObject({ trigger: "schedule", requested_by: "system" });
    const alarmId = done.alarm_id ?? 0;
    const alarm = th.hub.db.prepare("SELECT * FROM alarms WHERE id = ?").get(alarmId) as {
      kind: string;
      status: string;
      outcome: string;
      stages_done: string;
      dispatch_ranking: string | null;
    };
    expect(alarm).toMatchObject({ kind: "test", status: "resolved", outcome: "test" });
    expect(JSON.parse(alarm.stages_done)).toContain("publish_dashboards");
    expect(JSON.parse(alarm.dispatch_ranking ?? "{}").entries.length).toBeGreaterThan(0);
    expect(th.hub.db.prepare("SELECT COUNT(*) AS n FROM dispatch_offers WHERE alarm_id = ?").get(alarmId)).toEqual({
      n: 0,
    });
    const events = (
      th.hub.db.prepare("SELECT type, actor FROM alarm_events WHERE alarm_id = ? ORDER BY id").all(alarmId) as {
        type: string;
        actor: string;
      }[]
    ).map((e) => `${e.type}/${e.actor}`);
    expect(events[0]).toBe(`received/device:${deviceId}`);
    expect(events.at(-1)).toBe("resolved/system");
    expect(resolvedDetail(th, alarmId)).toEqual({
      outcome: "test",
      reason: { code: "test_completed", params: { requestId: done.request_id, trigger: "schedule" } },
      requestId: done.request_id,
    });
    await waitFor(() => watched.feedback.includes("closed"), 5000, "closed feedback on the button");
    await waitFor(() => feed.tests.find((t) => t.status === "completed"), 5000, "the completed test on the console");
    // Nothing was queued for anyone, and Twilio never heard from the hub.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(th.hub.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ?").get(alarmId)).toEqual({ n: 0 });
    expect(th.twilio?.messages).toEqual([]);
  });

  it("gives a device that ignores the command a test_failed fault, cleared by its next completed test", async () => {
    const deviceId = th.demoDevices[1]?.deviceId ?? "";
    const deaf = await startButton(th, 1, true);
    const command = await waitFor(() => deaf.commands[0], 15_000, "a test command to the deaf button");
    const faultOf = () =>
      th.hub.db.prepare("SELECT * FROM device_faults WHERE device_id = ? AND kind = 'test_failed'").get(deviceId) as
        | { cleared_at: string | null; detail: string; clear_reason: string | null }
        | undefined;
    const fault = await waitFor(faultOf, 15_000, "test_failed fault");
    expect(JSON.parse(fault.detail)).toMatchObject({ requestId: command.requestId, trigger: "schedule" });
    expect(fault.cleared_at).toBeNull();
    expect(testsOf(th, deviceId)[0]).toMatchObject({ request_id: command.requestId, status: "failed", alarm_id: null });
    expect(th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarms WHERE device_id = ?").get(deviceId)).toEqual({ n: 0 });

    await deaf.button.stop();
    await startButton(th, 1);
    await waitFor(() => faultOf()?.cleared_at, 20_000, "test_failed cleared by a completed test");
    const completed = testsOf(th, deviceId).find((t) => t.status === "completed");
    expect(JSON.parse(faultOf()?.clear_reason ?? "null")).toEqual({
      code: "test_completed",
      params: { requestId: completed?.request_id, trigger: "schedule" },
    });
    expect(testsOf(th, deviceId).map((t) => t.status)).toContain("completed");
  });
});

describe("drills", () => {
  let th: TestHub;
  let cookies: Record<"admin" | "operator" | "supervisor" | "worker", string>;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false, env: { ANXIN_TEST_ALARM_DEADLINE_S: "3" } });
    cookies = {
      admin: await th.login(),
      operator: await createUser(th, "op1", "operator"),
      supervisor: await createUser(th, "sup1", "supervisor"),
      worker: await createUser(th, "wk1", "worker"),
    };
  });
  afterAll(async () => {
    await th?.stop();
  });

  const drill = (deviceId: string, cookie: string | null) =>
    th.hub.app.inject({
      method: "POST",
      url: `/api/devices/${deviceId}/test`,
      headers: cookie ? { cookie } : {},
    });

  it("lets operators, supervisors and admins order a drill that the button answers", async () => {
    for (const [index, role] of [
      [2, "operator"],
      [3, "supervisor"],
      [4, "admin"],
    ] as const) {
      const watched = await startButton(th, index);
      const deviceId = th.demoDevices[index]?.deviceId ?? "";
      const response = await drill(deviceId, cookies[role]);
      expect(response.statusCode, role).toBe(202);
      const { test, created } = response.json();
      expect(created).toBe(true);
      expect(test).toMatchObject({ deviceId, trigger: "drill", status: "requested" });
      expect(test.requestedBy).toMatch(/^user:/);
      // A second order while the first is pending gets the same request back.
      const again = (await drill(deviceId, cookies[role])).json();
      expect([again.created, again.test.id]).toEqual([false, test.id]);

      await waitFor(() => testsOf(th, deviceId).find((t) => t.status === "completed"), 10_000, `${role}'s drill`);
      expect(watched.commands.map((c) => c.requestId)).toContain(test.requestId);
      const health = (
        await th.hub.app.inject({
          method: "GET",
          url: `/api/devices/${deviceId}/health`,
          headers: { cookie: cookies[role] },
        })
      ).json();
      expect(health.lastTest).toMatchObject({ id: test.id, status: "completed", trigger: "drill" });
      expect(health.events.map((e: { type: string }) => e.type)).toEqual([
        "test_completed",
        "test_answered",
        "test_requested",
      ]);
    }
  });

  it("closes a test press nobody asked for as a passed manual test, so it never waits in the queue", async () => {
    const watched = await startButton(th, 9);
    const deviceId = th.demoDevices[9]?.deviceId ?? "";
    // A resident trying the button, or `npm run sim -- fleet`: no request is pending for this device.
    expect(testsOf(th, deviceId)).toEqual([]);
    const ack = await watched.button.press("test");
    const alarmId = ack.alarmId ?? 0;
    const alarm = () =>
      th.hub.db.prepare("SELECT status, outcome FROM alarms WHERE id = ?").get(alarmId) as {
        status: string;
        outcome: string | null;
      };
    await waitFor(() => alarm().status === "resolved", 10_000, "the manual test closed");
    expect(alarm()).toEqual({ status: "resolved", outcome: "test" });
    expect(testsOf(th, deviceId)).toMatchObject([
      { trigger: "manual", status: "completed", alarm_id: alarmId, requested_by: `device:${deviceId}` },
    ]);
    const [manual] = testsOf(th, deviceId);
    expect(resolvedDetail(th, alarmId)).toEqual({
      outcome: "test",
      reason: { code: "manual_test_completed", params: { requestId: manual?.request_id } },
      testId: manual?.id,
    });
    await waitFor(() => watched.feedback.at(-1) === "closed", 5000, "closed on the button");

    const open = await th.hub.app.inject({
      method: "GET",
      url: "/api/alarms?status=open",
      headers: { cookie: cookies.operator },
    });
    expect(open.json().alarms.map((a: { id: number }) => a.id)).not.toContain(alarmId);
    const health = (
      await th.hub.app.inject({
        method: "GET",
        url: `/api/devices/${deviceId}/health`,
        headers: { cookie: cookies.operator },
      })
    ).json();
    expect(health.lastTest).toMatchObject({ trigger: "manual", status: "completed", alarmId });
    expect(health.events.map((e: { type: string }) => e.type)).toContain("test_completed");
    expect(th.hub.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ?").get(alarmId)).toEqual({ n: 0 });
  });

  it("refuses community workers, anonymous callers, unknown and revoked devices", async () => {
    const deviceId = th.demoDevices[5]?.deviceId ?? "";
    expect([
      (await drill(deviceId, cookies.worker)).statusCode,
      (await drill(deviceId, cookies.worker)).json().code,
    ]).toEqual([403, "AUTH_FORBIDDEN"]);
    expect((await drill(deviceId, null)).json().code).toBe("AUTH_REQUIRED");
    const forbidden = await th.hub.app.inject({
      method: "GET",
      url: "/api/devices/faults?open=true",
      headers: { cookie: cookies.worker },
    });
    expect(forbidden.statusCode).toBe(403);
    expect((await drill("NO-SUCH-DEVICE", cookies.operator)).json().code).toBe("DEVICE_UNKNOWN");
    th.hub.db.prepare("UPDATE devices SET status = 'revoked' WHERE id = ?").run(deviceId);
    expect((await drill(deviceId, cookies.operator)).json().code).toBe("DEVICE_REVOKED");
    expect(testsOf(th, deviceId)).toEqual([]);
  });

  it("lets a device subscribe to its own command topic only, and never publish on it", async () => {
    const [own, other] = [th.demoDevices[7], th.demoDevices[8]];
    if (!own || !other) throw new Error("demo devices missing");
    const client = await connectAsDevice(th.mqttUrl, own, "acl");
    cleanups.push(() => void client.end(true));
    const granted = await client.subscribeAsync(deviceTopic(own.deviceId, "command"), { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    await expect(client.subscribeAsync(deviceTopic(other.deviceId, "command"), { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    );
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish(
      deviceTopic(own.deviceId, "command"),
      encodeMessage("command", { type: "test_press", requestId: "forged-request", deadline: new Date().toISOString() }),
      { qos: 1 },
    );
    await closed;
    await th.waitForLog((l) => l.code === "MQTT_PUBLISH_DENIED" && l.topic === deviceTopic(own.deviceId, "command"));
  });

  it("fails a drill whose deadline passed while the hub was down, after the restart", async () => {
    const deviceId = th.demoDevices[6]?.deviceId ?? "";
    // Nobody is connected as this device: the command goes nowhere.
    const response = await drill(deviceId, cookies.operator);
    expect(response.statusCode).toBe(202);
    await th.hub.stop();
    await new Promise((resolve) => setTimeout(resolve, 3200));
    await th.restart();
    const fault = await waitFor(
      () => th.hub.db.prepare("SELECT * FROM device_faults WHERE device_id = ? AND kind = 'test_failed'").get(deviceId),
      10_000,
      "test_failed after the restart",
    );
    expect(fault).toMatchObject({ cleared_at: null });
    expect(testsOf(th, deviceId).map((t) => t.status)).toEqual(["failed"]);
  });
});
