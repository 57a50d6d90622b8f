import type { AlarmStage } from "../types.ts";

/** Tells every open console about the alarm; the realtime layer reads the stored row and pushes it. */
export const publishDashboardsStage: AlarmStage = {
  name: "publish_dashboards",
  run(alarm, deps) {
    deps.bus.emit("alarm.changed", { alarmId: alarm.id, change: "created" });
  },
};
