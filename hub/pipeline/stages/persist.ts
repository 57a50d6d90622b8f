import type { DeviceCancel } from "../../alarms/lifecycle-service.ts";
import type { IntakeStage } from "../types.ts";

/**
 * Stores the press and its incident in one transaction (WAL, synchronous=FULL):
 * the ack that follows is a promise that this commit reached the disk.
 *
 * - A cancel press does not open an incident. Within the cancel window of the
 *   device's open alarm it cancels that alarm (a false alarm), in the same
 *   transaction; later it is recorded as `cancel_requested` for the operator.
 * - A further sos or service press while the device has an open SOS (or a
 *   service press on an open service call) attaches to it: no second incident,
 *   its press count and priority go up, and the ack carries the open alarm's id.
 */
export const persistStage: IntakeStage = {
  name: "persist",
  async run(context, deps) {
    if (context.duplicate) return "continue";
    const message = context.message;
    if (!message) return "halt";
    const receivedAt = context.receivedAt.toISOString();
    const actor = `device:${context.deviceId}`;
    // Filled inside the transaction, acted on once it committed.
    const outcome: { cancel: DeviceCancel | null; attached: boolean } = { cancel: null, attached: false };
    deps.db.transaction(() => {
      const open = deps.alarms.openAlarmForDevice(context.deviceId);
      if (message.kind === "cancel") {
        context.alarmId = open?.id ?? null;
        deps.alarms.insertPress(context.deviceId, message, receivedAt, context.alarmId);
        if (!open) return;
        deps.alarms.appendEvent(open.id, "cancel_requested", actor, { pressId: message.pressId }, receivedAt);
        outcome.cancel = deps.lifecycle.cancelFromDeviceInTransaction(open, context.deviceId, receivedAt);
        return;
      }
      // An SOS never disappears into an open service call: it opens its own incident and is dispatched.
      const attaches = open?.kind === "sos" ? message.kind !== "test" : open?.kind === message.kind;
      if (open && attaches && message.kind !== "test") {
        context.alarmId = open.id;
        deps.alarms.insertPress(context.deviceId, message, receivedAt, open.id);
        deps.lifecycle.attachPressInTransaction(open, context.deviceId, message.pressId, receivedAt);
        outcome.attached = true;
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
    if (context.alarmId === null) return "continue";
    if (outcome.cancel !== null) {
      await deps.lifecycle.afterDeviceCancel(outcome.cancel);
    } else if (message.kind === "cancel") {
      deps.bus.emit("alarm.changed", { alarmId: context.alarmId, change: "cancel_requested" });
    } else if (outcome.attached) {
      deps.bus.emit("alarm.changed", { alarmId: context.alarmId, change: "pressed_again" });
    }
    return "continue";
  },
};
