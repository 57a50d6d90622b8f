/**
 * The hub↔console contract: the shape of every answer the operator console and
 * the worker page read, and of every realtime frame, as TypeBox schemas (the
 * hub's routes validate and serialise against them) and the static types the
 * dashboard's JSDoc imports (tsconfig.dashboard.json checks it against them).
 * Like the device contract beside it, it imports nothing of the hub.
 */
export * from "./accounts.ts";
export * from "./alarm-panel.ts";
export * from "./alarms.ts";
export * from "./audit.ts";
export * from "./calls.ts";
export * from "./cascade.ts";
export * from "./device-events.ts";
export * from "./devices.ts";
export * from "./dispatch.ts";
export * from "./events.ts";
export * from "./history.ts";
export * from "./households.ts";
export * from "./kpi.ts";
export * from "./map.ts";
export * from "./realtime.ts";
export * from "./reasons.ts";
export * from "./registry.ts";
export * from "./registry-fields.ts";
export * from "./schema-kit.ts";
export * from "./service.ts";
export * from "./session.ts";
export * from "./statuses.ts";
export * from "./worker.ts";
