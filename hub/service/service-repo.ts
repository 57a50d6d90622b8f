/**
 * Storage for service requests: SQL only. Every status change goes through
 * `transition`, which checks the state machine and is conditional on the
 * current status, so two people acting at once cannot both win.
 */
import type { ServiceRequestStatus } from "../../protocol/console/index.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import { assertServiceTransition } from "./service-lifecycle.ts";

export interface ServiceRequestRow {
  id: number;
  alarm_id: number;
  household_id: number | null;
  grid_id: number | null;
  worker_id: number | null;
  status: ServiceRequestStatus;
  created_at: string;
  assigned_at: string | null;
  assigned_by: string | null;
  done_at: string | null;
  done_by: string | null;
  cancelled_at: string | null;
  cancelled_by: string | null;
  note: string | null;
}

/** A request with what a list or a card shows of its alarm, household, grid, resident and worker. */
export interface ServiceRequestListRow extends ServiceRequestRow {
  received_at: string;
  device_id: string;
  household_code: string | null;
  address: string | null;
  lat: number | null;
  lng: number | null;
  key_holder: string | null;
  access_notes: string | null;
  grid_name: string | null;
  resident_name: string | null;
  worker_code: string | null;
  worker_name: string | null;
  worker_phone: string | null;
}

/** A worker who may be given a request: the router's and the operator's candidates. */
export interface ServiceWorkerRow {
  id: number;
  code: string;
  name: string;
  phone: string;
  grid_id: number | null;
  on_duty: number;
  lat: number | null;
  lng: number | null;
}

type ChangeColumn =
  | "worker_id"
  | "assigned_at"
  | "assigned_by"
  | "done_at"
  | "done_by"
  | "cancelled_at"
  | "cancelled_by"
  | "note";

const LIST_SQL = `
  SELECT s.*, a.received_at, a.device_id, h.code AS household_code, h.address, h.lat, h.lng, h.key_holder,
         h.access_notes, g.name AS grid_name, r.name AS resident_name, w.code AS worker_code, w.name AS worker_name,
         w.phone AS worker_phone
    FROM service_requests s
    JOIN alarms a ON a.id = s.alarm_id
    LEFT JOIN households h ON h.id = s.household_id
    LEFT JOIN grids g ON g.id = s.grid_id
    LEFT JOIN residents r ON r.id = a.resident_id
    LEFT JOIN workers w ON w.id = s.worker_id`;

export class ServiceRequestRepository {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  /** Returns the new request's id. */
  async insert(request: {
    alarmId: number;
    householdId: number | null;
    gridId: number | null;
    createdAt: string;
  }): Promise<number> {
    const row = await this.sql.get<{ id: number }>(
      `INSERT INTO service_requests (alarm_id, household_id, grid_id, status, created_at) VALUES (?, ?, ?, 'open', ?)
       RETURNING id`,
      [request.alarmId, request.householdId, request.gridId, request.createdAt],
    );
    return row?.id ?? 0;
  }

  get(id: number): Promise<ServiceRequestRow | undefined> {
    return this.sql.get<ServiceRequestRow>("SELECT * FROM service_requests WHERE id = ?", [id]);
  }

  forAlarm(alarmId: number): Promise<ServiceRequestRow | undefined> {
    return this.sql.get<ServiceRequestRow>("SELECT * FROM service_requests WHERE alarm_id = ?", [alarmId]);
  }

  listRow(id: number): Promise<ServiceRequestListRow | undefined> {
    return this.sql.get<ServiceRequestListRow>(`${LIST_SQL} WHERE s.id = ?`, [id]);
  }

  /** Newest first; `statuses` empty means every status. */
  list(filter: {
    statuses: readonly ServiceRequestStatus[];
    workerId?: number;
    limit: number;
  }): Promise<ServiceRequestListRow[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.statuses.length > 0) {
      where.push(`s.status IN (${filter.statuses.map(() => "?").join(", ")})`);
      params.push(...filter.statuses);
    }
    if (filter.workerId !== undefined) {
      where.push("s.worker_id = ?");
      params.push(filter.workerId);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return this.sql.all<ServiceRequestListRow>(`${LIST_SQL} ${clause} ORDER BY s.id DESC LIMIT ?`, [
      ...params,
      filter.limit,
    ]);
  }

  /**
   * Conditional on the status (and, for a re-assignment, the worker) read by
   * the caller: false when someone else changed the request first. A move the
   * state machine does not list throws SERVICE_REQUEST_TRANSITION_ILLEGAL.
   */
  async transition(
    current: ServiceRequestRow,
    to: ServiceRequestStatus,
    fields: Partial<Record<ChangeColumn, string | number | null>>,
  ): Promise<boolean> {
    assertServiceTransition(current.status, to, current.id);
    const columns = Object.keys(fields) as ChangeColumn[];
    const assignments = ["status = ?", ...columns.map((c) => `${c} = ?`)].join(", ");
    // IS NOT DISTINCT FROM: a request with no worker yet matches NULL (both dialects; `IS ?` is SQLite's alone).
    const result = await this.sql.run(
      `UPDATE service_requests SET ${assignments} WHERE id = ? AND status = ? AND worker_id IS NOT DISTINCT FROM ?`,
      [to, ...columns.map((c) => fields[c] ?? null), current.id, current.status, current.worker_id],
    );
    return result.changes === 1;
  }

  worker(id: number): Promise<ServiceWorkerRow | undefined> {
    return this.sql.get<ServiceWorkerRow>(
      "SELECT id, code, name, phone, grid_id, on_duty, lat, lng FROM workers WHERE id = ?",
      [id],
    );
  }

  /** Every worker, or a grid's; the caller orders them (own grid first, on duty, nearest). */
  workers(gridId?: number): Promise<ServiceWorkerRow[]> {
    const sql = "SELECT id, code, name, phone, grid_id, on_duty, lat, lng FROM workers";
    return gridId === undefined
      ? this.sql.all<ServiceWorkerRow>(sql)
      : this.sql.all<ServiceWorkerRow>(`${sql} WHERE grid_id = ?`, [gridId]);
  }
}
