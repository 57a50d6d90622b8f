/**
 * Version 17 (issue 12): nothing the hub does per alarm or every second reads
 * a table in full. The alarms table keeps every alarm ever made, so a pass
 * that scanned it grew with the district's whole history; these indexes hold
 * only the rows such a pass is looking for (or order them by what it asks).
 * - `alarms_stages_incomplete`: the pipeline's retry (every
 *   ANXIN_PIPELINE_RETRY_MS) looks for alarms whose stages are not all done.
 * - `alarms_refinement_pending`: the offer watcher (every second) looks for
 *   rankings still waiting for OSRM; only those are in the index.
 * - `alarms_unacknowledged`: the deadline watcher (every second) looks for
 *   open alarms nobody acknowledged.
 * - `alarms_follow_up`: it also looks for resolved emergencies due a
 *   follow-up visit; false alarms resolved long ago are not in the index.
 * - `alarms_open_tests`: device supervision (every scan) looks for open test
 *   alarms nobody asked for; a test alarm closes by itself, so it holds a few.
 * Released: never edit, add a migration instead.
 */
export const ALARM_PATH_INDEXES_SQL = `
CREATE INDEX alarms_stages_incomplete ON alarms(json_array_length(stages_done));
CREATE INDEX alarms_refinement_pending ON alarms(status, id)
  WHERE json_extract(dispatch_ranking, '$.refinement') = 'pending';
CREATE INDEX alarms_unacknowledged ON alarms(status, received_at) WHERE acknowledged_at IS NULL;
CREATE INDEX alarms_follow_up ON alarms(status, resolved_at)
  WHERE status = 'resolved' AND (outcome = 'real' OR follow_up_due_at IS NOT NULL);
CREATE INDEX alarms_open_tests ON alarms(id)
  WHERE kind = 'test' AND status IN ('unassigned', 'offered', 'accepted', 'on_scene');
`;
