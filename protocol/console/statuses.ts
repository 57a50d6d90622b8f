/**
 * The states the console's answers speak in, one list each, shared by the hub
 * (storage, transitions, SQL) and the console (queue order, closed or open).
 */

/**
 * Where the response to an alarm stands, and nothing else: whether an operator
 * has acknowledged it is a separate fact (`acknowledged_at`), so that no
 * mapping can take one for the other (hub/alarms/button-state.ts).
 * `unassigned`: no worker asked yet; `offered`: a worker was asked and nobody
 * has accepted (or everybody asked has declined); `accepted`: a worker is on
 * the way; `on_scene`: arrived.
 */
export const ALARM_STATUSES = [
  "unassigned",
  "offered",
  "accepted",
  "on_scene",
  "resolved",
  "followed_up",
  "cancelled",
] as const;
export type AlarmStatus = (typeof ALARM_STATUSES)[number];

/** States in which an alarm no longer needs anyone to act now. */
export const CLOSED_STATUSES: readonly AlarmStatus[] = ["resolved", "followed_up", "cancelled"];

/** States in which no worker has accepted yet: a worker may still be asked. */
export const UNACCEPTED_STATUSES: readonly AlarmStatus[] = ["unassigned", "offered"];

/** The open states in the order a response moves through them (the queue sorts by it). */
export type OpenAlarmStatus = Exclude<AlarmStatus, "resolved" | "followed_up" | "cancelled">;
export const OPEN_STATUS_ORDER: Readonly<Record<OpenAlarmStatus, number>> = {
  unassigned: 0,
  offered: 1,
  accepted: 2,
  on_scene: 3,
};

/** A worker's offer: asked, then accepted, declined, timed out or withdrawn. */
export const OFFER_STATUSES = ["offered", "accepted", "declined", "timed_out", "withdrawn"] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** A service request (an errand): open → assigned → done, or cancelled. */
export const SERVICE_REQUEST_STATUSES = ["open", "assigned", "done", "cancelled"] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

/** Service request states in which someone still has to act. */
export const ACTIVE_SERVICE_STATUSES: readonly ServiceRequestStatus[] = ["open", "assigned"];

/** Kinds of device fault the supervision raises. */
export const FAULT_KINDS = ["offline", "silent", "low_battery", "test_failed"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
