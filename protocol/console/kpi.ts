/**
 * The KPI report (`GET /api/kpi`, built by hub/kpi/kpi-service.ts): per local day, per grid and in
 * total. Rates are fractions (null when there is nothing to divide), times seconds.
 */
import Type, { type Static } from "typebox";
import { Nullable } from "./schema-kit.ts";

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

export const KpiDaySchema = Type.Object({ date: Type.String(), ...Figures });
export type KpiDayRow = Static<typeof KpiDaySchema>;

export const KpiGridSchema = Type.Object({
  gridId: Nullable(Type.Integer()),
  code: Nullable(Type.String()),
  name: Nullable(Type.String()),
  ...Figures,
});
export type KpiGridRow = Static<typeof KpiGridSchema>;

export const KpiReportSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  timeZone: Type.String(),
  gridId: Nullable(Type.Integer()),
  ackTarget: Type.Number(),
  days: Type.Array(KpiDaySchema),
  grids: Type.Array(KpiGridSchema),
  totals: Type.Object(Figures),
});
export type KpiReport = Static<typeof KpiReportSchema>;
