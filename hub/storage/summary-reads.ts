/**
 * Reads for many alarm summaries at once: the alarms, and the households,
 * grids, residents, workers, clinics and usernames they name, one query per
 * table for a whole list of ids instead of one per alarm (the console push
 * builds hundreds of summaries in one go during a burst).
 *
 * The id list travels as one JSON array parameter (`json_each`), so one
 * prepared statement serves any list length; SQLite probes each table's
 * primary key per id (checked with EXPLAIN QUERY PLAN). Callers bound the list
 * (the push reads at most a few hundred alarms per pass).
 */
import type { AlarmRow } from "./alarm-repo.ts";
import type { ClinicRow, GridRow, HouseholdRow, ResidentRow, WorkerRow } from "./registry-repo.ts";
import type { SqlDialect, SqlSession } from "./sql/sql-port.ts";

/** The ids in a JSON array parameter: one statement text per table, whatever the list's length. */
const idsIn = (dialect: SqlDialect) =>
  dialect === "sqlite"
    ? "id IN (SELECT value FROM json_each(?))"
    : // The parameter is typed text first: typed json, the driver would send the array's text as a JSON string.
      "id IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(CAST(? AS text) AS json)))";

const SQL = {
  alarms: (d: SqlDialect) => `SELECT * FROM alarms WHERE ${idsIn(d)} ORDER BY id`,
  households: (d: SqlDialect) => `SELECT * FROM households WHERE ${idsIn(d)}`,
  grids: (d: SqlDialect) => `SELECT id, code, name FROM grids WHERE ${idsIn(d)}`,
  residents: (d: SqlDialect) => `SELECT * FROM residents WHERE ${idsIn(d)}`,
  workers: (d: SqlDialect) => `SELECT * FROM workers WHERE ${idsIn(d)}`,
  clinics: (d: SqlDialect) => `SELECT * FROM clinics WHERE ${idsIn(d)}`,
  usernames: (d: SqlDialect) => `SELECT id, username FROM users WHERE ${idsIn(d)}`,
} as const;

export class SummaryReads {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  /** The alarms that still exist among `ids`, in id order. */
  async alarms(ids: readonly number[]): Promise<AlarmRow[]> {
    return ids.length === 0 ? [] : this.sql.all<AlarmRow>(SQL.alarms(this.sql.dialect), [JSON.stringify(ids)]);
  }

  households(ids: Iterable<number>): Promise<Map<number, HouseholdRow>> {
    return this.byId<HouseholdRow>("households", ids);
  }

  grids(ids: Iterable<number>): Promise<Map<number, GridRow>> {
    return this.byId<GridRow>("grids", ids);
  }

  residents(ids: Iterable<number>): Promise<Map<number, ResidentRow>> {
    return this.byId<ResidentRow>("residents", ids);
  }

  workers(ids: Iterable<number>): Promise<Map<number, WorkerRow>> {
    return this.byId<WorkerRow>("workers", ids);
  }

  clinics(ids: Iterable<number>): Promise<Map<number, ClinicRow>> {
    return this.byId<ClinicRow>("clinics", ids);
  }

  async usernames(ids: Iterable<number>): Promise<Map<number, string>> {
    const rows = await this.byId<{ id: number; username: string }>("usernames", ids);
    return new Map([...rows].map(([id, row]) => [id, row.username]));
  }

  private async byId<T extends { id: number }>(
    table: keyof typeof SQL,
    ids: Iterable<number>,
  ): Promise<Map<number, T>> {
    const list = [...new Set(ids)];
    if (list.length === 0) return new Map();
    const rows = await this.sql.all<T>(SQL[table](this.sql.dialect), [JSON.stringify(list)]);
    return new Map(rows.map((row) => [row.id, row]));
  }
}
