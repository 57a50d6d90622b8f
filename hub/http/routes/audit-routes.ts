/**
 * `/api/audit` and `/api/audit.csv`: the audit log, for supervisors and
 * administrators only (operators' own actions are in it; they do not review
 * them). Looking at the log and exporting it are audited too, after the read,
 * so the page shows the log as it was when asked.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { AuditPageSchema, ErrorBody } from "../../../protocol/console/index.ts";
import { CSV_MAX_ROWS, type CsvLang, csvText, localDateTime } from "../../alarms/history-csv.ts";
import { AuditFilterQuery, type AuditLog } from "../../audit/audit-log.ts";
import type { SessionService } from "../../auth/session-service.ts";
import type { UserRepository } from "../../storage/user-repo.ts";
import { assertExportFits, sendCsv } from "../csv-reply.ts";
import { currentUser, requireRole } from "../guard.ts";

export interface AuditRoutesOptions {
  sessions: SessionService;
  audit: AuditLog;
  users: UserRepository;
  csvMaxRows?: number;
}

export const AUDIT_READERS = ["supervisor", "admin"] as const;
const tags = ["audit"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

const AuditPageQuery = Type.Intersect([
  AuditFilterQuery,
  Type.Object({
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  }),
]);
const AuditCsvQuery = Type.Intersect([
  AuditFilterQuery,
  Type.Object({ lang: Type.Union([Type.Literal("en"), Type.Literal("zh-CN")], { default: "en" }) }),
]);

const HEADER: Record<CsvLang, string[]> = {
  en: ["id", "at", "actor", "action", "target", "detail"],
  "zh-CN": ["编号", "时间", "操作人", "操作", "对象", "详情"],
};

export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (app, options) => {
  const { audit, users } = options;
  const maxRows = options.csvMaxRows ?? CSV_MAX_ROWS;
  app.addHook("onRequest", requireRole(options.sessions, AUDIT_READERS));

  app.get(
    "/audit",
    {
      schema: {
        tags,
        summary: "The audit log, newest first, filtered, with the total for paging (supervisors, admins)",
        querystring: AuditPageQuery,
        response: { 200: AuditPageSchema, ...errors },
      },
    },
    async (request) => {
      const { limit, offset, ...filter } = request.query;
      const total = await audit.count(filter);
      const entries = await audit.list(filter, { limit, offset });
      const actions = await audit.actions();
      await users.audit(`user:${currentUser(request).username}`, "audit_log_viewed", null, { filters: filter, offset });
      return { total, limit, offset, timeZone: audit.timeZone, actions, entries };
    },
  );

  app.get(
    "/audit.csv",
    {
      schema: {
        tags,
        summary: `The audit log as CSV (UTF-8 with BOM, local times), at most ${CSV_MAX_ROWS} rows`,
        querystring: AuditCsvQuery,
        response: { 200: Type.String({ description: "text/csv" }), ...errors },
      },
    },
    async (request, reply) => {
      const { lang, ...filter } = request.query;
      const total = await audit.count(filter);
      assertExportFits(total, maxRows, "audit entries", "narrow the filters");
      const entries = await audit.list(filter, { limit: maxRows, offset: 0 });
      await users.audit(`user:${currentUser(request).username}`, "audit_log_exported", null, {
        filters: filter,
        rows: entries.length,
      });
      const rows = entries.map((e) => [
        e.id,
        localDateTime(e.at, audit.timeZone),
        e.actor,
        e.action,
        e.target,
        e.detail === null ? null : typeof e.detail === "string" ? e.detail : JSON.stringify(e.detail),
      ]);
      const range = `${filter.from ?? "start"}-${filter.to ?? "now"}`;
      return sendCsv(reply, `anxin-audit-${range}.csv`, csvText(HEADER[lang], rows));
    },
  );
};
