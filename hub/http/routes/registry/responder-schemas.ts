/** Schemas of devices, community workers and clinics. */
import Type from "typebox";
import { DEVICE_ID_PATTERN } from "../../../../protocol/index.ts";
import {
  Address,
  Code,
  GridRefSchema,
  Latitude,
  ListQuerystring,
  Longitude,
  Name,
  Nullable,
  Phone,
  pageOf,
  patchOf,
  strictObject,
  Tags,
  WeeklySchedule,
} from "./shared-schemas.ts";

const DeviceId = Type.String({ pattern: DEVICE_ID_PATTERN });
export const DeviceParams = Type.Object({ id: DeviceId });

export const DeviceProvisionBody = strictObject({
  id: DeviceId,
  householdId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
});
export const DeviceBindBody = strictObject({
  householdId: Nullable(Type.Integer({ minimum: 1, description: "null unbinds the device" })),
});
export const DeviceListQuery = Type.Object({
  ...ListQuerystring.properties,
  status: Type.Optional(Type.Enum(["active", "revoked"])),
  householdId: Type.Optional(Type.Integer({ minimum: 1 })),
});

export const DeviceSchema = Type.Object({
  id: Type.String(),
  household: Nullable(Type.Object({ id: Type.Integer(), code: Type.String(), address: Type.String() })),
  status: Type.Enum(["active", "revoked"]),
  online: Type.Boolean(),
  lastSeenAt: Nullable(Type.String()),
  battery: Nullable(Type.Integer()),
  firmware: Nullable(Type.String()),
  createdAt: Type.String(),
  revokedAt: Nullable(Type.String()),
  secretRotatedAt: Nullable(Type.String()),
});
export const DevicePage = pageOf(DeviceSchema);
export const DeviceWithSecretSchema = Type.Object({
  device: DeviceSchema,
  secret: Type.String({ description: "shown this once; the hub keeps only its hash" }),
});

const Position = strictObject({
  lat: Latitude,
  lng: Longitude,
  at: Type.Optional(Type.String({ format: "date-time", description: "default: now" })),
});

export const WorkerCreateBody = strictObject({
  code: Code,
  name: Name,
  phone: Phone,
  gridId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  skills: Type.Optional(Tags),
  shifts: Type.Optional(WeeklySchedule),
  onDuty: Type.Optional(Type.Boolean()),
  position: Type.Optional(Nullable(Position)),
});
export const WorkerPatchBody = patchOf(WorkerCreateBody);
export const WorkerListQuery = Type.Object({
  ...ListQuerystring.properties,
  gridId: Type.Optional(Type.Integer({ minimum: 1 })),
  onDuty: Type.Optional(Type.Boolean()),
});

export const WorkerSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  phone: Type.String(),
  grid: Nullable(GridRefSchema),
  skills: Type.Array(Type.String()),
  shifts: WeeklySchedule,
  onDuty: Type.Boolean(),
  position: Nullable(Type.Object({ lat: Type.Number(), lng: Type.Number(), at: Nullable(Type.String()) })),
});
export const WorkerPage = pageOf(WorkerSchema);

export const ClinicCreateBody = strictObject({
  code: Code,
  name: Name,
  phone: Phone,
  address: Address,
  lat: Type.Optional(Latitude),
  lng: Type.Optional(Longitude),
  capabilities: Type.Optional(Tags),
  hours: Type.Optional(WeeklySchedule),
});
export const ClinicPatchBody = patchOf(ClinicCreateBody);

export const ClinicSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  phone: Type.String(),
  address: Type.String(),
  lat: Type.Number(),
  lng: Type.Number(),
  capabilities: Type.Array(Type.String()),
  hours: WeeklySchedule,
});
export const ClinicPage = pageOf(ClinicSchema);
