/**
 * A stage resumed after its alarm was already closed. A stage can fail and be
 * retried (or the hub can crash between stages) while an operator resolves the
 * alarm or the resident's cancel press cancels it. Resuming then must not
 * start what closing has ended: no relatives' cascade, no clinic alert, no
 * worker offer for an alarm nobody needs to act on any more. The stage is
 * recorded as done, with a `stage_skipped` event saying why.
 */
import { CLOSED_STATUSES } from "../../../protocol/console/index.ts";
import type { AlarmRow } from "../../storage/alarm-repo.ts";
import type { PipelineDeps } from "../types.ts";

/** True (and the skip recorded on the timeline) when the alarm is closed. */
export async function skippedAsClosed(
  alarm: AlarmRow,
  stage: string,
  deps: Pick<PipelineDeps, "alarms">,
): Promise<boolean> {
  if (!CLOSED_STATUSES.includes(alarm.status)) return false;
  await deps.alarms.appendEvent(alarm.id, "stage_skipped", "system", {
    stage,
    reason: { code: "alarm_closed", params: { status: alarm.status } },
  });
  return true;
}
