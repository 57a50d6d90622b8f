/** The worker page's API (`/api/worker`): the worker, their duty and position, their assignment and its steps. */
import Type, { type Static } from "typebox";
import { ALARM_OUTCOMES } from "./alarms.ts";
import { AssignmentSchema, OfferSchema, ResidentHealthSchema, WorkerProfileSchema } from "./dispatch.ts";
import { Nullable } from "./schema-kit.ts";
import { UserBody } from "./session.ts";
import { ALARM_STATUSES } from "./statuses.ts";

/** `GET /api/worker/me`: the login, the worker record it is linked to, and the center's time zone. */
export const WorkerMeReply = Type.Object({ user: UserBody, worker: WorkerProfileSchema, timeZone: Type.String() });
export type WorkerMe = Static<typeof WorkerMeReply>;

/** Duty and position changes answer with the worker as they now stand. */
export const WorkerReply = Type.Object({ worker: WorkerProfileSchema });
export type WorkerReply = Static<typeof WorkerReply>;

/** `POST /api/worker/duty`. */
export const DutyBody = Type.Object({ onDuty: Type.Boolean() }, { additionalProperties: false });
export type DutyRequest = Static<typeof DutyBody>;

/** `POST /api/worker/position`. */
export const PositionBody = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    accuracyM: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type PositionRequest = Static<typeof PositionBody>;

/** `GET /api/worker/assignment`: the offer or alarm the worker has now, if any. */
export const AssignmentReply = Type.Object({ assignment: Nullable(AssignmentSchema) });
export type AssignmentReply = Static<typeof AssignmentReply>;

/** `GET /api/worker/alarms/:id/health`: the resident's health data, for the worker who accepted (audited). */
export const HealthDataReply = Type.Object({ health: ResidentHealthSchema });
export type HealthDataReply = Static<typeof HealthDataReply>;

/** Accepting or declining an offer answers with the offer. */
export const OfferReply = Type.Object({ offer: OfferSchema });
export type OfferReply = Static<typeof OfferReply>;

/** `POST /api/worker/offers/:id/decline`. */
export const DeclineBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export type DeclineRequest = Static<typeof DeclineBody>;

/** The alarm's steps as the worker moves it on (arrived, resolved). */
export const WorkerAlarmStateSchema = Type.Object({
  id: Type.Integer(),
  status: Type.Enum(ALARM_STATUSES),
  outcome: Nullable(Type.Enum(ALARM_OUTCOMES)),
  acceptedAt: Nullable(Type.String()),
  onSceneAt: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
});
export type WorkerAlarmState = Static<typeof WorkerAlarmStateSchema>;
export const WorkerAlarmReply = Type.Object({ alarm: WorkerAlarmStateSchema });
export type WorkerAlarmReply = Static<typeof WorkerAlarmReply>;

/** `POST /api/worker/alarms/:id/resolve`: a worker says what happened (required). */
export const WorkerResolveBody = Type.Object(
  {
    outcome: Type.Enum(ALARM_OUTCOMES),
    note: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type WorkerResolveRequest = Static<typeof WorkerResolveBody>;
