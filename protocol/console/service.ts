/** A service press's request (an errand) as the operators' list, an alarm's detail and the worker page show it. */
import Type, { type Static } from "typebox";
import { Nullable } from "./schema-kit.ts";
import { SERVICE_REQUEST_STATUSES } from "./statuses.ts";

export const ServiceRequestSchema = Type.Object({
  id: Type.Integer(),
  alarmId: Type.Integer(),
  status: Type.Enum(SERVICE_REQUEST_STATUSES),
  receivedAt: Type.String(),
  deviceId: Type.String(),
  household: Nullable(
    Type.Object({
      id: Type.Integer(),
      code: Type.String(),
      address: Type.String(),
      lat: Nullable(Type.Number()),
      lng: Nullable(Type.Number()),
      keyHolder: Nullable(Type.String()),
      accessNotes: Nullable(Type.String()),
    }),
  ),
  grid: Nullable(Type.Object({ id: Type.Integer(), name: Nullable(Type.String()) })),
  residentName: Nullable(Type.String()),
  worker: Nullable(Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), phone: Type.String() })),
  createdAt: Type.String(),
  assignedAt: Nullable(Type.String()),
  /** `system` (routed to the grid worker) or `user:<username>`. */
  assignedBy: Nullable(Type.String()),
  doneAt: Nullable(Type.String()),
  doneBy: Nullable(Type.String()),
  cancelledAt: Nullable(Type.String()),
  cancelledBy: Nullable(Type.String()),
  note: Nullable(Type.String()),
});
export type ServiceRequestView = Static<typeof ServiceRequestSchema>;

export const ServiceCandidateSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  onDuty: Type.Boolean(),
  sameGrid: Type.Boolean(),
  distanceM: Nullable(Type.Integer()),
});
export type ServiceCandidateView = Static<typeof ServiceCandidateSchema>;
