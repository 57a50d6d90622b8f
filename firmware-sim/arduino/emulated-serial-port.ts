/**
 * The emulated board's end of the USB cable: a Duplex that behaves like a `serialport` SerialPort
 * as far as firmata-io and johnny-five look (`path`, `baudRate`, `isOpen`, `write`, `close`, and the
 * `open`, `data`, `close`, `error` events). Like serialport 13, an unplugged board ends with `close`
 * carrying an error whose `disconnected` is true, and writes to a closed port vanish quietly.
 */
import { Duplex } from "node:stream";

export class DisconnectedError extends Error {
  readonly disconnected = true;
}

export class EmulatedSerialPort extends Duplex {
  readonly path: string;
  readonly baudRate: number;
  isOpen = false;
  private readonly toDevice: (bytes: Uint8Array) => void;
  private ended = false;

  constructor(path: string, baudRate: number, toDevice: (bytes: Uint8Array) => void) {
    // 'close' is emitted by hand, with serialport's argument, so the stream must not emit its own.
    super({ emitClose: false, autoDestroy: false });
    this.path = path;
    this.baudRate = baudRate;
    this.toDevice = toDevice;
  }

  override _read(): void {
    // Bytes are pushed by the board as its USART sends them.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.isOpen) this.toDevice(chunk);
    callback();
  }

  /** Board side: the port is ready, as serialport reports after its asynchronous open. */
  markOpen(): void {
    if (this.ended) return;
    this.isOpen = true;
    this.emit("open");
  }

  /** Board side: bytes the firmware sent. */
  deliver(bytes: Uint8Array): void {
    if (this.isOpen) this.push(Buffer.from(bytes));
  }

  /** Board side: the cable was pulled. */
  disconnect(): void {
    this.finish(new DisconnectedError("the emulated board was unplugged"));
  }

  /** Host side, as SerialPort#close: the board keeps running, but nothing passes any more. */
  close(callback?: (error: Error | null) => void): void {
    this.finish(null);
    if (callback) setImmediate(() => callback(null));
  }

  private finish(reason: DisconnectedError | null): void {
    if (this.ended) return;
    this.ended = true;
    this.isOpen = false;
    this.emit("close", reason);
  }
}
