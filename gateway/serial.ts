/**
 * Real serial ports, through serialport 13. Kept apart so the rest of the gateway (and the tests,
 * which plug in emulated boards) never load the native bindings.
 */
import fs from "node:fs";
import { SerialPort } from "serialport";
import type { SerialStream } from "./board-connection.ts";
import type { PortAccess, PortInfo } from "./board-session.ts";
import { GatewayError } from "./errors.ts";

/** Firmata's speed: StandardFirmata and the AnxinButton firmware both talk at 57600 baud. */
export const FIRMATA_BAUD = 57_600;

export const serialPorts: PortAccess = {
  openPort(path: string): SerialStream {
    // serialport would only say "cannot open" asynchronously; a missing device node is clearer said now.
    if (process.platform !== "win32" && !fs.existsSync(path)) {
      throw new GatewayError("PORT_NOT_FOUND", `serial port ${path} does not exist (is the board plugged in?)`, {
        path,
      });
    }
    return new SerialPort({ path, baudRate: FIRMATA_BAUD }) as unknown as SerialStream;
  },
  async listPorts(): Promise<PortInfo[]> {
    return SerialPort.list();
  },
};
