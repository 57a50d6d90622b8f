import type { IntakeStage } from "../types.ts";

/**
 * Acks the press, strictly after persist committed. The device retries until
 * this arrives, so a lost ack costs a retry, never an alarm. A new incident
 * also sets the device's retained feedback to `received`.
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
    if (context.createdAlarm && context.alarmId !== null) {
      await deps.devices.feedback(context.deviceId, "received", context.alarmId);
    }
    return context.createdAlarm ? "continue" : "halt";
  },
};
