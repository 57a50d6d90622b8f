/**
 * The rows KPIs are computed from: alarms received in the range and device
 * faults opened in it, each with the grid of its household. SQL does the
 * filtering by range and grid (a scan of `alarms`: no index leads with
 * received_at, which is fine for a year of one district's alarms); the bucketing into local days and the percentiles are in kpi-aggregate.ts,
 * because SQLite has neither time zones nor percentile functions.
 */
import type { SqlSession } from "../storage/sql/sql-port.ts";

export interface KpiAlarmRow {
  kind: string;
  status: string;
  outcome: string | null;
  received_at: string;
  acknowledged_at: string | null;
  accepted_at: string | null;
  on_scene_at: string | null;
  resolved_at: string | null;
  cancelled_at: string | null;
  grid_id: number | null;
}

export interface KpiFaultRow {
  kind: string;
  opened_at: string;
  grid_id: number | null;
}

export interface KpiGridRow {
  id: number;
  code: string;
  name: string;
}

export interface KpiRowQuery {
  startIso: string;
  endIso: string;
  /** Only this grid's households; undefined: every grid and the alarms with no grid. */
  gridId?: number | undefined;
}

/** Only one grid's rows, or all (the filter left out: PostgreSQL cannot type a parameter that is only tested for NULL). */
const gridFilter = (query: KpiRowQuery) => (query.gridId === undefined ? "" : "AND h.grid_id = @gridId");

export class KpiQueries {
  constructor(private readonly sql: SqlSession) {}

  alarms(query: KpiRowQuery): Promise<KpiAlarmRow[]> {
    return this.sql.all<KpiAlarmRow>(
      `SELECT a.kind, a.status, a.outcome, a.received_at, a.acknowledged_at, a.accepted_at, a.on_scene_at,
                a.resolved_at, a.cancelled_at, h.grid_id
           FROM alarms a LEFT JOIN households h ON h.id = a.household_id
          WHERE a.received_at >= @startIso AND a.received_at < @endIso ${gridFilter(query)}
          ORDER BY a.received_at`,
      params(query),
    );
  }

  /** A fault belongs to the grid of the household its device is installed in now. */
  faults(query: KpiRowQuery): Promise<KpiFaultRow[]> {
    return this.sql.all<KpiFaultRow>(
      `SELECT f.kind, f.opened_at, h.grid_id
           FROM device_faults f
           JOIN devices d ON d.id = f.device_id
           LEFT JOIN households h ON h.id = d.household_id
          WHERE f.opened_at >= @startIso AND f.opened_at < @endIso ${gridFilter(query)}
          ORDER BY f.opened_at`,
      params(query),
    );
  }

  grids(gridId?: number): Promise<KpiGridRow[]> {
    return this.sql.all<KpiGridRow>(
      `SELECT id, code, name FROM grids ${gridId === undefined ? "" : "WHERE id = @gridId"} ORDER BY code`,
      gridId === undefined ? {} : { gridId },
    );
  }
}

function params(query: KpiRowQuery) {
  const range = { startIso: query.startIso, endIso: query.endIso };
  return query.gridId === undefined ? range : { ...range, gridId: query.gridId };
}
