/**
 * Every event the hub writes to a device's history (`device_events`), with the
 * shape of its `detail`, and the detail a fault of each kind carries. The
 * device supervision's writer (`FaultRepository.appendEvent`) takes only these.
 * As for alarm events (events.ts), readers must still read defensively: rows
 * of earlier versions may differ (an English sentence where a `Reason` is now).
 */
import type { Reason, SameNames } from "./reasons.ts";
import type { FaultKind } from "./statuses.ts";

/** Why a test press was asked for: the schedule, or an operator's drill; `manual`: a press nobody asked for. */
export type TestTriggerCode = "schedule" | "drill" | "manual";

/** What raised a fault of each kind (`DeviceFault.detail`, and `fault_opened` beside `faultId` and `kind`). */
export interface FaultDetails {
  offline: { reason: Reason<"device_reported_offline"> };
  /** Nothing heard since `lastSeenAt` (null: never) for `silentAfterS`. */
  silent: { lastSeenAt: string | null; silentAfterS: number };
  low_battery: { battery: number; thresholdPercent: number };
  test_failed: { requestId: string; trigger: TestTriggerCode; requestedAt: string; deadline: string };
}

/** A fault's opening: its id and kind, with that kind's detail. */
export type FaultOpened = { [K in FaultKind]: { faultId: number; kind: K } & FaultDetails[K] }[FaultKind];

export interface DeviceEventDetails {
  fault_opened: FaultOpened;
  fault_cleared: {
    faultId: number;
    kind: FaultKind;
    reason: Reason<
      | "device_online"
      | "device_heard_from"
      | "battery_recovered"
      | "device_revoked"
      | "test_completed"
      | "manual_test_completed"
    >;
  };
  /** The hub asked the device for a test press (actor `system`, or `user:<name>` for a drill). */
  test_requested: { testId: number; requestId: string; trigger: TestTriggerCode; deadline: string };
  /** The device's test press arrived (alarm `alarmId`). */
  test_answered: { testId: number; requestId: string; alarmId: number };
  /** The test alarm went through every stage and was closed; `trigger` manual: a press nobody asked for. */
  test_completed:
    | { testId: number; requestId: string; alarmId: number }
    | { testId: number; trigger: "manual"; alarmId: number };
  test_failed: { testId: number; requestId: string; deadline: string };
}

export type DeviceEventType = keyof DeviceEventDetails;

export const DEVICE_EVENT_TYPES = [
  "fault_opened",
  "fault_cleared",
  "test_requested",
  "test_answered",
  "test_completed",
  "test_failed",
] as const satisfies readonly DeviceEventType[];

/** Does not compile when the list misses a type of the map (the `satisfies` above catches the reverse). */
export const DEVICE_EVENT_TYPES_COMPLETE: SameNames<(typeof DEVICE_EVENT_TYPES)[number], DeviceEventType> = true;

/** One entry of a device's history, discriminated by `type`. */
export type DeviceEvent<T extends DeviceEventType = DeviceEventType> = {
  [K in T]: { type: K; at: string; actor: string; detail: DeviceEventDetails[K] };
}[T];
