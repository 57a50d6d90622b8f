/**
 * Where a device's call stands, read from storage at the moment it is
 * published. Feedback is published after commits that race each other (the
 * press's own `received`, the dispatch stage's offer, a cancel press handled
 * meanwhile); publishing the state each caller saw could leave a stale
 * `received` retained after a quick cancel's `closed`. Reading the stored
 * state when it is the device's turn makes the last publish always the truth.
 */
import type { FeedbackState } from "../../protocol/index.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import { buttonStateOf } from "./button-state.ts";

export interface CurrentFeedback {
  state: FeedbackState;
  alarmId: number | null;
}

/**
 * Among the calls the device pressed for (its own, and a household incident it
 * joined): the open SOS, else the newest open call, else the newest call; null
 * for a device that never called.
 */
export function currentFeedbackFrom(alarms: Pick<AlarmRepository, "feedbackAlarmFor">) {
  return async (deviceId: string): Promise<CurrentFeedback | null> => {
    const alarm = await alarms.feedbackAlarmFor(deviceId);
    return alarm ? { state: buttonStateOf(alarm), alarmId: alarm.id } : null;
  };
}
