// @ts-check
// The order of the live queue and each alarm's next deadline. Pure functions of an
// AlarmSummary (and the hub's deadlines), so the order is the same on every console.
//
// Order: an emergency (SOS) before a service call, test alarms last; within a kind,
// an escalated alarm (it missed a deadline) first, then those no operator has taken
// yet (an acknowledged one already has someone on it), then one pressed again
// (urgent, then high); then the oldest first, because it has waited longest.

/** @import { AlarmStatus, AlarmSummary, ConsoleSettings, OPEN_STATUS_ORDER, OpenAlarmStatus } from "../protocol/console/index.ts" */

/**
 * The contract's status lists as the console reads them: each open status's place in a
 * response (OPEN_STATUS_ORDER), "closed" for the others (CLOSED_STATUSES). A copy, typed
 * so that the typecheck fails as soon as it and protocol/console/statuses.ts disagree (a
 * status added, moved between open and closed, or reordered). Why a copy and not the hub's
 * answer (GET /api/console/settings): the queue must tell open from closed from the first
 * push on, also when the settings request failed; and the hub serves this very file, so
 * the copy and the hub's lists are always of the same version.
 * @typedef {{ readonly [S in AlarmStatus]: S extends OpenAlarmStatus ? (typeof OPEN_STATUS_ORDER)[S] : "closed" }} StatusSteps
 */

/** @type {StatusSteps} */
const STATUS_STEP = {
  unassigned: 0,
  offered: 1,
  accepted: 2,
  on_scene: 3,
  resolved: "closed",
  followed_up: "closed",
  cancelled: "closed",
};

/** @param {Pick<AlarmSummary, "status">} alarm */
export function isClosed(alarm) {
  return STATUS_STEP[alarm.status] === "closed";
}

/**
 * How far an alarm has come, to drop pushes that arrive out of order (a lower
 * progress than what is shown is an older state). The status only moves forward
 * along the contract's order (hub/storage/alarm-transitions.ts; tests/console-queue-order.test.ts
 * holds the two together). An operator's acknowledgement is separate from the
 * dispatch state (a worker may be asked before anyone has acknowledged), and is
 * never taken back, so it counts as a half step.
 * @param {Pick<AlarmSummary, "status" | "acknowledgedAt">} alarm
 */
export function progress(alarm) {
  const step = STATUS_STEP[alarm.status];
  return (step === "closed" ? 4 : step) * 2 + (alarm.acknowledgedAt ? 1 : 0);
}

/** @type {Readonly<Record<AlarmSummary["kind"], number>>} */
const KIND_RANK = { sos: 0, service: 1, test: 2 };
/** @type {Readonly<Record<AlarmSummary["priority"], number>>} */
const PRIORITY_RANK = { urgent: 0, high: 1, normal: 2 };

/**
 * @param {AlarmSummary} a
 * @param {AlarmSummary} b
 */
export function compareAlarms(a, b) {
  return (
    (KIND_RANK[a.kind] ?? 1) - (KIND_RANK[b.kind] ?? 1) ||
    (b.escalation > 0 ? 1 : 0) - (a.escalation > 0 ? 1 : 0) ||
    (a.acknowledgedAt ? 1 : 0) - (b.acknowledgedAt ? 1 : 0) ||
    (PRIORITY_RANK[a.priority] ?? 2) - (PRIORITY_RANK[b.priority] ?? 2) ||
    Date.parse(a.receivedAt) - Date.parse(b.receivedAt) ||
    a.id - b.id
  );
}

/** @typedef {ConsoleSettings["deadlines"]} Deadlines */
/** @typedef {"ack" | "arrival" | "resolution"} DeadlineStage */

/** The hub's deadlines in seconds after reception (`GET /api/console/settings`); null until loaded. @type {Deadlines | null} */
let deadlines = null;

/** @param {Deadlines | null | undefined} next */
export function setDeadlines(next) {
  deadlines = next ?? null;
}

/**
 * The next deadline of the alarm's lifecycle, as the hub's deadline watcher
 * enforces it: acknowledgement while no operator took it; then, for an SOS,
 * somebody on scene; then resolution. Null before the settings arrive.
 * @param {AlarmSummary} a
 * @returns {{ stage: DeadlineStage, at: number } | null} at: ms since the epoch
 */
export function stageDeadline(a) {
  if (!deadlines) return null;
  const received = Date.parse(a.receivedAt);
  if (!a.acknowledgedAt) return { stage: "ack", at: received + deadlines.ackS * 1000 };
  if (a.kind === "sos" && a.status !== "on_scene")
    return { stage: "arrival", at: received + deadlines.arrivalS * 1000 };
  return { stage: "resolution", at: received + deadlines.resolutionS * 1000 };
}
