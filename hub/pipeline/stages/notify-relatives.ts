import type { AlarmStage } from "../types.ts";
import { skippedAsClosed } from "./closed-alarm.ts";

/**
 * Starts the relatives' cascade: the first wave's SMS go into the outbox, with
 * the cascade's first deadline, in the same transaction that marks this stage
 * done, so relatives are texted exactly once however often the stage is
 * resumed. The cascade watcher takes it from there (later waves, then calls).
 * Only emergencies reach the family; service and test presses do not.
 */
export const notifyRelativesStage: AlarmStage = {
  name: "notify_relatives",
  async run(alarm, deps, afterCommit) {
    if (alarm.kind !== "sos" || (await skippedAsClosed(alarm, "notify_relatives", deps))) return;
    afterCommit(await deps.relatives.startInStage(alarm));
  },
};
