/**
 * firmata-io ships no types. Only what this project uses is declared. The package is CommonJS:
 * `module.exports` is a function that binds a default transport and carries the class as `.Firmata`,
 * so import it as a default import.
 */
declare module "firmata-io" {
  import type { EventEmitter } from "node:events";

  /** Any serialport-like stream: firmata-io writes Buffers to it and listens for open/data/close/error. */
  export interface FirmataTransport extends EventEmitter {
    write(data: Buffer, callback?: (error?: Error | null) => void): unknown;
  }

  export interface FirmataPin {
    supportedModes: number[];
    mode?: number;
    value: number;
    report: number;
    analogChannel: number;
    /** Set by a PIN_STATE_RESPONSE: the written value for outputs, the pull-up for inputs. */
    state?: number;
  }

  export interface FirmataOptions {
    /** ms to wait for the unprompted REPORT_VERSION before asking for it (default 5000). */
    reportVersionTimeout?: number;
    samplingInterval?: number;
    skipCapabilities?: boolean;
  }

  export interface FirmataModes {
    INPUT: number;
    OUTPUT: number;
    ANALOG: number;
    PWM: number;
    PULLUP: number;
    IGNORE: number;
  }

  export class Firmata extends EventEmitter {
    constructor(transport: FirmataTransport, options?: FirmataOptions, callback?: (error?: Error) => void);
    readonly MODES: FirmataModes;
    readonly HIGH: 1;
    readonly LOW: 0;
    isReady: boolean;
    name: string;
    version: { major?: number; minor?: number };
    firmware: { name?: string; version?: { major: number; minor: number } };
    pins: FirmataPin[];
    analogPins: number[];
    transport: FirmataTransport;
    pinMode(pin: number, mode: number): void;
    digitalWrite(pin: number, value: 0 | 1): void;
    digitalRead(pin: number, callback: (value: number) => void): void;
    analogRead(pin: number, callback: (value: number) => void): void;
    pwmWrite(pin: number, value: number): void;
    queryPinState(pin: number, callback: () => void): void;
    reportVersion(callback: () => void): void;
    queryFirmware(callback: () => void): void;
    setSamplingInterval(ms: number): void;
    reset(): void;
  }

  interface BindTransport {
    (transport: unknown): typeof Firmata;
    readonly Firmata: typeof Firmata;
  }

  const bindTransport: BindTransport;
  export default bindTransport;
}
