/**
 * What the resident's button shows for an alarm: the one place that turns the
 * alarm's two facts (the operator's acknowledgement, and where the response
 * stands) into the state on the LED and buzzer (docs/protocol.md).
 *
 * Each state claims no more than is true, because a resident told that help is
 * coming may stop trying to get it:
 * - `received`: the hub has stored the call, and that is all; an automatic
 *   offer to a worker that nobody has accepted changes nothing here;
 * - `acknowledged` (已受理): an operator acknowledged the alarm;
 * - `dispatched` (已派人): a worker accepted and is on the way;
 * - `arrived`: the worker reported arrival; `closed`: resolved or cancelled.
 * It takes the acknowledgement as an argument of its own, so no caller can
 * derive the button from the status alone.
 */
import type { AlarmStatus } from "../../protocol/console/index.ts";
import type { FeedbackState } from "../../protocol/index.ts";
import type { AlarmRow } from "../storage/alarm-repo.ts";

/** The alarm facts the button depends on, and no others. */
export type ButtonFacts = Pick<AlarmRow, "status" | "acknowledged_at">;

const BY_PROGRESS: Record<AlarmStatus, FeedbackState | "by_acknowledgement"> = {
  unassigned: "by_acknowledgement",
  offered: "by_acknowledgement",
  accepted: "dispatched",
  on_scene: "arrived",
  resolved: "closed",
  followed_up: "closed",
  cancelled: "closed",
};

export function buttonStateOf(alarm: ButtonFacts): FeedbackState {
  const state = BY_PROGRESS[alarm.status];
  if (state !== "by_acknowledgement") return state;
  return alarm.acknowledged_at === null ? "received" : "acknowledged";
}
