/** The KPI report's wire shape, for the API docs and fast serialization. Mirrors kpi-service.ts. */
import Type from "typebox";

const Count = Type.Integer({ minimum: 0 });
const Rate = Type.Union([Type.Number(), Type.Null()], { description: "fraction 0…1; null when nothing to divide" });
const Seconds = Type.Union([Type.Number(), Type.Null()]);
const StageTimes = Type.Object({ n: Count, median: Seconds, p90: Seconds });

const Figures = {
  alarms: Count,
  byKind: Type.Object({ sos: Count, service: Count, test: Count }),
  byOutcome: Type.Object({ real: Count, false_alarm: Count, test: Count, none: Count }),
  ackWithin60s: Rate,
  stages: Type.Object({ ack: StageTimes, accept: StageTimes, onScene: StageTimes, resolve: StageTimes }),
  closureRate: Rate,
  followUpRate: Rate,
  falseAlarmRate: Rate,
  faults: Type.Object({ offline: Count, silent: Count, low_battery: Count, test_failed: Count }),
};
const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const KpiReportSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  timeZone: Type.String(),
  gridId: Nullable(Type.Integer()),
  ackTarget: Type.Number(),
  days: Type.Array(Type.Object({ date: Type.String(), ...Figures })),
  grids: Type.Array(
    Type.Object({
      gridId: Nullable(Type.Integer()),
      code: Nullable(Type.String()),
      name: Nullable(Type.String()),
      ...Figures,
    }),
  ),
  totals: Type.Object(Figures),
});
