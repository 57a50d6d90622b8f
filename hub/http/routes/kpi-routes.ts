/**
 * `/api/kpi` and `/api/kpi.csv`: the command center's performance figures for
 * a range of local days (ANXIN_TIME_ZONE), per day, per grid and in total.
 * Operators, supervisors and administrators may read them; community workers
 * may not (they see only their own offers).
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { ErrorBody, KpiReportSchema } from "../../../protocol/console/index.ts";
import type { SessionService } from "../../auth/session-service.ts";
import { kpiCsv } from "../../kpi/kpi-csv.ts";
import type { KpiService } from "../../kpi/kpi-service.ts";
import { sendCsv } from "../csv-reply.ts";
import { ALL_STAFF, requireRole } from "../guard.ts";

export interface KpiRoutesOptions {
  sessions: SessionService;
  kpi: KpiService;
}

const DATE = "^\\d{4}-\\d{2}-\\d{2}$";
const KpiQuery = Type.Object({
  from: Type.String({ pattern: DATE, description: "first local day, YYYY-MM-DD" }),
  to: Type.String({ pattern: DATE, description: "last local day (included), at most 366 days after from" }),
  gridId: Type.Optional(Type.Integer({ minimum: 1, description: "only this grid's households" })),
});
const tags = ["kpi"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

export const kpiRoutes: FastifyPluginAsyncTypebox<KpiRoutesOptions> = async (app, options) => {
  const { kpi } = options;
  // onRequest: an anonymous caller gets 401 and a worker 403 before the range is even looked at.
  app.addHook("onRequest", requireRole(options.sessions, ALL_STAFF));

  app.get(
    "/kpi",
    {
      schema: {
        tags,
        summary: "KPIs per local day, per grid and in total (rates are fractions, times seconds)",
        querystring: KpiQuery,
        response: { 200: KpiReportSchema, ...errors },
      },
    },
    async (request) => kpi.report(request.query),
  );

  app.get(
    "/kpi.csv",
    {
      schema: {
        tags,
        summary: "The same KPIs as CSV (UTF-8 with BOM): day rows, grid rows, a total row",
        querystring: KpiQuery,
        response: { 200: Type.String({ description: "text/csv" }), ...errors },
      },
    },
    async (request, reply) => {
      const { from, to, gridId } = request.query;
      const report = await kpi.report(request.query);
      const name = `anxin-kpi-${from}-${to}${gridId ? `-grid${gridId}` : ""}.csv`;
      return sendCsv(reply, name, kpiCsv(report));
    },
  );
};
