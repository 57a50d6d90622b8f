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

/** `GET /api/service-requests` and the worker's `GET /api/worker/service-requests`: newest first. */
export const ServiceRequestListReply = Type.Object({ serviceRequests: Type.Array(ServiceRequestSchema) });
export type ServiceRequestList = Static<typeof ServiceRequestListReply>;

/** One request, and what assigning it or marking it done answers with: the request as it now stands. */
export const ServiceRequestReply = Type.Object({ serviceRequest: ServiceRequestSchema });
export type ServiceRequestReply = Static<typeof ServiceRequestReply>;

/** `GET /api/service-requests/:id/candidates`: workers to assign it to, in the router's order. */
export const ServiceCandidatesReply = Type.Object({ workers: Type.Array(ServiceCandidateSchema) });
export type ServiceCandidates = Static<typeof ServiceCandidatesReply>;

/** `POST /api/service-requests/:id/assign`: assign, or re-assign, to a worker. */
export const ServiceAssignBody = Type.Object(
  { workerId: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export type ServiceAssignRequest = Static<typeof ServiceAssignBody>;

/** Marking a request done (the operator's or the worker's own): an optional note. The body itself may be absent. */
export const ServiceDoneBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export type ServiceDoneRequest = Static<typeof ServiceDoneBody>;
