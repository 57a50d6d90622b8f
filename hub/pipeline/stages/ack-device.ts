import type { IntakeStage } from "../types.ts";

/**
 * Acks the press, strictly after persist committed. The device retries until
 * this arrives, so a lost ack costs a retry, never an alarm. A new or attached
 * press also sets the device's retained feedback (read from storage).
 */
export const ackDeviceStage: IntakeStage = {
  name: "ack",
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
    return context.createdAlarm ? "continue" : "halt";
  },
};
