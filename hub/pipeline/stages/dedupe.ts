import type { StoringIntakeStage } from "../types.ts";

/**
 * A retried press (same press id) is the same press: it gets its ack again, never a second incident.
 * It runs in the press's savepoint of the group commit, after every press submitted before it: a retry
 * that lands in the same batch as its original sees the original's rows, and its ack (`duplicate`)
 * waits for the commit that stores the original.
 */
export const dedupeStage: StoringIntakeStage = {
  name: "dedupe",
  stores: true,
  async run(context, deps) {
    const pressId = context.message?.pressId;
    if (!pressId) return "halt";
    const stored = await deps.alarms.findPress(context.deviceId, pressId);
    if (stored) {
      context.duplicate = true;
      context.alarmId = stored.alarm_id;
      context.log.info({ pressId, alarmId: stored.alarm_id }, "retried press recognised; acking again");
    }
    return "continue";
  },
};
