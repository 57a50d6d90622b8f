/** How a simulated button is configured, and the defaults that make it behave like the real device. */

export interface SimulatedButtonOptions {
  mqttUrl: string;
  deviceId: string;
  secret: string;
  /** Default 60 000 ms, the real device's interval. */
  heartbeatIntervalMs?: number;
  /** Delay before the first re-send of an unacknowledged press (default 2 000 ms); it doubles on every retry… */
  retryInitialMs?: number;
  /** …up to this cap (default 30 000 ms). */
  retryMaxMs?: number;
  /** Battery level in percent, reported with every press and heartbeat (default 100). */
  battery?: number;
  firmware?: string;
}

export interface StartOptions {
  /** Reject when not connected within this time. Without it `start()` keeps trying, as firmware does. */
  timeoutMs?: number;
}

export type ButtonSettings = Required<SimulatedButtonOptions>;

export function withDefaults(options: SimulatedButtonOptions): ButtonSettings {
  return {
    mqttUrl: options.mqttUrl,
    deviceId: options.deviceId,
    secret: options.secret,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 60_000,
    retryInitialMs: options.retryInitialMs ?? 2_000,
    retryMaxMs: options.retryMaxMs ?? 30_000,
    battery: options.battery ?? 100,
    firmware: options.firmware ?? "anxin-sim/0.1.0",
  };
}
