/**
 * Reading the append-only `audit_log` for supervisors: filtered by local-day
 * range, actor and action, newest first (by id, which only grows, so rows
 * written in the same millisecond keep their order), with the total for
 * paging. Reads of the log are themselves audited by the routes: who looked at
 * whose actions is part of the trail. Detail is stored as JSON text and handed
 * back parsed.
 */
import Type, { type Static } from "typebox";
import type { AuditEntry } from "../../protocol/console/index.ts";
import { localDayBounds } from "../alarms/history-query.ts";
import { caseInsensitiveLike, likePattern } from "../storage/sql/dialect-sql.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";

const DATE = "^\\d{4}-\\d{2}-\\d{2}$";

export const AuditFilterQuery = Type.Object({
  from: Type.Optional(Type.String({ pattern: DATE, description: "first local day (ANXIN_TIME_ZONE), YYYY-MM-DD" })),
  to: Type.Optional(Type.String({ pattern: DATE, description: "last local day, included" })),
  actor: Type.Optional(
    Type.String({ maxLength: 100, description: "substring of the actor, e.g. admin or user:admin" }),
  ),
  action: Type.Optional(Type.String({ maxLength: 60, pattern: "^[a-z_]*$", description: "exact action, e.g. login" })),
});
export type AuditFilter = Static<typeof AuditFilterQuery>;

interface StoredEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
}

function parseDetail(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    // Rows written by hand or by an old version may hold plain text; show it as it is.
    return text;
  }
}

export class AuditLog {
  constructor(
    private readonly sql: SqlSession,
    readonly timeZone: string,
  ) {}

  private where(filter: AuditFilter) {
    const { startIso, endIso } = localDayBounds(filter.from, filter.to, this.timeZone);
    const parts = ["1 = 1"];
    const params: Record<string, string> = {};
    if (startIso) {
      parts.push("at >= @startIso");
      params.startIso = startIso;
    }
    if (endIso) {
      parts.push("at < @endIso");
      params.endIso = endIso;
    }
    if (filter.actor?.trim()) {
      parts.push(`actor ${caseInsensitiveLike(this.sql.dialect)} @actor ESCAPE '\\'`);
      params.actor = likePattern(filter.actor.trim());
    }
    if (filter.action) {
      parts.push("action = @action");
      params.action = filter.action;
    }
    return { sql: parts.join(" AND "), params };
  }

  async count(filter: AuditFilter): Promise<number> {
    const where = this.where(filter);
    const row = await this.sql.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM audit_log WHERE ${where.sql}`,
      where.params,
    );
    return row?.n ?? 0;
  }

  async list(filter: AuditFilter, page: { limit: number; offset: number }): Promise<AuditEntry[]> {
    const where = this.where(filter);
    const rows = await this.sql.all<StoredEntry>(
      `SELECT id, at, actor, action, target, detail FROM audit_log WHERE ${where.sql}
         ORDER BY id DESC LIMIT @limit OFFSET @offset`,
      { ...where.params, limit: page.limit, offset: page.offset },
    );
    return rows.map((row) => ({ ...row, detail: parseDetail(row.detail) }));
  }

  /** The distinct actions in the log, for the console's filter list. */
  async actions(): Promise<string[]> {
    const rows = await this.sql.all<{ action: string }>("SELECT DISTINCT action FROM audit_log ORDER BY action");
    return rows.map((r) => r.action);
  }
}
