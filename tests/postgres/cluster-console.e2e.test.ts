/**
 * Realtime across hubs on one PostgreSQL database: a console connected to one
 * hub sees, at once, an alarm pressed on another hub and every change an
 * operator makes to it there (LISTEN/NOTIFY, hub/realtime/cluster-feed.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import { openConsoleFeed } from "../support/console-feed.ts";
import { startTestHub, type TestHub, waitFor } from "../support/test-hub.ts";
import { type ScratchDatabase, scratchDatabase } from "./scratch-database.ts";

describe("a console on one hub follows alarms handled on another", () => {
  let database: ScratchDatabase;
  let pressed: TestHub;
  let watching: TestHub;

  beforeAll(async () => {
    database = await scratchDatabase("cluster", { migrate: false });
    pressed = await startTestHub({ env: { ANXIN_DATABASE_URL: database.url } });
    watching = await startTestHub({ env: { ANXIN_DATABASE_URL: database.url } });
  }, 60_000);
  afterAll(async () => {
    await watching?.stop();
    await pressed?.stop();
    await database?.drop();
  });

  it("shows a press stored by the other hub, and the operator's acknowledgement and resolution made there", async () => {
    const feed = await openConsoleFeed(watching.wsUrl, await watching.login());
    const credential = pressed.demoDevices[21];
    if (!credential) throw new Error("demo district has too few devices");
    const button = new SimulatedButton({
      mqttUrl: pressed.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    await button.stop();
    const alarmId = ack.alarmId;
    if (alarmId === null) throw new Error("acked without an alarm");

    const shown = await waitFor(() => feed.latest().get(alarmId), 5000, "the other hub's alarm on this console");
    expect(shown.deviceId).toBe(credential.deviceId);

    const cookie = await pressed.login();
    for (const [action, body] of [
      ["acknowledge", {}],
      ["resolve", { outcome: "real", note: "handled from the other hub's console" }],
    ] as const) {
      const response = await fetch(`${pressed.httpUrl}/api/alarms/${alarmId}/${action}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", origin: pressed.httpUrl },
        body: JSON.stringify(body),
      });
      expect(response.status, `${action}: ${await response.clone().text()}`).toBe(200);
    }
    const resolved = await waitFor(
      () => (feed.latest().get(alarmId)?.status === "resolved" ? feed.latest().get(alarmId) : undefined),
      5000,
      "the resolution on this console",
    );
    expect(resolved?.acknowledgedBy).toBe("admin");
    feed.close();
  });
});
