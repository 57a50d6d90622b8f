/**
 * The protocol's bounds apply both ways (issue 11, part 2): the simulated button
 * and the gateway decode what a broker sends them with the same limits, so a
 * hostile or broken broker can neither move a button's state with an oversized
 * field nor make the gateway log megabytes. A real Aedes broker publishes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { HubLink, type HubLinkEvents } from "../gateway/hub-link.ts";
import { deviceTopic } from "../protocol/index.ts";
import {
  DEVICE_ID,
  feedback,
  hubPublish,
  newButton,
  nextEvent,
  now,
  runCleanups,
  SECRET,
  startBroker,
} from "./support/scripted-broker.ts";
import { waitFor } from "./support/test-hub.ts";

afterEach(runCleanups);

const longError = () =>
  JSON.stringify({ code: "SCHEMA_VIOLATION", message: "E".repeat(3000), topic: "x", hubTime: now() });

describe("hub → device messages are bounded on the device side", () => {
  it("the simulated button ignores oversized fields and reports them in a bounded line", async () => {
    const { broker, url } = await startBroker();
    const button = newButton(url);
    const reports: { code: string; message: string }[] = [];
    button.on("invalidMessage", (report) => reports.push(report));
    const hubErrors: unknown[] = [];
    button.on("hubError", (error) => hubErrors.push(error));
    await button.start();

    const settled = nextEvent(button, "feedback");
    await hubPublish(broker, "feedback", feedback("received", 7));
    await settled;
    // An oversized `at` and an alarm id past what JavaScript holds exactly: neither moves the button on.
    await hubPublish(
      broker,
      "feedback",
      JSON.stringify({ state: "arrived", alarmId: 7, at: `${now()}${" ".repeat(2000)}` }),
    );
    await hubPublish(broker, "feedback", JSON.stringify({ state: "arrived", alarmId: 1e300, at: now() }));
    await hubPublish(broker, "error", longError());
    await waitFor(() => reports.length >= 3, 5000, "three invalid-message reports");

    expect(button.feedbackState).toBe("received");
    expect(hubErrors).toEqual([]);
    expect(reports.map((r) => r.code)).toEqual(["SCHEMA_VIOLATION", "SCHEMA_VIOLATION", "SCHEMA_VIOLATION"]);
    for (const report of reports) expect(report.message.length).toBeLessThanOrEqual(512);
  });

  it("the gateway's hub link refuses an oversized error message and logs it bounded", async () => {
    const { broker, url } = await startBroker();
    const invalid: { topic: string; message: string }[] = [];
    const events: HubLinkEvents = {
      connected: () => undefined,
      disconnected: () => undefined,
      refused: () => undefined,
      ack: () => undefined,
      feedback: () => undefined,
      command: () => undefined,
      invalid: (topic, message) => invalid.push({ topic, message }),
    };
    const link = new HubLink(
      {
        mqttUrl: url,
        deviceId: DEVICE_ID,
        secret: SECRET,
        firmware: "test",
        heartbeatIntervalMs: 60_000,
        retryInitialMs: 20,
        retryMaxMs: 80,
      },
      events,
    );
    // "connected" comes once the link has subscribed to its hub → device topics.
    expect(await link.start(5000)).toBe("connected");
    try {
      await hubPublish(broker, "error", longError());
      await hubPublish(broker, "ack", JSON.stringify({ pressId: "p".repeat(5000) }));
      await waitFor(() => invalid.length >= 2, 5000, "two invalid reports");
      expect(invalid.map((i) => i.topic)).toEqual([deviceTopic(DEVICE_ID, "error"), deviceTopic(DEVICE_ID, "ack")]);
      for (const report of invalid) expect(report.message.length).toBeLessThan(600);
      expect(invalid[1]?.message).toMatch(/^PAYLOAD_TOO_LARGE/);
    } finally {
      await link.stop();
    }
  });
});
