/** What the console is shown of the calls operators placed from an alarm (hub/voice/console-calls.ts). */
import Type, { type Static } from "typebox";
import type { ConsoleCallListRow } from "../storage/console-call-repo.ts";

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Whom an operator can call from an alarm's detail. */
export const CallTargetSchema = Type.Union([
  Type.Literal("resident"),
  Type.Literal("landline"),
  Type.Literal("relative"),
  Type.Literal("worker"),
  Type.Literal("key_holder"),
]);

/** The result an operator marks after a call. */
export const CallMarkSchema = Type.Union([
  Type.Literal("resident_ok"),
  Type.Literal("resident_needs_help"),
  Type.Literal("no_answer"),
  Type.Literal("relative_reached"),
]);

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

export function consoleCallView(row: ConsoleCallListRow): ConsoleCallView {
  return {
    id: Number(row.id),
    at: row.created_at,
    by: row.username,
    target: row.target,
    name: row.callee_name,
    operatorLeg: { outbox: row.outbox_status, status: row.operator_leg_status },
    status: row.callee_status,
    statusAt: row.callee_status_at,
    durationS: row.duration_s === null ? null : Number(row.duration_s),
    mark: row.mark,
    markedBy: row.marked_by_username,
    markedAt: row.marked_at,
    recorded: row.recording_url !== null,
    recordingDurationS: row.recording_duration_s === null ? null : Number(row.recording_duration_s),
  };
}
