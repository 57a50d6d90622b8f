/**
 * The gateway: one `BoardSession` per configured board, sharing the durable press queue. Boards
 * are independent: one unplugged, missing or refused never disturbs the others.
 */

import { BoardSession, type GatewayLog, type PortAccess } from "./board-session.ts";
import type { GatewayConfig } from "./config.ts";
import { GatewayError } from "./errors.ts";
import { PressStore } from "./press-store.ts";

export type { GatewayLog, LogLevel, PortAccess, PortInfo } from "./board-session.ts";

export interface GatewayOptions {
  config: GatewayConfig;
  /** How ports are found and opened: serialport 13 in production (`serial.ts`), emulated boards in tests. */
  ports: PortAccess;
  log?: GatewayLog;
  /** How long `start()` waits for the first hub connection of each board (default 5 s). */
  connectTimeoutMs?: number;
}

export class Gateway {
  private readonly store: PressStore;
  private readonly sessions: BoardSession[] = [];
  private started = false;

  constructor(private readonly options: GatewayOptions) {
    this.store = new PressStore(options.config.dataDir);
  }

  /**
   * Opens the press queue and starts every board. Resolves once each board's link has connected or
   * timed out (a hub that is down is no reason not to run: presses wait on disk); rejects with
   * MQTT_REFUSED, naming the devices, when the hub refuses credentials, since that needs the config fixed.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error("the gateway is already started");
    this.started = true;
    const { config, ports } = this.options;
    const log = this.options.log ?? (() => undefined);
    this.store.open();
    for (const board of config.boards) this.sessions.push(new BoardSession(board, config, this.store, ports, log));
    const timeout = this.options.connectTimeoutMs ?? 5_000;
    const outcomes = await Promise.all(this.sessions.map((session) => session.start(timeout)));
    const refused = this.sessions.filter((_, index) => outcomes[index] === "refused").map((s) => s.deviceId);
    if (refused.length > 0) {
      await this.stop();
      throw new GatewayError(
        "MQTT_REFUSED",
        `the hub at ${config.mqttUrl} refused device${refused.length > 1 ? "s" : ""} ${refused.join(", ")}: ` +
          "wrong device id or secret, or the device is revoked (CONNACK 4/5)",
        { deviceIds: refused },
      );
    }
  }

  /** The session of one board, for status displays and tests. */
  board(deviceId: string): BoardSession {
    const session = this.sessions.find((s) => s.deviceId === deviceId);
    if (!session) throw new RangeError(`no board for device ${deviceId}`);
    return session;
  }

  /** Says `offline` for every board, disconnects, and closes the ports and the press queue. */
  async stop(): Promise<void> {
    await Promise.all(this.sessions.map((session) => session.stop()));
    this.sessions.length = 0;
    this.store.close();
  }
}
