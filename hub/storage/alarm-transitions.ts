/**
 * The alarm's one explicit state machine. Every status change in the hub goes
 * through `AlarmRepository.transition`, which refuses a change this table does
 * not list (`ALARM_TRANSITION_ILLEGAL`).
 *
 *   unassigned → offered → accepted → on_scene → resolved → followed_up
 *   (any open state) → resolved | cancelled
 *
 * `status` says only where the response stands. The operator's acknowledgement
 * is a separate fact (`acknowledged_at`/`acknowledged_by`), set once at any
 * open status and never a transition: an SOS is offered to a worker before any
 * operator has seen it, and a worker may accept before anyone acknowledges.
 * Keeping the two apart is what keeps the resident's button honest
 * (hub/alarms/button-state.ts). A status that keeps its state while other
 * fields change (acknowledging, the next offer of an offered alarm) is not a
 * transition and is allowed for open states only.
 */
import { type AlarmStatus, CLOSED_STATUSES } from "../../protocol/console/index.ts";
import { AnxinError } from "../errors.ts";
// alarm-repo imports this module too: only read its values inside functions (ESM cycle).

/** The legal transitions, as data: from → the states it may move to. */
export const LEGAL_TRANSITIONS: Readonly<Record<AlarmStatus, readonly AlarmStatus[]>> = {
  unassigned: ["offered", "resolved", "cancelled"],
  offered: ["accepted", "resolved", "cancelled"],
  // Once a worker has accepted, nobody else is asked: dispatch by hand refuses an accepted alarm.
  accepted: ["on_scene", "resolved", "cancelled"],
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
