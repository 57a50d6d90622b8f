import { decodeMessage } from "../../../protocol/index.ts";
import type { IntakeStage } from "../types.ts";

/** Decodes the payload and checks the device may raise alarms; a refusal is logged and told to the device. */
export const validateStage: IntakeStage = {
  name: "validate",
  async run(context, deps) {
    const decoded = decodeMessage("alarm", context.payload);
    if (!decoded.ok) {
      // Never the payload itself: its size and a short escaped prefix keep one refusal to one bounded line.
      const { code, message: reason, bytes, excerpt } = decoded;
      context.log.warn({ code, reason, bytes, excerpt }, "alarm message refused");
      await deps.devices.refuse(context.deviceId, {
        code: decoded.code,
        message: decoded.message,
        topic: context.topic,
      });
      return "halt";
    }
    const device = await deps.registry.findDevice(context.deviceId);
    if (device?.status !== "active") {
      const code = device ? "DEVICE_REVOKED" : "UNKNOWN_DEVICE";
      const message = device ? "this device has been revoked" : "this device is not in the registry";
      context.log.warn({ code, pressId: decoded.value.pressId }, "alarm message refused");
      await deps.devices.refuse(context.deviceId, {
        code,
        message,
        topic: context.topic,
        pressId: decoded.value.pressId,
      });
      return "halt";
    }
    context.message = decoded.value;
    context.device = device;
    return "continue";
  },
};
