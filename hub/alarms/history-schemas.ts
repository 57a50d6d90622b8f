/**
 * The queries of `/api/alarms/history` (validated by fastify, so a bad value is
 * a 400 VALIDATION_FAILED naming the field). The page and its rows are the
 * console's contract (protocol/console/history.ts).
 */

import Type from "typebox";
import { ALARM_STATUSES, HISTORY_KINDS, HISTORY_OUTCOMES } from "../../protocol/console/index.ts";

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
