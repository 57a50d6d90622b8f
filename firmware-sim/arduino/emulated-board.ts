/**
 * An Arduino Uno running the compiled firmware in avr8js, inside Node: the hex built from `src/`,
 * executed instruction by instruction, its USART0 bridged to an `EmulatedSerialPort` that johnny-five
 * (through firmata-io) uses as its serial port. Tests drive input pins (a button to ground) and read
 * output pins (an LED, a buzzer) by their Arduino numbers.
 *
 * Simulated time follows the wall clock: the CPU runs in slices, each up to "now", and yields to the
 * event loop between them, so 1 ms of Firmata's sampling interval or of the 57600-baud link takes 1 ms
 * for the host too. Needs the emulator to run faster than 16 MHz while the firmware is awake
 * (`npm run bench` measures it); while it sleeps, the cycles are skipped.
 */
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { type AVRIOPort, PinState } from "avr8js";
import { ensureFirmware } from "./build-firmware.ts";
import { EmulatedSerialPort } from "./emulated-serial-port.ts";
import { loadIntelHex } from "./intel-hex.ts";
import { CYCLES_PER_MS, createUnoCore, runUntil, type UnoCore } from "./uno-core.ts";

export { CLOCK_HZ } from "./uno-core.ts";

const BAUD = 57_600;
/** At most this much simulated time per slice, so the event loop (MQTT, timers) is never held up long. */
const SLICE_CYCLES = 5 * CYCLES_PER_MS;
/** Behind the wall clock by more than this (a busy host), the board skips ahead instead of racing. */
const MAX_LAG_CYCLES = 50 * CYCLES_PER_MS;

export interface EmulatedBoardOptions {
  /** The firmware to run; default the one built from `src/` (rebuilt first when stale). */
  hexPath?: string;
  /** The serial port's name, as a gateway would see `/dev/ttyACM0`. */
  path?: string;
  /** Follow the wall clock (default). `false` runs flat out, for the bench. */
  realTime?: boolean;
  /** Skip the cycles the firmware spends asleep (default). `false` executes them, for the bench. */
  skipSleep?: boolean;
}

export type PinLevelListener = (high: boolean, atMs: number) => void;

interface PinRef {
  port: AVRIOPort;
  bit: number;
}

interface Running extends UnoCore {
  serial: EmulatedSerialPort;
}

export class EmulatedBoard {
  readonly path: string;
  private readonly options: EmulatedBoardOptions;
  private running: Running | null = null;
  private stopped = false;
  private wallStart = 0;
  private pending: (() => void) | null = null;
  private readonly toDevice: number[] = [];
  private readonly fromDevice: number[] = [];
  /** Pins held by the outside world (true = high, false = to ground); absent = left floating. */
  private readonly driven = new Map<number, boolean>();
  private readonly watchers = new Map<number, Set<PinLevelListener>>();
  private readonly lastLevel = new Map<number, boolean>();

  constructor(options: EmulatedBoardOptions = {}) {
    this.options = options;
    this.path = options.path ?? "emulated:uno";
  }

  /** Powers the board up: loads the hex, resets the CPU and starts running it. Returns the serial port. */
  start(): EmulatedSerialPort {
    if (this.running || this.stopped) throw new Error("an EmulatedBoard starts once; plug in a new one instead");
    const program = loadIntelHex(fs.readFileSync(this.options.hexPath ?? ensureFirmware(), "utf8"));
    const { cpu, ports, adc, usart } = createUnoCore(program);
    usart.onByteTransmit = (byte) => this.fromDevice.push(byte);
    // The next host byte starts arriving when the previous one has landed: 57600 baud, as on the wire.
    usart.onRxComplete = () => this.feedReceiver();
    const serial = new EmulatedSerialPort(this.path, BAUD, (bytes) => {
      for (const byte of bytes) this.toDevice.push(byte);
      this.feedReceiver();
    });
    for (const port of Object.values(ports)) port.addListener(() => this.portChanged(port));
    this.running = { cpu, usart, adc, ports, serial };
    // serialport opens asynchronously, and opening an Uno's port resets it (DTR), so the firmware
    // boots only once the host listens: its unprompted version report is not lost.
    const powerUp = setImmediate(() => {
      serial.markOpen();
      this.wallStart = performance.now();
      this.slice();
    });
    this.pending = () => clearImmediate(powerUp);
    return serial;
  }

  /** Pulls the USB cable: the CPU stops and the serial port closes with a disconnect error. */
  unplug(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.pending?.();
    this.pending = null;
    this.running?.serial.disconnect();
  }

  get serialPort(): EmulatedSerialPort {
    return this.require().serial;
  }

  get plugged(): boolean {
    return this.running !== null && !this.stopped;
  }

  /** Simulated time since power-up. */
  get simulatedMs(): number {
    return this.running ? this.running.cpu.cycles / CYCLES_PER_MS : 0;
  }

  /** A push button between the pin and ground: pressed pulls it low. */
  press(pin: number): void {
    this.drive(pin, false);
  }

  /** Releases the button: the pin floats again, so only its pull-up (if on) holds it high. */
  release(pin: number): void {
    this.drive(pin, null);
  }

