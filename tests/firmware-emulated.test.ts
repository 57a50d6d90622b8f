/// <reference path="../types/firmata-io.d.ts" />
/**
 * The button firmware, built from firmware-sim/arduino/src, running in the avr8js emulator and driven
 * by johnny-five through firmata-io, exactly as a gateway drives a real Uno. No mock on either side:
 * the test presses pin 2 and reads pin 13 on the emulated chip.
 */
import { EventEmitter, once } from "node:events";
import { PinState } from "avr8js";
import firmataIo, { type Firmata } from "firmata-io";
import five from "johnny-five";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ensureFirmware } from "../firmware-sim/arduino/build-firmware.ts";
import { EmulatedBoard, type EmulatedBoardOptions } from "../firmware-sim/arduino/emulated-board.ts";
import type { EmulatedSerialPort } from "../firmware-sim/arduino/emulated-serial-port.ts";

interface Connected {
  board: EmulatedBoard;
  port: EmulatedSerialPort;
  /** Every write the host made to the port. */
  sent: { mock: { calls: unknown[][] } };
  io: Firmata;
  j5: five.Board;
}

const plugged: EmulatedBoard[] = [];

/** The event's arguments, or a clear failure after `ms` instead of the test's 30 s timeout. */
function event(source: object, name: string, ms = 5000): Promise<unknown[]> {
  // johnny-five's components are EventEmitters at run time; its typings only declare `on`.
  if (!(source instanceof EventEmitter)) throw new TypeError(`${source.constructor.name} is not an EventEmitter`);
  return Promise.race([
    once(source, name),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no '${name}' within ${ms} ms`)), ms).unref()),
  ]);
}

beforeAll(() => {
  ensureFirmware();
});

afterEach(() => {
  for (const board of plugged.splice(0)) board.unplug();
});

/** Plugs in a fresh emulated Uno and waits for johnny-five's `ready` (the whole Firmata handshake). */
async function connect(name = "emulated:uno", emulation: EmulatedBoardOptions = {}): Promise<Connected> {
  const board = new EmulatedBoard({ path: name, ...emulation });
  plugged.push(board);
  const port = board.start();
  const sent = vi.spyOn(port, "write");
  const io = new firmataIo.Firmata(port);
  // `sigint: false`: johnny-five would otherwise hook SIGINT once per board.
  const options: five.BoardOption & { sigint: boolean } = { io, repl: false, debug: false, sigint: false };
  const j5 = new five.Board(options);
  // johnny-five reports a handshake that never completes as an error, after 10 s.
  await new Promise<void>((resolve, reject) => {
    j5.on("ready", () => resolve());
    j5.on("error", reject);
  });
  return { board, port, sent, io, j5 };
}

/** The bytes the firmware sends at power-up, read off the port before any host listens. */
async function drainBootReport(port: EmulatedSerialPort): Promise<void> {
  const seen: number[] = [];
  const collect = (chunk: Buffer) => seen.push(...chunk);
  port.on("data", collect);
  await vi.waitFor(() => expect(seen.filter((byte) => byte === 0xf7)).toHaveLength(1), { timeout: 5000 });
  port.off("data", collect);
}

describe("the button firmware on an emulated Uno, driven by johnny-five", () => {
  it("completes the Firmata handshake and reports itself as StandardFirmata would", async () => {
    const { io, j5, sent } = await connect();

    expect(j5.isReady).toBe(true);
    // The firmware spoke first, so firmata-io never had to ask (it asks only after a 5 s timeout):
    // its first words are the capability query, then the analog mapping.
    const written = sent.mock.calls.map(([bytes]) => [...(bytes as Buffer)]);
    expect(written.slice(0, 2)).toEqual([
      [0xf0, 0x6b, 0xf7],
      [0xf0, 0x69, 0xf7],
    ]);
    expect(io.version).toEqual({ major: 2, minor: 5 });
    expect(io.firmware).toEqual({ name: "AnxinButton", version: { major: 1, minor: 0 } });
    // The Uno's 20 pins: 0 and 1 carry the serial link, A0–A5 are 14–19.
    expect(io.pins).toHaveLength(20);
    expect(io.pins[0]?.supportedModes).toEqual([]);
    expect(io.pins[2]?.supportedModes).toEqual([io.MODES.INPUT, io.MODES.OUTPUT, io.MODES.PULLUP]);
    expect(io.pins[9]?.supportedModes).toContain(io.MODES.PWM);
    expect(io.pins[13]?.supportedModes).not.toContain(io.MODES.PWM);
    expect(io.pins[14]?.supportedModes).toContain(io.MODES.ANALOG);
    expect(io.analogPins).toEqual([14, 15, 16, 17, 18, 19]);
  });

  it("sees a press and a release of a pull-up button on pin 2", async () => {
    const { board, j5 } = await connect();
    const button = new five.Button({ pin: 2, isPullup: true, board: j5 });
    // johnny-five turns the pull-up on with a digital write to the input pin; wait for the chip to show it.
    await vi.waitFor(() => expect(board.pinState(2)).toBe(PinState.InputPullUp));
    const events: string[] = [];
    button.on("down", () => events.push("down"));
    button.on("up", () => events.push("up"));

    const down = event(button, "down");
    board.press(2);
    await down;
    const up = event(button, "up");
    board.release(2);
    await up;

    expect(events).toEqual(["down", "up"]);
    expect(board.level(2)).toBe(true);
  });

  it("works the same with every idle cycle executed instead of skipped", async () => {
    const { board, j5 } = await connect("emulated:awake", { skipSleep: false });
    const button = new five.Button({ pin: 2, isPullup: true, board: j5 });
    await vi.waitFor(() => expect(board.pinState(2)).toBe(PinState.InputPullUp));
    const down = event(button, "down");
    board.press(2);
    await down;
    const led = new five.Led({ pin: 13, board: j5 });
    led.on();
    await board.waitForLevel(13, true);
  });

  it("keeps the button's pull-up when a LED on the same port changes while it is held", async () => {
    const { board, j5 } = await connect();
    const button = new five.Button({ pin: 2, isPullup: true, board: j5 });
    await vi.waitFor(() => expect(board.pinState(2)).toBe(PinState.InputPullUp));
    const down = event(button, "down");
    board.press(2);
    await down;
    // Pin 4 shares port D; firmata-io sends pin 2's reading (0) in the same DIGITAL_MESSAGE.
    const led = new five.Led({ pin: 4, board: j5 });
    led.on();
    await board.waitForLevel(4, true);
    const up = event(button, "up");
    board.release(2);
    await up;
    expect(board.pinState(2)).toBe(PinState.InputPullUp);
  });

  it("lights, darkens and blinks the LED on pin 13", async () => {
    const { board, j5 } = await connect();
    const led = new five.Led({ pin: 13, board: j5 });
    expect(board.level(13)).toBe(false);

    led.on();
    await board.waitForLevel(13, true);
    expect(board.isOutput(13)).toBe(true);
    led.off();
    await board.waitForLevel(13, false);

    const levels: boolean[] = [];
    const stop = board.watch(13, (high) => levels.push(high));
    led.blink(40);
    await vi.waitFor(() => expect(levels.length).toBeGreaterThanOrEqual(6), { timeout: 5000 });
    led.stop().off();
    stop();
    // Strictly alternating, starting with on: every toggle johnny-five sent reached the pin.
    expect(levels.slice(0, 6)).toEqual([true, false, true, false, true, false]);
  });

  it("answers PIN_STATE_QUERY, SET_DIGITAL_PIN_VALUE, INPUT_PULLUP and SYSTEM_RESET", async () => {
    const { board, port, io } = await connect();
    io.pinMode(13, io.MODES.OUTPUT);
    port.write(Buffer.from([0xf5, 13, 1])); // SET_DIGITAL_PIN_VALUE: pin 13 high
    await board.waitForLevel(13, true);
    await new Promise<void>((resolve) => io.queryPinState(13, resolve));
    expect(io.pins[13]).toMatchObject({ mode: io.MODES.OUTPUT, state: 1 });

    io.pinMode(7, io.MODES.PULLUP);
    await vi.waitFor(() => expect(board.pinState(7)).toBe(PinState.InputPullUp));
    await new Promise<void>((resolve) => io.queryPinState(7, resolve));
    expect(io.pins[7]).toMatchObject({ mode: io.MODES.PULLUP, state: 1 });

    io.reset();
    // After a reset the LED is dark again and pin 7 is back to a plain (low) output.
    await board.waitForLevel(13, false);
    await new Promise<void>((resolve) => io.queryPinState(7, resolve));
    expect(io.pins[7]).toMatchObject({ mode: io.MODES.OUTPUT, state: 0 });
  });

  it("reads an analog input and drives a PWM pin", async () => {
    const { board, j5 } = await connect();
    board.setAnalog(0, 2.5);
    const sensor = new five.Sensor({ pin: "A0", board: j5, freq: 25 });
    const [reading] = (await event(sensor, "data")) as [number];
    expect(reading).toBeGreaterThanOrEqual(510);
    expect(reading).toBeLessThanOrEqual(513);

    const led = new five.Led({ pin: 9, board: j5 });
    led.brightness(64);
    // The duty cycle, from the pin's edges in simulated time over a few PWM periods (~2 ms each).
    const edges: { high: boolean; atMs: number }[] = [];
    const stop = board.watch(9, (high, atMs) => edges.push({ high, atMs }));
    await vi.waitFor(() => expect(edges.length).toBeGreaterThanOrEqual(21), { timeout: 5000 });
    stop();
    const firstRise = edges.findIndex((edge) => edge.high);
    const periods = edges.slice(firstRise, firstRise + 17);
    let highMs = 0;
    for (let i = 0; i + 1 < periods.length; i += 2) highMs += (periods[i + 1]?.atMs ?? 0) - (periods[i]?.atMs ?? 0);
    const spanMs = (periods.at(-1)?.atMs ?? 0) - (periods[0]?.atMs ?? 0);
    expect(highMs / spanMs).toBeCloseTo(64 / 255, 1);
  });

  it("answers REPORT_VERSION and REPORT_FIRMWARE on request, for a host that missed the boot report", async () => {
    const board = new EmulatedBoard();
    plugged.push(board);
    const port = board.start();
    await drainBootReport(port);
    const io = new firmataIo.Firmata(port, { reportVersionTimeout: 50 });
    await event(io, "ready");
    expect(io.firmware.name).toBe("AnxinButton");
  });

  it("is seen closing when unplugged, and a board plugged back in works again", async () => {
    const first = await connect("emulated:first");
    const led = new five.Led({ pin: 13, board: first.j5 });
    const errors: unknown[] = [];
    first.j5.on("error", (error) => errors.push(error));
    const closed = event(first.j5, "close");
    first.board.unplug();
    await closed;
    expect(first.port.isOpen).toBe(false);
    expect(first.board.plugged).toBe(false);
    const frozenAt = first.board.simulatedMs;
    led.on(); // johnny-five does not know yet; the write must vanish, not throw
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(first.board.simulatedMs).toBe(frozenAt);
    expect(errors).toEqual([]);

    const second = await connect("emulated:second");
    const button = new five.Button({ pin: 2, isPullup: true, board: second.j5 });
    await vi.waitFor(() => expect(second.board.pinState(2)).toBe(PinState.InputPullUp));
    const down = event(button, "down");
    second.board.press(2);
    await down;
    const secondLed = new five.Led({ pin: 13, board: second.j5 });
    secondLed.on();
    await second.board.waitForLevel(13, true);
  });
});
