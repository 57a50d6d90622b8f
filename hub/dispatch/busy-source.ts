/**
 * Who is busy, as the dispatch repository asks it: on SQLite the in-memory
 * mirror of this connection (busy-workers.ts), on PostgreSQL the tables
 * themselves, asked inside the caller's transaction, so a lookup sees what
 * every node has committed and what this transaction wrote. (A mirror for
 * PostgreSQL would need every node's changes: LISTEN/NOTIFY; not built.)
 */
import type { SqlSession } from "../storage/sql/sql-port.ts";
import { type BusyLookup, HOLDING_ROWS } from "./busy-workers.ts";

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
