/**
 * Who is busy, as the dispatch repository asks it: on SQLite the in-memory
 * mirror of this connection (busy-workers.ts), on PostgreSQL the tables
 * themselves, asked inside the caller's transaction, so a lookup sees what
 * every node has committed and what this transaction wrote. (A mirror for
 * PostgreSQL would need every node's changes: LISTEN/NOTIFY; not built.)
 * The definition of busy, the rows that hold a worker, is here for both.
 */
import type { SqlSession } from "../storage/sql/sql-port.ts";

/**
 * What the ranking asks about a worker; a `Map` of worker → alarm answers it too.
 * A lookup answers for now: use it at once, never across an `await`.
 */
export interface BusyLookup {
  has(workerId: number): boolean;
  /** The alarm the worker is busy with, or undefined when free. */
  get(workerId: number): number | undefined;
}

const BUSY_STATUSES = "'offered', 'accepted', 'on_scene'";
export const alarmHolds = (row: "NEW" | "OLD" | "alarms") =>
  `${row}.status IN (${BUSY_STATUSES}) AND ${row}.kind <> 'service' AND ${row}.worker_id IS NOT NULL`;
export const offerHolds = (row: "NEW" | "OLD" | "dispatch_offers") => `${row}.status = 'offered'`;

/** Every holding row, as (worker, alarm): the definition of busy, for the rebuild and the fallback. */
export const HOLDING_ROWS = `SELECT worker_id, id AS alarm_id FROM alarms WHERE ${alarmHolds("alarms")}
  UNION ALL SELECT worker_id, alarm_id FROM dispatch_offers WHERE ${offerHolds("dispatch_offers")}`;

export interface BusySource {
  start(): void;
  stop(): void;
  /** Catches up with what was committed (the mirror); nothing to do for the tables. */
  sync(): void;
  /** Busy workers now, not counting what `exceptAlarmId` holds; use the answer at once, within the same transaction. */
  lookup(exceptAlarmId: number | null): Promise<BusyLookup>;
  /** Every busy worker → one alarm they are busy with (the map's layer). */
  all(exceptAlarmId: number | null): Promise<Map<number, number>>;
}

export class BusyFromTables implements BusySource {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  start(): void {}

  stop(): void {}

  sync(): void {}

  lookup(exceptAlarmId: number | null): Promise<BusyLookup> {
    return this.all(exceptAlarmId);
  }

  async all(exceptAlarmId: number | null): Promise<Map<number, number>> {
    const rows = await this.sql.all<{ worker_id: number; alarm_id: number }>(
      `SELECT worker_id, alarm_id FROM (${HOLDING_ROWS}) AS holding WHERE alarm_id IS DISTINCT FROM ?`,
      [exceptAlarmId],
    );
    const busy = new Map<number, number>();
    for (const row of rows) if (!busy.has(row.worker_id)) busy.set(row.worker_id, row.alarm_id);
    return busy;
  }
}
