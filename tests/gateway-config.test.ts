/**
 * The gateway's parts that need no board: config validation (every problem at once, each named by
 * its path), the LED/buzzer patterns as a pure function of state and time, the durable press queue,
 * and the CLI's errors for wrong credentials, a missing port and a board that does not speak Firmata.
 */
import fs from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SerialStream } from "../gateway/board-connection.ts";
import { main } from "../gateway/cli.ts";
import { DEFAULTS, loadGatewayConfig, parseGatewayConfig } from "../gateway/config.ts";
import { GatewayError } from "../gateway/errors.ts";
import { patternAt } from "../gateway/feedback-pattern.ts";
import { Gateway, type PortAccess } from "../gateway/gateway.ts";
import { PressStore } from "../gateway/press-store.ts";
import { boardConfig, gatewayConfig, tempDir } from "./gateway-support.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const example = path.resolve(import.meta.dirname, "../gateway/gateway.example.json");

function problemsOf(raw: unknown): string[] {
  try {
    parseGatewayConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return (error as GatewayError).details.problems as string[];
  }
  throw new Error("the config was accepted");
}

describe("gateway config", () => {
  it("accepts the example, with defaults filled in and dataDir resolved next to the file", () => {
    const config = loadGatewayConfig(example);
    expect(config.dataDir).toBe(path.resolve(path.dirname(example), "gateway-data"));
    expect(config.boards[0]).toMatchObject({ port: { path: "/dev/ttyACM0" }, holdMs: 1000 });
    expect(config.boards[1]).toMatchObject({ port: { usb: { vendorId: "2341" } }, holdMs: DEFAULTS.holdMs });
    expect(config.heartbeatIntervalMs).toBe(60_000);
  });

  it("reports every problem at once, each at its path", () => {
    const problems = problemsOf({
      mqttUrl: "http://hub",
      dataDir: "data",
      colour: "red",
      boards: [
        { deviceId: "KL/1", secret: "s", path: "/dev/x", usb: { vendorId: "2341", productId: "43" }, pins: {} },
        { deviceId: "KL-2", secret: "", pins: { button: 1, led: 13, buzzer: 8, pullup: "yes" }, holdMs: 10 },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "/colour: unknown field",
        expect.stringMatching(/^\/mqttUrl: must match pattern/),
        expect.stringMatching(/^\/boards\/0\/deviceId: must match pattern/),
        expect.stringMatching(/^\/boards\/0\/usb\/productId: must match pattern/),
        "/boards/0/pins/button: required",
        "/boards/0/pins/pullup: required",
        expect.stringMatching(/^\/boards\/1\/secret: /),
        expect.stringMatching(/^\/boards\/1\/pins\/button: must be >= 2/),
        expect.stringMatching(/^\/boards\/1\/pins\/pullup: must be boolean/),
        expect.stringMatching(/^\/boards\/1\/holdMs: must be >= 50/),
      ]),
    );
  });

  it("wants exactly one way to find each port, three distinct pins and distinct devices", () => {
    const pins = { button: 2, led: 2, buzzer: 8, pullup: true };
    const problems = problemsOf({
      mqttUrl: "mqtt://hub",
      dataDir: "data",
      boards: [
        { deviceId: "KL-1", secret: "s", pins },
        { deviceId: "KL-1", secret: "s", path: "/dev/ttyACM1", pins: { ...pins, led: 13 } },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^\/boards\/0: set exactly one of "path".*"usb"/),
      "/boards/0/pins: button, led and buzzer need three different pins (got 2, 2, 8)",
      "/boards/1/deviceId: KL-1 is already used by /boards/0",
    ]);
  });

  it("names an unreadable or non-JSON file", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "bad.json"), "{ nope");
    expect(() => loadGatewayConfig(path.join(dir, "bad.json"))).toThrow(/bad\.json:\n {2}- not JSON/);
    expect(() => loadGatewayConfig(path.join(dir, "none.json"))).toThrow(/cannot read the config file: no such file/);
  });
});

describe("feedback patterns", () => {
  const led = (state: Parameters<typeof patternAt>[0]["state"], ms: number) => patternAt({ state }, ms).led;

  it("blinks at a different rhythm for each stage of the call", () => {
    // sending 4 Hz, received 2 Hz, acknowledged 1 Hz: lit at the start, dark half a period later.
    expect([led("sending", 0), led("sending", 130), led("sending", 260)]).toEqual([true, false, true]);
    expect([led("received", 0), led("received", 130), led("received", 260)]).toEqual([true, true, false]);
    expect([led("acknowledged", 260), led("acknowledged", 510), led("acknowledged", 1010)]).toEqual([
      true,
      false,
      true,
    ]);
    // dispatched: two blinks, then a long pause.
    expect([0, 200, 350, 700, 1500, 2000].map((t) => led("dispatched", t))).toEqual([
      true,
      false,
      true,
      false,
      false,
      true,
    ]);
    expect([led("arrived", 0), led("arrived", 99_999)]).toEqual([true, true]);
    expect([led("closed", 9_999), led("closed", 10_000), led("idle", 0)]).toEqual([true, false, false]);
  });

  it("beeps once on entering a state, repeats only for dispatched, and chirps while unreachable only with a call waiting", () => {
    const buzzer = (display: Parameters<typeof patternAt>[0], ms: number) => patternAt(display, ms).buzzer;
    expect([buzzer({ state: "received" }, 100), buzzer({ state: "received" }, 600)]).toEqual([true, false]);
    expect(buzzer({ state: "acknowledged" }, 60_050)).toBe(false);
    expect(buzzer({ state: "dispatched" }, 60_050)).toBe(true);
    expect(buzzer({ state: "idle" }, 0)).toBe(false);
    expect([0, 1_000, 5_010].map((t) => buzzer({ state: "unreachable", callWaiting: true }, t))).toEqual([
      true,
      false,
      true,
    ]);
    expect(buzzer({ state: "unreachable", callWaiting: false }, 0)).toBe(false);
    // The SOS rhythm: three short, three long, three short.
    expect([0, 200, 1300, 1700, 2500].map((t) => led("unreachable", t))).toEqual([true, false, true, false, true]);
  });
});

