import type { AlarmEventDetails } from "../../../protocol/console/index.ts";
import type { AlarmRow } from "../../storage/alarm-repo.ts";
import type { AlarmStage } from "../types.ts";

function unlocatedReason(alarm: AlarmRow): AlarmEventDetails["unlocated"]["reason"] {
  if (alarm.device_id !== null) return { code: "device_unbound", params: { deviceId: alarm.device_id } };
  return alarm.caller === null
    ? { code: "caller_withheld", params: {} }
    : { code: "caller_unknown", params: { caller: alarm.caller } };
}

/**
 * Finds the household and resident behind the button, and records where help must go. A phone call's
 * household was found by its caller ID when the call was stored (hub/pipeline/call-intake.ts), or set
 * by an operator placing the alarm by hand.
 */
export const locateStage: AlarmStage = {
  name: "locate",
  async run(alarm, deps) {
    // A button's household is its device's; an operator may also have placed the alarm by hand
    // (hub/alarms/alarm-placement.ts), for a call or a button bound to no household.
    const householdId =
      alarm.device_id === null
        ? alarm.household_id
        : ((await deps.registry.findDevice(alarm.device_id))?.household_id ?? alarm.household_id);
    const household = householdId ? await deps.registry.household(householdId) : undefined;
    if (!household) {
      await deps.alarms.setLocation(alarm.id, null, null);
      await deps.alarms.appendEvent(alarm.id, "unlocated", "system", { reason: unlocatedReason(alarm) });
      return;
    }
    const resident = await deps.registry.primaryResident(household.id);
    await deps.alarms.setLocation(alarm.id, household.id, resident?.id ?? null);
    const grid = household.grid_id ? await deps.registry.grid(household.grid_id) : undefined;
    await deps.alarms.appendEvent(alarm.id, "located", "system", {
      household: household.code,
      address: household.address,
      lat: household.lat,
      lng: household.lng,
      grid: grid?.name ?? null,
      resident: resident?.name ?? null,
    });
  },
};
