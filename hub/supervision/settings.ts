/** Device supervision's settings, derived once from the hub config. */
import type { HubConfig } from "../config.ts";

/** Heartbeats a device may miss before it is `silent`: three, so one lost QoS 0 heartbeat is never a fault. */
export const SILENT_AFTER_INTERVALS = 3;
/**
 * A low-battery fault clears only at this many points above the threshold:
 * readings wobble by a percent or two, and a fault that opened and cleared on
 * every other heartbeat would bury the one maintenance visit that is needed.
 */
export const BATTERY_CLEAR_MARGIN = 10;
/** At most this many scheduled test requests per scan, so a hub back from a long outage catches up gradually. */
export const TEST_REQUESTS_PER_SCAN = 100;

export interface SupervisionSettings {
  heartbeatIntervalS: number;
  /** A device not heard from for this long is `silent`. */
  silentAfterMs: number;
  /** How often the supervisor scans the devices table. */
  scanMs: number;
  lowBatteryPercent: number;
  batteryClearPercent: number;
  /** 0: no scheduled tests (operators' drills still work). */
  testIntervalMs: number;
  testDeadlineMs: number;
}

export function supervisionSettingsFrom(config: HubConfig): SupervisionSettings {
  const intervalMs = config.heartbeatIntervalS * 1000;
  return {
    heartbeatIntervalS: config.heartbeatIntervalS,
    silentAfterMs: SILENT_AFTER_INTERVALS * intervalMs,
    // Every few seconds, and often enough to notice silence well within one heartbeat interval.
    scanMs: Math.min(5000, Math.max(250, Math.round(intervalMs / 4))),
    lowBatteryPercent: config.lowBatteryPercent,
    batteryClearPercent: Math.min(100, config.lowBatteryPercent + BATTERY_CLEAR_MARGIN),
    testIntervalMs: Math.round(config.testAlarmIntervalH * 3_600_000),
    testDeadlineMs: config.testAlarmDeadlineS * 1000,
  };
}
