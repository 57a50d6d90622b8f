import type { IntakeStage } from "../types.ts";

/**
 * Stores the press and its incident in one transaction (WAL, synchronous=FULL):
 * the ack that follows is a promise that this commit reached the disk.
 * A cancel press does not open an incident; it is recorded on the device's open
 * alarm for the operator to see.
 */
export const persistStage: IntakeStage = {
  name: "persist",
  run(context, deps) {
    if (context.duplicate) return "continue";
    const message = context.message;
    if (!message) return "halt";
    const receivedAt = context.receivedAt.toISOString();
    const actor = `device:${context.deviceId}`;
    deps.db.transaction(() => {
      if (message.kind === "cancel") {
        const open = deps.alarms.openAlarmForDevice(context.deviceId);
        context.alarmId = open?.id ?? null;
        deps.alarms.insertPress(context.deviceId, message, receivedAt, context.alarmId);
        if (open) deps.alarms.appendEvent(open.id, "cancel_requested", actor, { pressId: message.pressId }, receivedAt);
        return;
      }
      const alarmId = deps.alarms.insertAlarm(context.deviceId, message.kind, receivedAt);
      deps.alarms.insertPress(context.deviceId, message, receivedAt, alarmId);
      deps.alarms.appendEvent(
        alarmId,
        "received",
        actor,
        { pressId: message.pressId, kind: message.kind, battery: message.battery, attempt: message.attempt ?? 1 },
        receivedAt,
      );
      context.alarmId = alarmId;
      context.createdAlarm = true;
    })();
    deps.registry.markDeviceSeen(context.deviceId, receivedAt, message.battery, null);
    context.log.info({ alarmId: context.alarmId, kind: message.kind, pressId: message.pressId }, "press stored");
    if (message.kind === "cancel" && context.alarmId !== null) {
      deps.bus.emit("alarm.changed", { alarmId: context.alarmId, change: "cancel_requested" });
    }
    return "continue";
  },
};