  /** Holds a pin high or low from outside, or lets it float (`null`). */
  drive(pin: number, level: boolean | null): void {
    const ref = this.pin(pin);
    if (level === null) {
      this.driven.delete(pin);
    } else {
      this.driven.set(pin, level);
    }
    this.applyInput(pin, ref);
    this.notify(pin);
  }

  /** The pin's voltage as a LED or buzzer on it sees it: an output's level, or what holds an input. */
  level(pin: number): boolean {
    const { port, bit } = this.pin(pin);
    switch (port.pinState(bit)) {
      case PinState.High:
        return true;
      case PinState.Low:
        return false;
      case PinState.InputPullUp:
        return this.driven.get(pin) ?? true;
      default:
        return this.driven.get(pin) ?? false;
    }
  }

  /** Whether the firmware made the pin an output (an LED on an input pin stays dark). */
  isOutput(pin: number): boolean {
    const state = this.pinState(pin);
    return state === PinState.High || state === PinState.Low;
  }

  pinState(pin: number): PinState {
    const { port, bit } = this.pin(pin);
    return port.pinState(bit);
  }

  /** Calls `listener` on every change of the pin's level, with the simulated time; returns the unsubscribe. */
  watch(pin: number, listener: PinLevelListener): () => void {
    this.pin(pin);
    let set = this.watchers.get(pin);
    if (!set) {
      set = new Set();
      this.watchers.set(pin, set);
      this.lastLevel.set(pin, this.level(pin));
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Resolves once the pin is at `high` (at once if it already is); rejects after `timeoutMs` of wall time. */
  waitForLevel(pin: number, high: boolean, timeoutMs = 5000): Promise<void> {
    if (this.level(pin) === high) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`pin ${pin} did not go ${high ? "high" : "low"} within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.watch(pin, (level) => {
        if (level !== high) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  }

  /** The voltage (0–5 V against AVcc) on analog input A0–A5. */
  setAnalog(channel: number, volts: number): void {
    if (!Number.isInteger(channel) || channel < 0 || channel > 5) throw new RangeError(`no analog input A${channel}`);
    this.require().adc.channelValues[channel] = volts;
  }

  private require(): Running {
    if (!this.running) throw new Error("the emulated board is not started");
    return this.running;
  }

  /** Arduino numbering: D0–D7 on port D, D8–D13 on port B, A0–A5 (14–19) on port C. */
  private pin(pin: number): PinRef {
    const { ports } = this.require();
    if (!Number.isInteger(pin) || pin < 0 || pin > 19) throw new RangeError(`the Uno has no pin ${pin}`);
    if (pin < 8) return { port: ports.d, bit: pin };
    if (pin < 14) return { port: ports.b, bit: pin - 8 };
    return { port: ports.c, bit: pin - 14 };
  }

  /** What the input register reads: the outside drive, else the pull-up (on: high), else low. */
  private applyInput(pin: number, { port, bit }: PinRef): void {
    port.setPin(bit, this.driven.get(pin) ?? port.pinState(bit) === PinState.InputPullUp);
  }

  /** The firmware wrote DDR or PORT (or a timer toggled a PWM pin): pull-ups and watchers follow. */
  private portChanged(port: AVRIOPort): void {
    for (let pin = 0; pin < 20; pin++) {
      const ref = this.pin(pin);
      if (ref.port !== port) continue;
      if (!this.driven.has(pin)) this.applyInput(pin, ref);
      this.notify(pin);
    }
  }

  private notify(pin: number): void {
    const set = this.watchers.get(pin);
    if (!set || set.size === 0) return;
    const level = this.level(pin);
    if (this.lastLevel.get(pin) === level) return;
    this.lastLevel.set(pin, level);
    const atMs = this.simulatedMs;
    for (const listener of [...set]) listener(level, atMs);
  }

  private feedReceiver(): void {
    const { usart } = this.require();
    if (this.stopped || this.toDevice.length === 0 || usart.rxBusy) return;
    const byte = this.toDevice[0];
    // False while the firmware has not enabled its receiver yet: the byte waits for the next slice.
    if (byte !== undefined && usart.writeByte(byte)) this.toDevice.shift();
  }

  private schedule(now: boolean): void {
    if (this.stopped) return;
    if (now) {
      const handle = setImmediate(this.slice);
      this.pending = () => clearImmediate(handle);
    } else {
      const handle = setTimeout(this.slice, 1);
      this.pending = () => clearTimeout(handle);
    }
  }

  private readonly slice = (): void => {
    if (this.stopped || !this.running) return;
    const { cpu, serial } = this.running;
    let target = Number.POSITIVE_INFINITY;
    if (this.options.realTime !== false) {
      target = (performance.now() - this.wallStart) * CYCLES_PER_MS;
      const lag = target - cpu.cycles;
      if (lag > MAX_LAG_CYCLES) {
        this.wallStart += (lag - MAX_LAG_CYCLES) / CYCLES_PER_MS;
        target = cpu.cycles + MAX_LAG_CYCLES;
      }
    }
    this.feedReceiver();
    const end = Math.min(target, cpu.cycles + SLICE_CYCLES);
    runUntil(cpu, end, this.options.skipSleep !== false);
    if (this.fromDevice.length > 0) {
      serial.deliver(Uint8Array.from(this.fromDevice));
      this.fromDevice.length = 0;
    }
    // Still behind the wall clock: go on after other events; caught up: sleep a millisecond.
    this.schedule(cpu.cycles < target);
  };
}
