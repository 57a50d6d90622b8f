/**
 * What the console's alarm detail panel asks the hub for beside the detail itself: the
 * resident card's health data and access notes (its own request, because every answer
 * showing health data is an audited view), the overdue list that flags a late follow-up
 * visit, and the household an operator places an unlocated alarm at.
 */
import Type, { type Static } from "typebox";
import { AlarmSummarySchema } from "./alarms.ts";
import { Nullable } from "./schema-kit.ts";

/** `GET /api/alarms/:id/resident`'s `resident` (hub/alarms/alarm-resident.ts). */
export const AlarmResidentSchema = Type.Object({
  alarmId: Type.Integer(),
  residentId: Type.Integer(),
  name: Type.String(),
  conditions: Nullable(Type.String()),
  medications: Nullable(Type.String()),
  allergies: Nullable(Type.String()),
  mobility: Nullable(Type.String()),
  /** True when the caller's role may not see health data: the four fields above are then null. */
  healthRedacted: Type.Boolean(),
  keyHolder: Nullable(Type.String()),
  accessNotes: Nullable(Type.String()),
});
export type AlarmResidentView = Static<typeof AlarmResidentSchema>;

export const AlarmResidentReplySchema = Type.Object({ resident: AlarmResidentSchema });
export type AlarmResidentReply = Static<typeof AlarmResidentReplySchema>;

/** `GET /api/alarms/overdue`: alarms past their resolution deadline, resolved alarms past their follow-up date. */
export const OverdueListSchema = Type.Object({
  overdue: Type.Array(
    Type.Object({
      kind: Type.Union([Type.Literal("resolution"), Type.Literal("follow_up")]),
      dueAt: Type.String(),
      alarm: AlarmSummarySchema,
    }),
  ),
});
export type OverdueList = Static<typeof OverdueListSchema>;
export type OverdueEntry = OverdueList["overdue"][number];

/** `POST /api/alarms/:id/place`'s body: the household an operator learned on the phone. */
export const PlaceAlarmBody = Type.Object(
  {
    householdId: Type.Integer({ minimum: 1 }),
    /** Keep the caller's number as the primary resident's phone or the household's landline; null: do not. */
    rememberAs: Type.Optional(
      Type.Union([Type.Literal("resident_phone"), Type.Literal("landline"), Type.Null()], { default: null }),
    ),
  },
  { additionalProperties: false },
);
export type PlaceAlarm = Static<typeof PlaceAlarmBody>;
