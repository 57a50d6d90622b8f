/**
 * The registry's map (grids, standard addresses), its call buttons and its
 * responders (community workers, clinics): the bodies `/api/registry/...`
 * takes and what the hub answers. Households and residents: households.ts.
 */
import Type, { type Static } from "typebox";
import { DEVICE_ID_PATTERN } from "../topics.ts";
import {
  Address,
  Code,
  GridRefSchema,
  Latitude,
  ListQuerystring,
  Longitude,
  Name,
  Note,
  Phone,
  pageOf,
  patchOf,
  strictObject,
  Tags,
  WeeklySchedule,
} from "./registry-fields.ts";
import { Nullable } from "./schema-kit.ts";

/** The outer shape only; `hub/registry/geometry.ts` checks each ring and names the position that is wrong. */
const PolygonBody = strictObject({
  type: Type.Enum(["Polygon", "MultiPolygon"]),
  coordinates: Type.Array(Type.Unknown(), {
    minItems: 1,
    description: "GeoJSON (RFC 7946): closed rings of [lng, lat] positions",
  }),
});

export const GridCreateBody = strictObject({
  code: Code,
  name: Name,
  leaderName: Type.Optional(Nullable(Name)),
  leaderPhone: Type.Optional(Nullable(Phone)),
  polygon: PolygonBody,
});
export const GridPatchBody = patchOf(GridCreateBody);

export const GridSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  leaderName: Nullable(Type.String()),
  leaderPhone: Nullable(Type.String()),
  polygon: Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }),
});
export type GridView = Static<typeof GridSchema>;
export const GridPage = pageOf(GridSchema);

export const GazetteerCreateBody = strictObject({
  address: Address,
  lat: Latitude,
  lng: Longitude,
  source: Type.Optional(Nullable(Note(100))),
});
export const GazetteerPatchBody = patchOf(GazetteerCreateBody);

export const GazetteerSchema = Type.Object({
  id: Type.Integer(),
  address: Type.String(),
  lat: Type.Number(),
  lng: Type.Number(),
  source: Nullable(Type.String()),
});
export type GazetteerView = Static<typeof GazetteerSchema>;
export const GazetteerPage = pageOf(GazetteerSchema);

const DeviceId = Type.String({ pattern: DEVICE_ID_PATTERN });
export const DeviceParams = Type.Object({ id: DeviceId });

export const DeviceProvisionBody = strictObject({
  id: DeviceId,
  householdId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
});
export type DeviceProvision = Static<typeof DeviceProvisionBody>;
export const DeviceBindBody = strictObject({
  householdId: Nullable(Type.Integer({ minimum: 1, description: "null unbinds the device" })),
});
export type DeviceBind = Static<typeof DeviceBindBody>;
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
export type DeviceView = Static<typeof DeviceSchema>;
export const DevicePage = pageOf(DeviceSchema);
export const DeviceWithSecretSchema = Type.Object({
  device: DeviceSchema,
  secret: Type.String({ description: "shown this once; the hub keeps only its hash" }),
});
export type DeviceWithSecret = Static<typeof DeviceWithSecretSchema>;

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
export type WorkerView = Static<typeof WorkerSchema>;
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
export type ClinicView = Static<typeof ClinicSchema>;
export const ClinicPage = pageOf(ClinicSchema);
