/** How a simulated button is configured, and the defaults that make it behave like the real device. */
import type { IClientOptions } from "mqtt";
import { CONNACK_WAIT_MS, deviceTopic, encodeMessage } from "../protocol/index.ts";
import { type DeviceTls, tlsClientOptions } from "./device-tls.ts";

export interface SimulatedButtonOptions {
  /** `mqtt://host:1883`, or `mqtts://host:8883` over TLS (then `tls` says whom to trust). */
  mqttUrl: string;
  deviceId: string;
  secret: string;
  /** For `mqtts://`: the CA to trust the hub by, and the device's own certificate for mutual TLS. */
  tls?: DeviceTls;
  /** Default 60 000 ms, the real device's interval. */
  heartbeatIntervalMs?: number;
  /** Delay before the first re-send of an unacknowledged press (default 2 000 ms); it doubles on every retry… */
  retryInitialMs?: number;
  /** …up to this cap (default 30 000 ms). */
  retryMaxMs?: number;
  /** Battery level in percent, reported with every press and heartbeat (default 100). */
  battery?: number;
  firmware?: string;
  /**
   * Ignore the hub's `command` messages, as firmware from before commands
   * existed would (default false: a `test_press` request is answered with a
   * test press). For tests of what the hub does about a device that does not answer.
   */
  ignoreCommands?: boolean;
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
    tls: options.tls ?? {},
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 60_000,
    retryInitialMs: options.retryInitialMs ?? 2_000,
    retryMaxMs: options.retryMaxMs ?? 30_000,
    battery: options.battery ?? 100,
    firmware: options.firmware ?? "anxin-sim/0.1.0",
    ignoreCommands: options.ignoreCommands ?? false,
  };
}

/** The CONNECT the firmware makes (docs/protocol.md, "Identity and authentication"). */
export function connectOptions(settings: ButtonSettings): IClientOptions {
  const { deviceId, firmware } = settings;
  return {
    ...tlsClientOptions(settings.tls),
    clientId: deviceId,
    username: deviceId,
    password: settings.secret,
    protocolVersion: 4,
    // A fresh session each time: pending presses are re-sent by us, and the feedback that matters is retained.
    clean: true,
    resubscribe: false,
    keepalive: 30,
    // Reconnects are driven with a random, growing wait (reconnect-backoff.ts), not mqtt.js' fixed period.
    reconnectPeriod: 0,
    // Patient for the CONNACK: after an outage the hub logs a county's fleet in one after another, and an
    // attempt given up early only sends the button to the back of the queue (docs/protocol.md, Reconnecting).
    connectTimeout: CONNACK_WAIT_MS,
    will: {
      topic: deviceTopic(deviceId, "status"),
      payload: Buffer.from(encodeMessage("status", { state: "offline", firmware })),
      qos: 1,
      // Devices retain nothing (docs/protocol.md); the broker would clear the flag anyway.
      retain: false,
    },
  };
}
