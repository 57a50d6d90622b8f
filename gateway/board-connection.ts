/// <reference path="../types/firmata-io.d.ts" />
/**
 * One Arduino board as johnny-five sees it, from an opened serial port to `close`: the Firmata
 * handshake, the button, the LED and the buzzer. johnny-five never reconnects, so a board that
 * goes away is closed here for good and the owner opens a fresh one (new port, new firmata-io,
 * new johnny-five Board) when it comes back.
 */
import firmataIo, { type FirmataTransport } from "firmata-io";
import five from "johnny-five";
import type { BoardConfig } from "./config.ts";
import { GatewayError } from "./errors.ts";
import type { Output } from "./feedback-pattern.ts";

/** What a gateway needs of a serial port: serialport 13's SerialPort, or an emulated board's port. */
export interface SerialStream extends FirmataTransport {
  readonly path?: string;
  close(callback?: (error: Error | null) => void): void;
}

export interface BoardHandlers {
  down(): void;
  up(): void;
  /** The port closed or failed after the handshake (USB pulled, brown-out, reset). */
  lost(reason: string): void;
}

export class BoardConnection {
  private led: five.Led | null = null;
  private buzzer: five.Led | null = null;
  private written: Output | null = null;
  private closed = false;

  constructor(
    private readonly port: SerialStream,
    private readonly pins: BoardConfig["pins"],
    private readonly label: string,
    private readonly handlers: BoardHandlers,
  ) {}

  /** Completes the Firmata handshake and sets the pins up; rejects with BOARD_TIMEOUT or BOARD_FAILED. */
  async open(readyTimeoutMs: number): Promise<void> {
    let onError: (error: Error) => void = () => undefined;
    let onClose: () => void = () => undefined;
    const board = await new Promise<five.Board>((resolve, reject) => {
      const fail = (error: GatewayError) => {
        clearTimeout(timer);
        this.close();
        reject(error);
      };
      const timer = setTimeout(() => {
        const message =
          `board ${this.label} did not answer Firmata within ${readyTimeoutMs} ms; ` +
          "is the AnxinButton firmware or StandardFirmata (57600 baud) flashed on it?";
        fail(new GatewayError("BOARD_TIMEOUT", message, { port: this.label }));
      }, readyTimeoutMs);
      onError = (error: Error) => {
        fail(new GatewayError("BOARD_FAILED", `board ${this.label}: ${error.message}`, { port: this.label }));
      };
      onClose = () => fail(new GatewayError("BOARD_FAILED", `board ${this.label} closed during the handshake`));
      this.port.once("error", onError);
      this.port.once("close", onClose);
      const io = new firmataIo.Firmata(this.port);
      // `sigint: false`: johnny-five would otherwise hook SIGINT once per board and exit the process.
      const options: five.BoardOption & { sigint: boolean } = { io, repl: false, debug: false, sigint: false };
      const board = new five.Board(options);
      // johnny-five reports a handshake that never completes as an error after 10 s; ours came first.
      board.on("error", () => undefined);
      board.on("ready", () => {
        clearTimeout(timer);
        resolve(board);
      });
    });
    this.port.off("error", onError);
    this.port.off("close", onClose);
    // firmata-io still listens for data and 'close' itself; these only tell the owner.
    this.port.on("error", (error: Error) => this.lose(error.message));
    this.port.on("close", () => this.lose("the serial port closed"));
    const { pins } = this;
    const button = new five.Button({ pin: pins.button, isPullup: pins.pullup, board });
    button.on("down", () => this.handlers.down());
    button.on("up", () => this.handlers.up());
    this.led = new five.Led({ pin: pins.led, board });
    this.buzzer = new five.Led({ pin: pins.buzzer, board });
    this.written = null;
    this.write({ led: false, buzzer: false });
  }

  /** Sets the LED and buzzer; only changes go over the wire. */
  write(output: Output): void {
    if (this.closed || !this.led || !this.buzzer) return;
    if (this.written?.led !== output.led) output.led ? this.led.on() : this.led.off();
    if (this.written?.buzzer !== output.buzzer) output.buzzer ? this.buzzer.on() : this.buzzer.off();
    this.written = output;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.port.close();
    } catch {
      // Already closed by an unplug: nothing left to release.
    }
  }

  private lose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.lost(reason);
  }
}
