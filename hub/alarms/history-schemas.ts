/**
 * The shapes of `/api/alarms/history`: the query (validated by fastify, so a
 * bad value is a 400 VALIDATION_FAILED naming the field) and one row. A row is
 * flat on purpose: it is also one CSV line.
 */

import Type, { type Static } from "typebox";
import { ALARM_STATUSES } from "../../protocol/console/index.ts";

export const HISTORY_KINDS = ["sos", "service", "test"] as const;
/** `none`: no outcome yet (open, or cancelled by the resident). */
export const HISTORY_OUTCOMES = ["real", "false_alarm", "test", "none"] as const;

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DATE = "^\\d{4}-\\d{2}-\\d{2}$";
const Literals = (values: readonly string[], options: { description?: string } = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );

export const HistoryFilterQuery = Type.Object({
  from: Type.Optional(Type.String({ pattern: DATE, description: "first local day (ANXIN_TIME_ZONE), YYYY-MM-DD" })),
  to: Type.Optional(Type.String({ pattern: DATE, description: "last local day, included" })),
  gridId: Type.Optional(Type.Integer({ minimum: 1, description: "only this grid's households" })),
  kind: Type.Optional(Literals(HISTORY_KINDS)),
  outcome: Type.Optional(Literals(HISTORY_OUTCOMES, { description: "none: no outcome (open, cancelled)" })),
  status: Type.Optional(Literals(["open", "closed", ...ALARM_STATUSES])),
  q: Type.Optional(
    Type.String({
      maxLength: 100,
      description: "resident name, household code or address, device id (substring), or alarm id",
    }),
  ),
});

export const HistoryPageQuery = Type.Intersect([
  HistoryFilterQuery,
  Type.Object({
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  }),
]);

export const HistoryCsvQuery = Type.Intersect([
  HistoryFilterQuery,
  Type.Object({
    lang: Type.Union([Type.Literal("en"), Type.Literal("zh-CN")], {
      default: "en",
      description: "language of the header row",
    }),
  }),
]);

export const HistoryRowSchema = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  status: Type.String(),
  outcome: Nullable(Type.String()),
  /** Null for an alarm a phone call raised. */
  deviceId: Nullable(Type.String()),
  receivedAt: Type.String(),
  acknowledgedAt: Nullable(Type.String()),
  onSceneAt: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  cancelledAt: Nullable(Type.String()),
  residentName: Nullable(Type.String()),
  householdCode: Nullable(Type.String()),
  householdAddress: Nullable(Type.String()),
  gridId: Nullable(Type.Integer()),
  gridCode: Nullable(Type.String()),
  gridName: Nullable(Type.String()),
  workerName: Nullable(Type.String()),
  /** Seconds from received to acknowledged, to someone on scene, and to resolved (or cancelled). */
  ackS: Nullable(Type.Integer()),
  arrivalS: Nullable(Type.Integer()),
  resolutionS: Nullable(Type.Integer()),
});
export type HistoryRow = Static<typeof HistoryRowSchema>;

export const HistoryPageSchema = Type.Object({
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  timeZone: Type.String(),
  alarms: Type.Array(HistoryRowSchema),
});
