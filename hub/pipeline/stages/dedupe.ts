import type { IntakeStage } from "../types.ts";

/** A retried press (same press id) is the same press: it gets its ack again, never a second incident. */
export const dedupeStage: IntakeStage = {
  name: "dedupe",
  run(context, deps) {
    const pressId = context.message?.pressId;
    if (!pressId) return "halt";
    const stored = deps.alarms.findPress(context.deviceId, pressId);
    if (stored) {
      context.duplicate = true;
      context.alarmId = stored.alarm_id;
      context.log.info({ pressId, alarmId: stored.alarm_id }, "retried press recognised; acking again");
    }
    return "continue";
  },
};
