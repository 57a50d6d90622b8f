/**
 * The state the hub's metrics read at each scrape (hub/metrics/state-gauges.ts): how many alarms are open,
 * and by what status; those nobody acknowledged in time; what waits in the outbox; the open device faults.
 * Small aggregates over indexed rows only, the same text on SQLite and PostgreSQL (timestamps are ISO
 * text on both, so they compare as text): a scrape every 15 s never reads a table that keeps the history.
 *
 * - open alarms: `alarms_status (status, received_at)`, one range per open status (`IN`, never `NOT IN`);
 * - unacknowledged: the partial index `alarms_unacknowledged` (migration 17), the deadline watcher's own;
 * - the outbox: `outbox_due (status, next_attempt_at)`, the pending rows only;
 * - device faults: the partial index `device_faults_open` (open rows only, migration 5).
 */
import { ALARM_STATUSES, CLOSED_STATUSES } from "../../protocol/console/index.ts";
import type { IncidentKind } from "./alarm-repo.ts";
import type { OutboxChannel } from "./outbox-repo.ts";
import type { SqlSession } from "./sql/sql-port.ts";

const OPEN_SQL = `status IN (${ALARM_STATUSES.filter((s) => !CLOSED_STATUSES.includes(s))
  .map((s) => `'${s}'`)
  .join(", ")})`;

const SQL = {
  openAlarms: `SELECT kind, status, COUNT(*) AS n FROM alarms WHERE ${OPEN_SQL} GROUP BY kind, status`,
  // The deadline watcher's rule (hub/alarms/lifecycle-repo.ts, `unacknowledged`): open, not acknowledged,
  // not a test press; "past the deadline" when received at or before the cutoff.
  unacknowledged: `SELECT kind, MIN(received_at) AS oldest,
      SUM(CASE WHEN received_at <= ? THEN 1 ELSE 0 END) AS late
    FROM alarms WHERE ${OPEN_SQL} AND acknowledged_at IS NULL AND kind != 'test' GROUP BY kind`,
  outbox:
    "SELECT channel, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = 'pending' GROUP BY channel",
  faults: "SELECT kind, COUNT(*) AS n FROM device_faults WHERE cleared_at IS NULL GROUP BY kind",
} as const;

export interface OpenAlarmCount {
  kind: IncidentKind;
  status: string;
  n: number;
}

export interface UnacknowledgedAlarms {
  kind: IncidentKind;
  /** `received_at` of the oldest one. */
  oldest: string;
  /** How many were received at or before the cutoff (their acknowledgement deadline has passed). */
  late: number;
}

export interface PendingOutbox {
  channel: OutboxChannel;
  n: number;
  /** `created_at` of the oldest pending message. */
  oldest: string;
}

export interface OpenFaultCount {
  kind: string;
  n: number;
}

export class MetricsReads {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  openAlarms(): Promise<OpenAlarmCount[]> {
    return this.sql.all<OpenAlarmCount>(SQL.openAlarms);
  }

  /** Open alarms no operator acknowledged, by kind; `late`: those received at or before `cutoff` (ISO). */
  async unacknowledged(cutoff: string): Promise<UnacknowledgedAlarms[]> {
    const rows = await this.sql.all<UnacknowledgedAlarms>(SQL.unacknowledged, [cutoff]);
    // PostgreSQL's SUM of integers is numeric, which its driver hands over as text.
    return rows.map((row) => ({ ...row, late: Number(row.late) }));
  }

  pendingOutbox(): Promise<PendingOutbox[]> {
    return this.sql.all<PendingOutbox>(SQL.outbox);
  }

  openFaults(): Promise<OpenFaultCount[]> {
    return this.sql.all<OpenFaultCount>(SQL.faults);
  }
}