describe("the durable press queue", () => {
  it("keeps unacked presses and the press counter across a reopen, and forgets acked ones", () => {
    const dir = tempDir();
    const store = new PressStore(dir);
    store.open();
    const alarm = (n: number) => ({
      pressId: `press-000${n}`,
      kind: "sos" as const,
      deviceTime: "2026-11-23T08:00:00Z",
      seq: store.takeSeq("KL-1"),
      battery: 100,
    });
    const first = alarm(1);
    const second = alarm(2);
    store.add("KL-1", first);
    store.add("KL-1", second);
    expect(store.remove("KL-1", first.pressId)).toBe(true);
    expect(store.remove("KL-1", first.pressId)).toBe(false);
    store.close();
    // A power cut in the middle of a write leaves a torn last line; it must not cost the others.
    fs.appendFileSync(store.file, '{"op":"add","deviceId":"KL-1","ala');

    const reopened = new PressStore(dir);
    reopened.open();
    expect(reopened.pendingFor("KL-1")).toEqual([second]);
    expect(reopened.takeSeq("KL-1")).toBe(2);
    expect(reopened.pendingFor("KL-2")).toEqual([]);
    reopened.close();
  });
});

describe("gateway CLI errors", () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
  });
  afterAll(async () => {
    await th?.stop();
  });

  function writeConfig(boards: ReturnType<typeof boardConfig>[]): string {
    const config = gatewayConfig(th.mqttUrl, boards);
    const file = path.join(config.dataDir, "gateway.json");
    const raw = {
      mqttUrl: config.mqttUrl,
      dataDir: config.dataDir,
      readyTimeoutMs: 500,
      reconnectIntervalMs: 60_000,
      boards: boards.map(({ port, ...board }) => ({ ...board, ...port })),
    };
    fs.writeFileSync(file, JSON.stringify(raw));
    return file;
  }

  it("says the hub refused the credentials, naming the device", async () => {
    const device = th.demoDevices[20];
    if (!device) throw new Error("no demo device");
    const file = writeConfig([boardConfig(device.deviceId, "not-the-secret", "/dev/none")]);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const logs = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const ports: PortAccess = {
      openPort: () => new PassThrough() as unknown as SerialStream,
      listPorts: async () => [],
    };
    try {
      expect(await main(["--config", file], ports)).toBe(1);
      const said = errors.mock.calls.map((call) => String(call[0])).join("\n");
      expect(said).toContain(`refused device ${device.deviceId}`);
      expect(said).toMatch(/bad username or password|wrong device id or secret/);
    } finally {
      errors.mockRestore();
      logs.mockRestore();
    }
  });

  it("reports a missing port and a board that does not answer Firmata, and keeps looking", async () => {
    const [one, two] = [th.demoDevices[21], th.demoDevices[22]];
    if (!one || !two) throw new Error("no demo devices");
    const silent = new PassThrough();
    const ports: PortAccess = {
      openPort: (p) => {
        if (p === "/dev/silent") return Object.assign(silent, { close: () => silent.destroy() }) as SerialStream;
        throw new GatewayError("PORT_NOT_FOUND", `serial port ${p} does not exist`);
      },
      listPorts: async () => [],
    };
    const lines: string[] = [];
    const config = gatewayConfig(th.mqttUrl, [
      boardConfig(one.deviceId, one.secret, "/dev/missing"),
      boardConfig(two.deviceId, two.secret, "/dev/silent"),
    ]);
    const gateway = new Gateway({
      config: { ...config, readyTimeoutMs: 500 },
      ports,
      log: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
    });
    await gateway.start();
    try {
      await vi.waitFor(() => expect(lines.join("\n")).toContain("BOARD_TIMEOUT"), { timeout: 3000 });
      const said = lines.join("\n");
      expect(said).toMatch(
        new RegExp(`error ${one.deviceId}: serial port /dev/missing does not exist.*PORT_NOT_FOUND`),
      );
      expect(said).toMatch(new RegExp(`error ${two.deviceId}: board /dev/silent did not answer Firmata within 500 ms`));
      expect(gateway.board(two.deviceId).hubConnected).toBe(true);
    } finally {
      await gateway.stop();
    }
  });
});
