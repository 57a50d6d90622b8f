/** Device faults, test requests and a device's health, as the API and the realtime push carry them. */
import Type, { type Static } from "typebox";
import type { DeviceEvent, FaultDetails } from "./device-events.ts";
import { ReasonSchema } from "./reasons.ts";
import { Nullable } from "./schema-kit.ts";
import { FAULT_KINDS, type FaultKind } from "./statuses.ts";

export const DeviceFaultSchema = Type.Object({
  id: Type.Integer(),
  deviceId: Type.String(),
  kind: Type.Enum(FAULT_KINDS),
  openedAt: Type.String(),
  clearedAt: Nullable(Type.String()),
  /** What raised it (for example the last time the device was heard from): `FaultDetails` of its kind. */
  detail: Nullable(Type.Unknown()),
  /** Why it was cleared; null while open. */
  clearReason: Nullable(ReasonSchema),
  household: Nullable(Type.Object({ code: Type.String(), address: Type.String() })),
});
export type DeviceFault = Static<typeof DeviceFaultSchema>;

/** A fault with its detail typed by kind, for readers (an older row's detail may differ: read it defensively). */
export type DeviceFaultView = {
  [K in FaultKind]: Omit<DeviceFault, "kind" | "detail"> & { kind: K; detail: FaultDetails[K] };
}[FaultKind];

export const DeviceTestSchema = Type.Object({
  id: Type.Integer(),
  requestId: Type.String(),
  deviceId: Type.String(),
  /** `manual`: a test press the hub did not ask for (the resident's test button, a simulator), recorded as it came. */
  trigger: Type.Union([Type.Literal("schedule"), Type.Literal("drill"), Type.Literal("manual")]),
  requestedBy: Type.String(),
  requestedAt: Type.String(),
  deadline: Type.String(),
  status: Type.Union([
    Type.Literal("requested"),
    Type.Literal("answered"),
    Type.Literal("completed"),
    Type.Literal("failed"),
  ]),
  /** The `test` alarm that answered the request. */
  alarmId: Nullable(Type.Integer()),
  answeredAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});
export type DeviceTest = Static<typeof DeviceTestSchema>;

export const DeviceHealthSchema = Type.Object({
  deviceId: Type.String(),
  registryStatus: Type.Union([Type.Literal("active"), Type.Literal("revoked")]),
  /** `never_seen`: provisioned, not heard from yet (not supervised until then). */
  health: Type.Union([Type.Literal("ok"), Type.Literal("fault"), Type.Literal("never_seen"), Type.Literal("revoked")]),
  online: Type.Boolean(),
  lastSeenAt: Nullable(Type.String()),
  silentForS: Nullable(Type.Integer()),
  heartbeatIntervalS: Type.Integer(),
  battery: Nullable(Type.Integer()),
  firmware: Nullable(Type.String()),
  openFaults: Type.Array(DeviceFaultSchema),
  recentFaults: Type.Array(DeviceFaultSchema),
  lastTest: Nullable(DeviceTestSchema),
  nextTestDueAt: Nullable(Type.String()),
  /** Newest first; permissive on the wire (older rows may differ): `DeviceHealthView` types them. */
  events: Type.Array(
    Type.Object({ at: Type.String(), type: Type.String(), actor: Type.String(), detail: Nullable(Type.Unknown()) }),
  ),
});
export type DeviceHealth = Static<typeof DeviceHealthSchema>;

/** The health with its history typed by event (device-events.ts); older rows may differ, so read defensively. */
export type DeviceHealthView = Omit<DeviceHealth, "events"> & { events: DeviceEvent[] };

/** `GET /api/devices/faults`: faults newest first (`open=true`: only those not cleared yet). */
export const DeviceFaultListSchema = Type.Object({ faults: Type.Array(DeviceFaultSchema) });
export type DeviceFaultList = Static<typeof DeviceFaultListSchema>;

/** `POST /api/devices/:id/test` (202): the test request, and whether this call made it (false: one was pending). */
export const DrillReplySchema = Type.Object({ test: DeviceTestSchema, created: Type.Boolean() });
export type DrillReply = Static<typeof DrillReplySchema>;
