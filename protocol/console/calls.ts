/** The calls operators place from an alarm's detail (hub/voice/console-calls.ts), as the console is shown them. */
import Type, { type Static } from "typebox";
import { Nullable } from "./schema-kit.ts";

/** Whom an operator can call from an alarm's detail. */
export const CallTargetSchema = Type.Union([
  Type.Literal("resident"),
  Type.Literal("landline"),
  Type.Literal("relative"),
  Type.Literal("worker"),
  Type.Literal("key_holder"),
]);
export type CallTarget = Static<typeof CallTargetSchema>;

/** The result an operator marks after a call. */
export const CallMarkSchema = Type.Union([
  Type.Literal("resident_ok"),
  Type.Literal("resident_needs_help"),
  Type.Literal("no_answer"),
  Type.Literal("relative_reached"),
]);
export type CallMark = Static<typeof CallMarkSchema>;

/** `POST /api/alarms/:id/calls`: whom to call (the hub finds the number; the operator never types one). */
export const PlaceCallBody = Type.Object(
  {
    target: CallTargetSchema,
    /** With target `relative`: which one. */
    relativeId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type PlaceCall = Static<typeof PlaceCallBody>;

/** `POST /api/alarms/:id/calls/:callId/mark`: the call's result, one click. */
export const MarkCallBody = Type.Object({ mark: CallMarkSchema }, { additionalProperties: false });
export type MarkCall = Static<typeof MarkCallBody>;

export const ConsoleCallSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  /** The operator who placed it. */
  by: Type.String(),
  target: CallTargetSchema,
  name: Type.String(),
  /** The operator's own phone: the outbox's state, then Twilio's status of that leg. */
  operatorLeg: Type.Object({ outbox: Nullable(Type.String()), status: Nullable(Type.String()) }),
  /** The callee's leg: initiated, ringing, in-progress, then completed, busy, no-answer, failed or canceled. */
  status: Nullable(Type.String()),
  statusAt: Nullable(Type.String()),
  durationS: Nullable(Type.Integer()),
  mark: Nullable(CallMarkSchema),
  markedBy: Nullable(Type.String()),
  markedAt: Nullable(Type.String()),
  /** A recording exists (supervisors can play it: GET …/calls/:callId/recording). */
  recorded: Type.Boolean(),
  recordingDurationS: Nullable(Type.Integer()),
});
export type ConsoleCallView = Static<typeof ConsoleCallSchema>;

/** `POST /api/alarms/:id/calls`: the call is being placed (its progress comes on the timeline). */
export const CallPlacedReply = Type.Object({ callId: Type.Integer() });
