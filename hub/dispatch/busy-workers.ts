/**
 * Who is busy, answered from memory in O(1) per worker.
 *
 * A worker is busy with an alarm while that alarm holds them (status offered,
 * accepted or on scene, not a service call, `worker_id` = them) or while an
 * offer to them is open. Asking the tables on every ranking cost a scan of
 * every open alarm and open offer, two or three times per alarm, so the cost of
 * an alarm grew with the backlog (issue 12). This mirror keeps the same pairs
 * in memory — (worker, alarm) → how many rows hold it — and answers the same
 * question the old query did, for any view this connection can have:
 *
 * - Temporary triggers (this connection only) append every change of a holding
 *   row to `temp.busy_changes`, inside the statement that made it. The journal
 *   is in the same transaction, so a rollback, whole or to a savepoint, takes
 *   back exactly the journal rows of what it undid.
 * - Memory holds what was committed up to the last fold; memory plus journal
 *   is exactly what this connection sees now, committed or not. A lookup inside
 *   a transaction adds the (short) journal on top; outside one, the journal is
 *   committed and is folded into memory first. Nothing uncommitted ever enters
 *   memory, so nothing has to be undone.
 * - Writes by other connections fire no temporary trigger. `PRAGMA data_version`
 *   moves when another connection commits; then the mirror is rebuilt from the
 *   tables (outside a transaction), and until then lookups ask the tables.
 * - Rebuilt from the tables at `start()`; before it, every lookup asks them.
 */
import type Database from "better-sqlite3";
import type { Db } from "../storage/database.ts";
import { alarmHolds, type BusyLookup, type BusySource, HOLDING_ROWS, offerHolds } from "./busy-source.ts";

const CHANGED_FUNCTION = "anxin_busy_changed";

/** Journal rows for a holding row going away (-1) and coming (+1); `table` names what the trigger is on. */
function journalTriggers(table: "alarms" | "dispatch_offers", workerOf: string, alarmOf: string, columns: string) {
  const holds = table === "alarms" ? alarmHolds : offerHolds;
  const entry = (row: "NEW" | "OLD", delta: number) =>
    `INSERT INTO temp.busy_changes (worker_id, alarm_id, delta)
       SELECT ${row}.${workerOf}, ${row}.${alarmOf}, ${delta} WHERE ${holds(row)};`;
  return `
CREATE TEMP TRIGGER IF NOT EXISTS busy_${table}_insert AFTER INSERT ON main.${table} WHEN ${holds("NEW")}
BEGIN ${entry("NEW", 1)} SELECT ${CHANGED_FUNCTION}(); END;
CREATE TEMP TRIGGER IF NOT EXISTS busy_${table}_update AFTER UPDATE OF ${columns} ON main.${table}
  WHEN (${holds("OLD")}) OR (${holds("NEW")})
BEGIN ${entry("OLD", -1)} ${entry("NEW", 1)} SELECT ${CHANGED_FUNCTION}(); END;
CREATE TEMP TRIGGER IF NOT EXISTS busy_${table}_delete AFTER DELETE ON main.${table} WHEN ${holds("OLD")}
BEGIN ${entry("OLD", -1)} SELECT ${CHANGED_FUNCTION}(); END;`;
}

const INSTALL_SQL = `
CREATE TEMP TABLE IF NOT EXISTS busy_changes (worker_id INTEGER NOT NULL, alarm_id INTEGER NOT NULL, delta INTEGER NOT NULL);
${journalTriggers("alarms", "worker_id", "id", "id, status, kind, worker_id")}
${journalTriggers("dispatch_offers", "worker_id", "alarm_id", "status, worker_id, alarm_id")}`;

const UNINSTALL_SQL = ["alarms", "dispatch_offers"]
  .flatMap((t) => ["insert", "update", "delete"].map((op) => `DROP TRIGGER IF EXISTS temp.busy_${t}_${op};`))
  .concat("DROP TABLE IF EXISTS temp.busy_changes;")
  .join("\n");

