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

// Each list below is written once, as literals, so that its type names exactly its
// members: the console keeps a copy (it cannot import protocol/ at run time) typed by
// these, and the typecheck fails the moment the copy and the list disagree.
const CLOSED = ["resolved", "followed_up", "cancelled"] as const satisfies readonly AlarmStatus[];
const UNACCEPTED = ["unassigned", "offered"] as const satisfies readonly AlarmStatus[];

/** States in which an alarm no longer needs anyone to act now. */
export type ClosedAlarmStatus = (typeof CLOSED)[number];
export const CLOSED_STATUSES: readonly AlarmStatus[] = CLOSED;

/** States in which no worker has accepted yet: a worker may still be asked. */
export type UnacceptedAlarmStatus = (typeof UNACCEPTED)[number];
export const UNACCEPTED_STATUSES: readonly AlarmStatus[] = UNACCEPTED;

/**
 * The open states in the order a response moves through them (the queue sorts by it, and
 * drops a push that is behind what it shows: hub/storage/alarm-transitions.ts never moves
 * an alarm back along this order).
 */
export type OpenAlarmStatus = Exclude<AlarmStatus, ClosedAlarmStatus>;
export const OPEN_STATUS_ORDER = {
  unassigned: 0,
  offered: 1,
  accepted: 2,
  on_scene: 3,
} as const satisfies Readonly<Record<OpenAlarmStatus, number>>;

/** A worker's offer: asked, then accepted, declined, timed out or withdrawn. */
export const OFFER_STATUSES = ["offered", "accepted", "declined", "timed_out", "withdrawn"] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** A service request (an errand): open → assigned → done, or cancelled. */
export const SERVICE_REQUEST_STATUSES = ["open", "assigned", "done", "cancelled"] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

const ACTIVE_SERVICE = ["open", "assigned"] as const satisfies readonly ServiceRequestStatus[];
/** Service request states in which someone still has to act. */
export type ActiveServiceStatus = (typeof ACTIVE_SERVICE)[number];
export const ACTIVE_SERVICE_STATUSES: readonly ServiceRequestStatus[] = ACTIVE_SERVICE;

/** Kinds of device fault the supervision raises. */
export const FAULT_KINDS = ["offline", "silent", "low_battery", "test_failed"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
