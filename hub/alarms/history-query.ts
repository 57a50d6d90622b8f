/**
 * Alarm history: every alarm, open or closed, filtered by local-day range,
 * grid, kind, outcome, status and a free-text search, newest first, with the
 * total for paging. One WHERE clause serves the page, the count and the CSV,
 * so the console, its paging and the export always agree. Every value is a
 * bound parameter; only fixed SQL fragments are assembled.
 *
 * No index leads with received_at (alarms_status does, after status): a range
 * scans `alarms`, which for one district's years of alarms is a few ms (the KPI
 * queries make the same choice), so no migration was added for it.
 */

import type { HistoryRow } from "../../protocol/console/index.ts";
import { CLOSED_STATUSES } from "../../protocol/console/index.ts";
import { AnxinError } from "../errors.ts";
import { nextDay, startOfLocalDay } from "../kpi/local-day.ts";
import { caseInsensitiveLike, likePattern, perDialect, secondsBetween } from "../storage/sql/dialect-sql.ts";
import type { SqlDialect, SqlSession } from "../storage/sql/sql-port.ts";

export interface HistoryFilter {
  from?: string | undefined;
  to?: string | undefined;
  gridId?: number | undefined;
  /** sos | service | test (checked by the route's schema). */
  kind?: string | undefined;
  /** real | false_alarm | test | none (no outcome). */
  outcome?: string | undefined;
  /** `open`, `closed`, or one alarm status. */
  status?: string | undefined;
  q?: string | undefined;
}

function isCalendarDay(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === day;
}

/**
 * UTC bounds [startIso, endIso) of the local days `from`..`to` (both optional,
 * both included). Shared with the audit log, whose "from" means the same day.
 */
export function localDayBounds(
  from: string | undefined,
  to: string | undefined,
  timeZone: string,
): { startIso: string | null; endIso: string | null } {
  for (const [name, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value !== undefined && !isCalendarDay(value)) {
      throw new AnxinError("DATE_RANGE_INVALID", `${name} must be a calendar date YYYY-MM-DD (got ${value})`);
    }
  }
  if (from !== undefined && to !== undefined && from > to) {
    throw new AnxinError("DATE_RANGE_INVALID", `from (${from}) is after to (${to})`);
  }
  return {
    startIso: from === undefined ? null : startOfLocalDay(from, timeZone).toISOString(),
    endIso: to === undefined ? null : startOfLocalDay(nextDay(to), timeZone).toISOString(),
  };
}

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");
const FROM_SQL = `
  FROM alarms a
  LEFT JOIN households h ON h.id = a.household_id
  LEFT JOIN residents r ON r.id = a.resident_id
  LEFT JOIN grids g ON g.id = h.grid_id
  LEFT JOIN workers w ON w.id = a.worker_id`;

// Aliases are quoted: PostgreSQL folds unquoted names to lower case.
const SELECT_SQL = perDialect((dialect) => {
  const seconds = (later: string, earlier: string) => secondsBetween(dialect, later, earlier);
  return `SELECT a.id, a.kind, a.status, a.outcome, a.device_id AS "deviceId",
    a.received_at AS "receivedAt", a.acknowledged_at AS "acknowledgedAt", a.on_scene_at AS "onSceneAt",
    a.resolved_at AS "resolvedAt", a.cancelled_at AS "cancelledAt",
    r.name AS "residentName", h.code AS "householdCode", h.address AS "householdAddress",
    g.id AS "gridId", g.code AS "gridCode", g.name AS "gridName", w.name AS "workerName",
    ${seconds("a.acknowledged_at", "a.received_at")} AS "ackS",
    ${seconds("a.on_scene_at", "a.received_at")} AS "arrivalS",
    ${seconds("COALESCE(a.resolved_at, a.cancelled_at)", "a.received_at")} AS "resolutionS"`;
});

interface Where {
  sql: string;
  params: Record<string, string | number | null>;
}

function whereClause(filter: HistoryFilter, timeZone: string, dialect: SqlDialect): Where {
  const { startIso, endIso } = localDayBounds(filter.from, filter.to, timeZone);
  const parts = ["1 = 1"];
  const params: Where["params"] = {};
  if (startIso) {
    parts.push("a.received_at >= @startIso");
    params.startIso = startIso;
  }
  if (endIso) {
    parts.push("a.received_at < @endIso");
    params.endIso = endIso;
  }
  if (filter.gridId !== undefined) {
    parts.push("h.grid_id = @gridId");
    params.gridId = filter.gridId;
  }
  if (filter.kind) {
    parts.push("a.kind = @kind");
    params.kind = filter.kind;
  }
  if (filter.outcome === "none") parts.push("a.outcome IS NULL");
  else if (filter.outcome) {
    parts.push("a.outcome = @outcome");
    params.outcome = filter.outcome;
  }
  if (filter.status === "open") parts.push(`a.status NOT IN (${CLOSED_SQL})`);
  else if (filter.status === "closed") parts.push(`a.status IN (${CLOSED_SQL})`);
  else if (filter.status) {
    parts.push("a.status = @status");
    params.status = filter.status;
  }
  const q = filter.q?.trim();
  if (q) {
    // "#42" or "42" also finds alarm 42; text matches name, household code and address, device id.
    const id = /^#?\d{1,15}$/.test(q) ? Number(q.replace("#", "")) : null;
    const like = caseInsensitiveLike(dialect);
    parts.push(`(r.name ${like} @like ESCAPE '\\' OR h.code ${like} @like ESCAPE '\\' OR h.address ${like} @like ESCAPE '\\'
      OR a.device_id ${like} @like ESCAPE '\\' OR a.id = @qId)`);
    params.like = likePattern(q);
    params.qId = id;
  }
  return { sql: parts.join(" AND "), params };
}

/** The database gives float seconds; the API rounds to whole seconds (null: the step never happened). */
function roundSeconds(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

export class AlarmHistory {
  constructor(
    private readonly sql: SqlSession,
    readonly timeZone: string,
  ) {}

  async count(filter: HistoryFilter): Promise<number> {
    const where = whereClause(filter, this.timeZone, this.sql.dialect);
    const row = await this.sql.get<{ n: number }>(`SELECT COUNT(*) AS n ${FROM_SQL} WHERE ${where.sql}`, where.params);
    return row?.n ?? 0;
  }

  /** Newest first; alarms received in the same millisecond come in id order, newest id first. */
  async list(filter: HistoryFilter, page: { limit: number; offset: number }): Promise<HistoryRow[]> {
    const where = whereClause(filter, this.timeZone, this.sql.dialect);
    const rows = await this.sql.all<HistoryRow>(
      `${SELECT_SQL[this.sql.dialect]} ${FROM_SQL} WHERE ${where.sql}
         ORDER BY a.received_at DESC, a.id DESC LIMIT @limit OFFSET @offset`,
      { ...where.params, limit: page.limit, offset: page.offset },
    );
    for (const row of rows) {
      row.ackS = roundSeconds(row.ackS);
      row.arrivalS = roundSeconds(row.arrivalS);
      row.resolutionS = roundSeconds(row.resolutionS);
    }
    return rows;
  }
}