interface Change {
  worker_id: number;
  alarm_id: number;
  delta: number;
}

/** worker → alarm → number of rows holding that worker for that alarm (an alarm row, an open offer). */
type Holds = Map<number, Map<number, number>>;

interface Installed {
  journal: Database.Statement<[], Change>;
  clear: Database.Statement<[]>;
  dataVersion: Database.Statement<[], number>;
  version: number;
}

const mirrors = new WeakMap<Db, BusyWorkers>();

export class BusyWorkers implements BusySource {
  private readonly db: Db;
  private readonly holds: Holds = new Map();
  private installed: Installed | null = null;
  private foldPending = false;

  /** One mirror per connection: its triggers and journal belong to that connection. */
  static of(db: Db): BusyWorkers {
    let mirror = mirrors.get(db);
    if (!mirror) {
      mirror = new BusyWorkers(db);
      mirrors.set(db, mirror);
    }
    return mirror;
  }

  private constructor(db: Db) {
    this.db = db;
  }

  get started(): boolean {
    return this.installed !== null;
  }

  /** Installs the journal and builds memory from the tables; outside a transaction, so it cannot be rolled back. */
  start(): void {
    if (this.installed) return;
    if (this.db.inTransaction) throw new Error("the busy-worker mirror must start outside a transaction");
    this.db.function(CHANGED_FUNCTION, { deterministic: false }, () => {
      this.scheduleFold();
      return null;
    });
    this.db.exec(INSTALL_SQL);
    this.installed = {
      journal: this.db.prepare<[], Change>("SELECT worker_id, alarm_id, delta FROM temp.busy_changes ORDER BY rowid"),
      clear: this.db.prepare<[]>("DELETE FROM temp.busy_changes"),
      // Its own statement (pluck() copies a shared one): a number, compared on every lookup.
      dataVersion: this.db.prepare<[], number>("PRAGMA data_version").pluck(),
      version: 0,
    };
    this.rebuild(this.installed);
  }

  /** Removes the triggers and the journal; lookups ask the tables again. */
  stop(): void {
    if (!this.installed) return;
    this.installed = null;
    this.holds.clear();
    if (this.db.open && !this.db.inTransaction) this.db.exec(UNINSTALL_SQL);
  }

  lookup(exceptAlarmId: number | null): Promise<BusyLookup> {
    return Promise.resolve(this.lookupNow(exceptAlarmId));
  }

  all(exceptAlarmId: number | null): Promise<Map<number, number>> {
    return Promise.resolve(this.allNow(exceptAlarmId));
  }

  /** Busy workers as this connection sees them now, not counting what `exceptAlarmId` holds. */
  lookupNow(exceptAlarmId: number | null): BusyLookup {
    const installed = this.current();
    if (!installed) return this.fromTables(exceptAlarmId);
    if (!this.db.inTransaction) {
      this.fold(installed);
      return new HoldsLookup(this.holds, null, exceptAlarmId);
    }
    return new HoldsLookup(this.holds, overlayOf(installed.journal.all()), exceptAlarmId);
  }

  /**
   * Folds what has been committed into memory now, rather than at the next turn of the event loop:
   * called after a dispatch commit, so the next alarm's lookup finds a short journal even when many
   * alarms are handled within one turn. Inside a transaction it does nothing.
   */
  sync(): void {
    if (this.db.inTransaction) return;
    const installed = this.current();
    if (installed) this.fold(installed);
  }

  /** Every busy worker → one alarm they are busy with (the map's layer; not for the alarm path). */
  allNow(exceptAlarmId: number | null): Map<number, number> {
    const lookup = this.lookupNow(exceptAlarmId);
    if (lookup instanceof Map) return lookup;
    const out = new Map<number, number>();
    for (const workerId of (lookup as HoldsLookup).workers()) {
      const alarmId = lookup.get(workerId);
      if (alarmId !== undefined) out.set(workerId, alarmId);
    }
    return out;
  }

