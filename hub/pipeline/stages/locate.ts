import type { AlarmStage } from "../types.ts";

/** Finds the household and resident behind the button, and records where help must go. */
export const locateStage: AlarmStage = {
  name: "locate",
  async run(alarm, deps) {
    const device = await deps.registry.findDevice(alarm.device_id);
    const household = device?.household_id ? await deps.registry.household(device.household_id) : undefined;
    if (!household) {
      await deps.alarms.setLocation(alarm.id, null, null);
      await deps.alarms.appendEvent(alarm.id, "unlocated", "system", { reason: "device is not bound to a household" });
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
