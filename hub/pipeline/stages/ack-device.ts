import type { IntakeStage } from "../types.ts";

/**
 * Acks the press, strictly after persist committed. The device retries until
 * this arrives, so a lost ack costs a retry, never an alarm. A new or attached
 * press also sets the device's retained feedback (read from storage).
 *
 * A new alarm is also on the consoles from here ("received", shown as
 * locating): operators see it at once, not after it is located, texted and
 * offered. In a burst those stages run seconds behind the acks (issue 12, P3),
 * and an alarm whose stages keep failing must not be one nobody sees.
 */
export const ackDeviceStage: IntakeStage = {
  name: "ack",
  acks: true,
  async run(context, deps) {
    const message = context.message;
    if (!message) return "halt";
    await deps.devices.ack(context.deviceId, {
      pressId: message.pressId,
      alarmId: context.alarmId,
      duplicate: context.duplicate,
    });
    // A press that attached to an open incident sets the feedback too: it may come from another button
    // of the household, which from now on shows how that incident stands.
    if (context.alarmId !== null && message.kind !== "cancel") {
      await deps.devices.feedback(context.deviceId, "received", context.alarmId);
    }
    if (context.createdAlarm && context.alarmId !== null) {
      deps.bus.emit("alarm.changed", { alarmId: context.alarmId, change: "received" });
    }
    return context.createdAlarm ? "continue" : "halt";
  },
};
