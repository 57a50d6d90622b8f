/** What the console is shown of the calls operators placed from an alarm (hub/voice/console-calls.ts). */

import type { ConsoleCallView } from "../../protocol/console/index.ts";
import type { ConsoleCallListRow } from "../storage/console-call-repo.ts";

export function consoleCallView(row: ConsoleCallListRow): ConsoleCallView {
  return {
    id: Number(row.id),
    at: row.created_at,
    by: row.username,
    target: row.target,
    name: row.callee_name,
    operatorLeg: { outbox: row.outbox_status, status: row.operator_leg_status },
    status: row.callee_status,
    statusAt: row.callee_status_at,
    durationS: row.duration_s === null ? null : Number(row.duration_s),
    mark: row.mark,
    markedBy: row.marked_by_username,
    markedAt: row.marked_at,
    recorded: row.recording_url !== null,
    recordingDurationS: row.recording_duration_s === null ? null : Number(row.recording_duration_s),
  };
}