  /** The installed mirror when it is current; null when the tables must answer (not started, or stale inside a transaction). */
  private current(): Installed | null {
    const installed = this.installed;
    if (!installed || !this.db.open) return null;
    if (installed.dataVersion.get() === installed.version) return installed;
    if (this.db.inTransaction) {
      this.scheduleFold();
      return null;
    }
    this.rebuild(installed);
    return installed;
  }

  private fromTables(exceptAlarmId: number | null): Map<number, number> {
    const rows = this.db
      .prepare(`SELECT worker_id, alarm_id FROM (${HOLDING_ROWS}) WHERE alarm_id IS NOT ?`)
      .all(exceptAlarmId) as { worker_id: number; alarm_id: number }[];
    return new Map(rows.map((r) => [r.worker_id, r.alarm_id]));
  }

  private rebuild(installed: Installed): void {
    this.holds.clear();
    const rows = this.db.prepare(HOLDING_ROWS).all() as { worker_id: number; alarm_id: number }[];
    for (const r of rows) add(this.holds, r.worker_id, r.alarm_id, 1);
    installed.clear.run();
    installed.version = installed.dataVersion.get() ?? 0;
  }

  /** Committed journal rows into memory; only outside a transaction. */
  private fold(installed: Installed): void {
    const changes = installed.journal.all();
    if (changes.length === 0) return;
    let consistent = true;
    for (const c of changes) consistent = add(this.holds, c.worker_id, c.alarm_id, c.delta) && consistent;
    installed.clear.run();
    // A hold released more often than taken cannot happen; should it, the tables decide.
    if (!consistent) this.rebuild(installed);
  }

  /** Called by the triggers: folds once the writing transaction is over (committed or rolled back). */
  private scheduleFold(): void {
    if (this.foldPending) return;
    this.foldPending = true;
    setImmediate(() => {
      this.foldPending = false;
      if (!this.db.open) return;
      if (this.db.inTransaction) return this.scheduleFold();
      const installed = this.current();
      if (installed) this.fold(installed);
    }).unref();
  }
}

function add(holds: Holds, workerId: number, alarmId: number, delta: number): boolean {
  let alarms = holds.get(workerId);
  if (!alarms) {
    alarms = new Map();
    holds.set(workerId, alarms);
  }
  const count = (alarms.get(alarmId) ?? 0) + delta;
  if (count > 0) alarms.set(alarmId, count);
  else alarms.delete(alarmId);
  if (alarms.size === 0) holds.delete(workerId);
  return count >= 0;
}

function overlayOf(changes: readonly Change[]): Holds | null {
  if (changes.length === 0) return null;
  const overlay: Holds = new Map();
  for (const c of changes) {
    let alarms = overlay.get(c.worker_id);
    if (!alarms) {
      alarms = new Map();
      overlay.set(c.worker_id, alarms);
    }
    alarms.set(c.alarm_id, (alarms.get(c.alarm_id) ?? 0) + c.delta);
  }
  return overlay;
}

/** Memory plus this transaction's journal, without copying memory. */
class HoldsLookup implements BusyLookup {
  private readonly holds: Holds;
  private readonly overlay: Holds | null;
  private readonly except: number | null;

  constructor(holds: Holds, overlay: Holds | null, except: number | null) {
    this.holds = holds;
    this.overlay = overlay;
    this.except = except;
  }

  has(workerId: number): boolean {
    return this.get(workerId) !== undefined;
  }

  get(workerId: number): number | undefined {
    const held = this.holds.get(workerId);
    const extra = this.overlay?.get(workerId);
    if (held) {
      for (const [alarmId, count] of held) {
        if (alarmId !== this.except && count + (extra?.get(alarmId) ?? 0) > 0) return alarmId;
      }
    }
    if (extra) {
      for (const [alarmId, count] of extra) {
        if (alarmId !== this.except && count > 0 && !held?.has(alarmId)) return alarmId;
      }
    }
    return undefined;
  }

  workers(): Set<number> {
    return new Set([...this.holds.keys(), ...(this.overlay?.keys() ?? [])]);
  }
}
