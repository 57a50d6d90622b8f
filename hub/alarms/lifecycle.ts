/**
 * The alarm's one explicit state machine. Every status change in the hub goes
 * through `AlarmRepository.transition`, which refuses a change this table does
 * not list (`ALARM_TRANSITION_ILLEGAL`).
 *
 *   received → acknowledged → dispatched → accepted → on_scene → resolved → followed_up
 *   (any open state) → cancelled
 *
 * The operator's acknowledgement is orthogonal to dispatch: an SOS is offered to
 * a worker before anyone acknowledges it, so `received → dispatched` is legal and
 * `acknowledged_at` is a separate fact that a dispatched or accepted alarm may
 * gain later without changing status. A status that keeps its state while other
 * fields change (acknowledging a dispatched alarm, the next offer of a
 * dispatched alarm) is not a transition and is allowed for open states only.
 */
import { AnxinError } from "../errors.ts";
// alarm-repo imports this module too: only read its values inside functions (ESM cycle).
import { type AlarmStatus, CLOSED_STATUSES } from "../storage/alarm-repo.ts";

/** The legal transitions, as data: from → the states it may move to. */
export const LEGAL_TRANSITIONS: Readonly<Record<AlarmStatus, readonly AlarmStatus[]>> = {
  received: ["acknowledged", "dispatched", "resolved", "cancelled"],
  acknowledged: ["dispatched", "resolved", "cancelled"],
  dispatched: ["accepted", "resolved", "cancelled"],
  // An operator may re-dispatch an accepted alarm to another worker.
  accepted: ["dispatched", "on_scene", "resolved", "cancelled"],
  on_scene: ["resolved", "cancelled"],
  resolved: ["followed_up"],
  followed_up: [],
  cancelled: [],
};

export function isLegalTransition(from: AlarmStatus, to: AlarmStatus): boolean {
  if (from === to) return !CLOSED_STATUSES.includes(from);
  return LEGAL_TRANSITIONS[from].includes(to);
}

/** Throws `ALARM_TRANSITION_ILLEGAL` for a change the table does not allow. */
export function assertTransition(from: AlarmStatus, to: AlarmStatus, alarmId?: number): void {
  if (!isLegalTransition(from, to)) {
    throw new AnxinError(
      "ALARM_TRANSITION_ILLEGAL",
      `alarm${alarmId === undefined ? "" : ` ${alarmId}`} cannot go from ${from} to ${to}`,
      { from, to, alarmId: alarmId ?? null },
    );
  }
}
