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
import type { Db } from "./database.ts";
import type { ClinicRow, GridRow, HouseholdRow, ResidentRow, WorkerRow } from "./registry-repo.ts";

type Statement = ReturnType<Db["prepare"]>;

const SQL = {
  alarms: "SELECT * FROM alarms WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
  households: "SELECT * FROM households WHERE id IN (SELECT value FROM json_each(?))",
  grids: "SELECT id, code, name FROM grids WHERE id IN (SELECT value FROM json_each(?))",
  residents: "SELECT * FROM residents WHERE id IN (SELECT value FROM json_each(?))",
  workers: "SELECT * FROM workers WHERE id IN (SELECT value FROM json_each(?))",
  clinics: "SELECT * FROM clinics WHERE id IN (SELECT value FROM json_each(?))",
  usernames: "SELECT id, username FROM users WHERE id IN (SELECT value FROM json_each(?))",
} as const;

export class SummaryReads {
  private readonly db: Db;
  /** Prepared on first use, then reused: a statement per table, whatever the list's length. */
  private readonly statements = new Map<keyof typeof SQL, Statement>();

  constructor(db: Db) {
    this.db = db;
  }

  /** The alarms that still exist among `ids`, in id order. */
  alarms(ids: readonly number[]): AlarmRow[] {
    return ids.length === 0 ? [] : (this.statement("alarms").all(JSON.stringify(ids)) as AlarmRow[]);
  }

  households(ids: Iterable<number>): Map<number, HouseholdRow> {
    return this.byId<HouseholdRow>("households", ids);
  }

  grids(ids: Iterable<number>): Map<number, GridRow> {
    return this.byId<GridRow>("grids", ids);
  }

  residents(ids: Iterable<number>): Map<number, ResidentRow> {
    return this.byId<ResidentRow>("residents", ids);
  }

  workers(ids: Iterable<number>): Map<number, WorkerRow> {
    return this.byId<WorkerRow>("workers", ids);
  }

  clinics(ids: Iterable<number>): Map<number, ClinicRow> {
    return this.byId<ClinicRow>("clinics", ids);
  }

  usernames(ids: Iterable<number>): Map<number, string> {
    const rows = this.byId<{ id: number; username: string }>("usernames", ids);
    return new Map([...rows].map(([id, row]) => [id, row.username]));
  }

  private byId<T extends { id: number }>(table: keyof typeof SQL, ids: Iterable<number>): Map<number, T> {
    const list = [...new Set(ids)];
    if (list.length === 0) return new Map();
    const rows = this.statement(table).all(JSON.stringify(list)) as T[];
    return new Map(rows.map((row) => [row.id, row]));
  }

  private statement(name: keyof typeof SQL): Statement {
    let statement = this.statements.get(name);
    if (!statement) {
      statement = this.db.prepare(SQL[name]);
      this.statements.set(name, statement);
    }
    return statement;
  }
}
