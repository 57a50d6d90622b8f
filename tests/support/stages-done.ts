/**
 * For alarms a test writes straight into SQLite as history: every post-storage
 * stage marked done, as a finished alarm has it. An alarm written with
 * `stages_done` empty looks to the hub like one whose stages a crash
 * interrupted, and the pipeline resumes it: it would be located, ranked and
 * given a clinic under the test's feet (a clinic the test then cannot delete).
 */
import { ALARM_STAGES } from "../../hub/pipeline/alarm-pipeline.ts";

export const ALL_STAGES_DONE = JSON.stringify(ALARM_STAGES.map((stage) => stage.name));
