/**
 * The simulated button answers the hub's `command` messages as firmware must
 * (docs/protocol.md, "Test presses on request"): one `test` press per request
 * id, none after the deadline, none at all when told to ignore commands.
 */
import { afterEach, describe, expect, it } from "vitest";
import { encodeMessage } from "../protocol/index.ts";
import { hubPublish, newButton, nextEvent, runCleanups, scriptHub, startBroker } from "./support/scripted-broker.ts";

afterEach(runCleanups);

describe("SimulatedButton commands", () => {
  it("answers a test_press command with one test press per request, and not after its deadline", async () => {
    const { broker, url } = await startBroker();
    const received = await scriptHub(broker, () => true);
    const button = newButton(url);
    await button.start();
    const command = (requestId: string, deadlineInMs: number) =>
      hubPublish(
        broker,
        "command",
        encodeMessage("command", {
          type: "test_press",
          requestId,
          deadline: new Date(Date.now() + deadlineInMs).toISOString(),
        }),
      );

    const acked = nextEvent(button, "ack");
    await command("request-0001", 10_000);
    await acked;
    // The hub sends a request again after a reconnect: the same request is not pressed twice.
    const heard = nextEvent(button, "command");
    await command("request-0001", 10_000);
    await heard;
    const expired = nextEvent(button, "command");
    await command("request-0002", -1_000);
    await expired;
    const second = nextEvent(button, "ack");
    await command("request-0003", 10_000);
    await second;

    // (Counted by pressId: a retry may cross the scripted hub's ack.)
    expect(new Set(received.map((alarm) => alarm.kind))).toEqual(new Set(["test"]));
    expect(new Set(received.map((alarm) => alarm.pressId)).size).toBe(2);
  });

  it("ignores commands when told to, like firmware from before commands existed", async () => {
    const { broker, url } = await startBroker();
    const received = await scriptHub(broker, () => true);
    const button = newButton(url, { ignoreCommands: true });
    await button.start();
    const heard = nextEvent(button, "command");
    await hubPublish(
      broker,
      "command",
      encodeMessage("command", {
        type: "test_press",
        requestId: "request-0001",
        deadline: new Date(Date.now() + 10_000).toISOString(),
      }),
    );
    const [command] = await heard;
    expect(command.requestId).toBe("request-0001");
    // A press made after the command is the only one: had the button answered, its test press would be first.
    await button.press("sos");
    expect(new Set(received.map((alarm) => `${alarm.kind}:${alarm.pressId}`)).size).toBe(1);
    expect(received[0]?.kind).toBe("sos");
  });
});
