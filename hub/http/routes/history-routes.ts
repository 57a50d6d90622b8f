/**
 * `/api/alarms/history` and `/api/alarms/history.csv`: every alarm, open or
 * closed, filtered and paged, for operators, supervisors and administrators.
 * Registered under the same prefix as `/api/alarms/:id`; find-my-way matches a
 * static segment before a parametric one, so `history` never reaches `:id`
 * (tests/alarm-history.test.ts checks it). A CSV export carries residents'
 * names and addresses, so every export is written to the audit log.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { ErrorBody, HistoryPageSchema } from "../../../protocol/console/index.ts";
import { CSV_MAX_ROWS, historyCsv } from "../../alarms/history-csv.ts";
import type { AlarmHistory } from "../../alarms/history-query.ts";
import { HistoryCsvQuery, HistoryPageQuery } from "../../alarms/history-schemas.ts";
import type { SessionService } from "../../auth/session-service.ts";
import type { UserRepository } from "../../storage/user-repo.ts";
import { assertExportFits, sendCsv } from "../csv-reply.ts";
import { ALL_STAFF, currentUser, requireRole } from "../guard.ts";

export interface HistoryRoutesOptions {
  sessions: SessionService;
  history: AlarmHistory;
  /** Where exports are audited. */
  users: UserRepository;
  /** Rows one CSV may hold (default CSV_MAX_ROWS). */
  csvMaxRows?: number;
}

const tags = ["alarms"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** The filters as given, without paging or language: what the audit row records. */
function filtersOf(query: Record<string, unknown>): Record<string, unknown> {
  const { limit: _limit, offset: _offset, lang: _lang, ...filters } = query;
  return filters;
}

export const historyRoutes: FastifyPluginAsyncTypebox<HistoryRoutesOptions> = async (app, options) => {
  const { history, users } = options;
  const maxRows = options.csvMaxRows ?? CSV_MAX_ROWS;
  app.addHook("onRequest", requireRole(options.sessions, ALL_STAFF));

  app.get(
    "/history",
    {
      schema: {
        tags,
        summary: "Alarm history: open and closed alarms, newest first, filtered, with the total for paging",
        querystring: HistoryPageQuery,
        response: { 200: HistoryPageSchema, ...errors },
      },
    },
    async (request) => {
      const { limit, offset, ...filter } = request.query;
      const total = await history.count(filter);
      const alarms = await history.list(filter, { limit, offset });
      return { total, limit, offset, timeZone: history.timeZone, alarms };
    },
  );

  app.get(
    "/history.csv",
    {
      schema: {
        tags,
        summary: `The same alarms as CSV (UTF-8 with BOM, local times), at most ${CSV_MAX_ROWS} rows`,
        querystring: HistoryCsvQuery,
        response: { 200: Type.String({ description: "text/csv" }), ...errors },
      },
    },
    async (request, reply) => {
      const { lang, ...filter } = request.query;
      const total = await history.count(filter);
      assertExportFits(total, maxRows, "alarms", "narrow the date range or filters");
      const rows = await history.list(filter, { limit: maxRows, offset: 0 });
      const user = currentUser(request);
      await users.audit(`user:${user.username}`, "alarm_history_exported", null, {
        filters: filtersOf(request.query),
        rows: rows.length,
      });
      const range = `${filter.from ?? "start"}-${filter.to ?? "now"}`;
      return sendCsv(reply, `anxin-alarms-${range}.csv`, historyCsv(rows, lang, history.timeZone));
    },
  );
};
