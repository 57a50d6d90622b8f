/**
 * Lifecycle storage next to the alarm rows: repeated presses, escalations
 * (one row per alarm, kind and level, so each fires once even across restarts)
 * and the overdue list, all computed from stored timestamps.
 */
import { ALARM_STATUSES, type AlarmRow, CLOSED_STATUSES } from "../storage/alarm-repo.ts";
import type { Db } from "../storage/database.ts";

export type EscalationKind = "ack" | "arrival" | "resolution" | "follow_up";

export interface EscalationContact {
  address: string | null;
  gridName: string | null;
  leaderPhone: string | null;
}

export interface OverdueRow {
  alarm: AlarmRow;
  kind: "resolution" | "follow_up";
  dueAt: string;
}

/**
 * Open, as a list of the open states rather than "not closed": an index on
 * `status` serves `IN`, not `NOT IN`, and these queries run every second over
 * a table that keeps every alarm ever made (issue 12).
 */
const OPEN_SQL = `status IN (${ALARM_STATUSES.filter((s) => !CLOSED_STATUSES.includes(s))
  .map((s) => `'${s}'`)
  .join(", ")})`;

/**
 * Resolved alarms that can have a follow-up date; matches the partial index
 * `alarms_follow_up` (migration 17), so false alarms resolved long ago are never read.
 */
const FOLLOW_UP_CANDIDATES_SQL = "status = 'resolved' AND (outcome = 'real' OR follow_up_due_at IS NOT NULL)";

/** The follow-up due time: the plan, or for a real emergency N days after resolution. */
const FOLLOW_UP_DUE_SQL = `COALESCE(follow_up_due_at,
  CASE WHEN outcome = 'real' THEN strftime('%Y-%m-%dT%H:%M:%fZ', resolved_at, '+' || ? || ' seconds') END)`;

export class LifecycleRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  addPress(alarmId: number): number {
    this.db.prepare("UPDATE alarms SET press_count = press_count + 1 WHERE id = ?").run(alarmId);
    const row = this.db.prepare("SELECT press_count FROM alarms WHERE id = ?").get(alarmId) as { press_count: number };
    return row.press_count;
  }

  setFollowUpDue(alarmId: number, dueAt: string): void {
    this.db.prepare("UPDATE alarms SET follow_up_due_at = ? WHERE id = ?").run(dueAt, alarmId);
  }

  /**
   * Records an escalation level; false when it was recorded before (it already
   * fired). Each ack or arrival escalation counts one more on the alarm's
   * `escalation_level`, so every new one is a rise the consoles re-alert on.
   */
  recordEscalation(alarmId: number, kind: EscalationKind, level: number, at: string): boolean {
    const result = this.db
      .prepare("INSERT OR IGNORE INTO alarm_escalations (alarm_id, kind, level, at) VALUES (?, ?, ?, ?)")
      .run(alarmId, kind, level, at);
    if (result.changes === 0) return false;
    if (kind === "ack" || kind === "arrival") {
      this.db.prepare("UPDATE alarms SET escalation_level = escalation_level + 1 WHERE id = ?").run(alarmId);
    }
    return true;
  }

  escalations(alarmId: number): { kind: EscalationKind; level: number; at: string }[] {
    return this.db
      .prepare("SELECT kind, level, at FROM alarm_escalations WHERE alarm_id = ? ORDER BY at, kind, level")
      .all(alarmId) as { kind: EscalationKind; level: number; at: string }[];
  }

  /**
   * Open, unacknowledged, non-test alarms received at or before `cutoff`, each
   * with the highest acknowledgement escalation level it reached (null: none
   * yet), that may be due for their next level: none reached yet, or the next
   * re-alert's time (`realertS` after the last level's) has come. The caller
   * decides the level; this only keeps the rows already re-alerted for now out
   * of every second's pass (the partial index `alarms_unacknowledged`).
   */
  unacknowledged(cutoff: string, realertS: number): (AlarmRow & { ack_level: number | null })[] {
    return this.db
      .prepare(
        `SELECT * FROM (
           SELECT a.*, (SELECT MAX(e.level) FROM alarm_escalations e WHERE e.alarm_id = a.id AND e.kind = 'ack') AS ack_level
             FROM alarms a WHERE ${OPEN_SQL} AND acknowledged_at IS NULL AND kind != 'test' AND received_at <= ?)
          WHERE ack_level IS NULL
             OR (? > 0 AND received_at <= strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-' || (ack_level * ?) || ' seconds'))
          ORDER BY id`,
      )
      .all(cutoff, realertS, cutoff, realertS) as (AlarmRow & { ack_level: number | null })[];
  }

  /** Open SOS alarms with nobody on scene, received at or before `cutoff`, not yet escalated at `level`. */
  missedArrival(cutoff: string, level: number): AlarmRow[] {
    return this.db
      .prepare(
        `SELECT * FROM alarms a WHERE ${OPEN_SQL} AND kind = 'sos' AND status != 'on_scene' AND received_at <= ?
           AND NOT EXISTS (SELECT 1 FROM alarm_escalations e WHERE e.alarm_id = a.id AND e.kind = 'arrival' AND e.level = ?)
         ORDER BY id`,
      )
      .all(cutoff, level) as AlarmRow[];
  }

  /**
   * Open non-test alarms received at or before `resolutionCutoff`, and resolved alarms whose follow-up is past due.
   * `unmarkedOnly`: only those not yet marked overdue (the deadline watcher's pass; the API lists them all).
   */
  overdue(now: string, resolutionCutoff: string, followUpDays: number, unmarkedOnly = false): OverdueRow[] {
    const unmarked = (kind: EscalationKind) =>
      unmarkedOnly
        ? `AND NOT EXISTS (SELECT 1 FROM alarm_escalations e WHERE e.alarm_id = alarms.id AND e.kind = '${kind}' AND e.level = 1)`
        : "";
    const open = this.db
      .prepare(
        `SELECT * FROM alarms WHERE ${OPEN_SQL} AND kind != 'test' AND received_at <= ? ${unmarked("resolution")}
          ORDER BY received_at`,
      )
      .all(resolutionCutoff) as AlarmRow[];
    const followUps = this.db
      .prepare(
        `SELECT * FROM (SELECT *, ${FOLLOW_UP_DUE_SQL} AS due FROM alarms WHERE ${FOLLOW_UP_CANDIDATES_SQL} ${unmarked("follow_up")})
         WHERE due IS NOT NULL AND due <= ? ORDER BY due`,
      )
      .all(Math.round(followUpDays * 86_400), now) as (AlarmRow & { due: string })[];
    return [
      ...open.map((alarm) => ({ alarm, kind: "resolution" as const, dueAt: alarm.received_at })),
      ...followUps.map(({ due, ...alarm }) => ({ alarm, kind: "follow_up" as const, dueAt: due })),
    ];
  }

  contactFor(alarmId: number): EscalationContact {
    const row = this.db
      .prepare(
        `SELECT h.address AS address, g.name AS gridName, g.leader_phone AS leaderPhone
           FROM alarms a LEFT JOIN households h ON h.id = a.household_id LEFT JOIN grids g ON g.id = h.grid_id
          WHERE a.id = ?`,
      )
      .get(alarmId) as EscalationContact | undefined;
    return row ?? { address: null, gridName: null, leaderPhone: null };
  }
}
