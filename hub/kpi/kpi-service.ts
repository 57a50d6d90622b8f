/**
 * KPIs for a range of local days: per day, per grid and in total. Days with no
 * alarms are kept (a chart needs the zero), and every grid is listed, so a
 * quiet grid shows as quiet rather than missing. Alarms whose household has no
 * grid (or no household yet) form a grid of their own with id null.
 */
import type { SqlSession } from "../storage/sql/sql-port.ts";
import { ACK_TARGET, figures, type KpiFigures } from "./kpi-aggregate.ts";
import { type KpiAlarmRow, type KpiFaultRow, KpiQueries } from "./kpi-queries.ts";
import { dayRange, localDay } from "./local-day.ts";

export interface KpiDay extends KpiFigures {
  date: string;
}

export interface KpiGrid extends KpiFigures {
  gridId: number | null;
  code: string | null;
  name: string | null;
}

export interface KpiReport {
  from: string;
  to: string;
  timeZone: string;
  gridId: number | null;
  ackTarget: number;
  days: KpiDay[];
  grids: KpiGrid[];
  totals: KpiFigures;
}

export interface KpiRequest {
  from: string;
  to: string;
  gridId?: number | undefined;
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

export class KpiService {
  private readonly queries: KpiQueries;

  constructor(
    sql: SqlSession,
    private readonly timeZone: string,
  ) {
    this.queries = new KpiQueries(sql);
  }

  async report(request: KpiRequest): Promise<KpiReport> {
    const range = dayRange(request.from, request.to, this.timeZone);
    const query = { startIso: range.startIso, endIso: range.endIso, gridId: request.gridId };
    const alarms = await this.queries.alarms(query);
    const faults = await this.queries.faults(query);
    const dayOf = (iso: string) => localDay(new Date(iso), this.timeZone);
    const alarmsByDay = groupBy(alarms, (a) => dayOf(a.received_at));
    const faultsByDay = groupBy(faults, (f) => dayOf(f.opened_at));
    const alarmsByGrid = groupBy<KpiAlarmRow, number | null>(alarms, (a) => a.grid_id);
    const faultsByGrid = groupBy<KpiFaultRow, number | null>(faults, (f) => f.grid_id);

    const grids: KpiGrid[] = (await this.queries.grids(request.gridId)).map((g) => ({
      gridId: g.id,
      code: g.code,
      name: g.name,
      ...figures(alarmsByGrid.get(g.id) ?? [], faultsByGrid.get(g.id) ?? []),
    }));
    if (alarmsByGrid.has(null) || faultsByGrid.has(null)) {
      grids.push({
        gridId: null,
        code: null,
        name: null,
        ...figures(alarmsByGrid.get(null) ?? [], faultsByGrid.get(null) ?? []),
      });
    }
    return {
      from: range.from,
      to: range.to,
      timeZone: this.timeZone,
      gridId: request.gridId ?? null,
      ackTarget: ACK_TARGET,
      days: range.days.map((date) => ({
        date,
        ...figures(alarmsByDay.get(date) ?? [], faultsByDay.get(date) ?? []),
      })),
      grids,
      totals: figures(alarms, faults),
    };
  }
}
