/**
 * Lifecycle storage next to the alarm rows: repeated presses, escalations
 * (one row per alarm, kind and level, so each fires once even across restarts)
 * and the overdue list, all computed from stored timestamps.
 */
import { ALARM_STATUSES, CLOSED_STATUSES } from "../../protocol/console/index.ts";
import type { AlarmRow } from "../storage/alarm-repo.ts";
import { isoPlusSeconds } from "../storage/sql/dialect-sql.ts";
import type { SqlDialect, SqlSession } from "../storage/sql/sql-port.ts";

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
/** When a resolved alarm's follow-up visit is due: as set, else `?` seconds after a real alarm was resolved. */
const followUpDueSql = (dialect: SqlDialect) =>
  `COALESCE(follow_up_due_at, CASE WHEN outcome = 'real' THEN ${isoPlusSeconds(dialect, "resolved_at", "?")} END)`;

export class LifecycleRepository {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  async addPress(alarmId: number): Promise<number> {
    const row = await this.sql.get<{ press_count: number }>(
      "UPDATE alarms SET press_count = press_count + 1 WHERE id = ? RETURNING press_count",
      [alarmId],
    );
    return row?.press_count ?? 0;
  }

  async setFollowUpDue(alarmId: number, dueAt: string): Promise<void> {
    await this.sql.run("UPDATE alarms SET follow_up_due_at = ? WHERE id = ?", [dueAt, alarmId]);
  }

  /**
   * Records an escalation level; false when it was recorded before (it already
   * fired). Each ack or arrival escalation counts one more on the alarm's
   * `escalation_level`, so every new one is a rise the consoles re-alert on.
   */
  async recordEscalation(alarmId: number, kind: EscalationKind, level: number, at: string): Promise<boolean> {
    const result = await this.sql.run(
      "INSERT INTO alarm_escalations (alarm_id, kind, level, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
      [alarmId, kind, level, at],
    );
    if (result.changes === 0) return false;
    if (kind === "ack" || kind === "arrival") {
      await this.sql.run("UPDATE alarms SET escalation_level = escalation_level + 1 WHERE id = ?", [alarmId]);
    }
    return true;
  }

  escalations(alarmId: number): Promise<{ kind: EscalationKind; level: number; at: string }[]> {
    return this.sql.all<{ kind: EscalationKind; level: number; at: string }>(
      "SELECT kind, level, at FROM alarm_escalations WHERE alarm_id = ? ORDER BY at, kind, level",
      [alarmId],
    );
  }

  /**
   * Open, unacknowledged, non-test alarms received at or before `cutoff`, each
   * with the highest acknowledgement escalation level it reached (null: none
   * yet), that may be due for their next level: none reached yet, or the next
   * re-alert's time (`realertS` after the last level's) has come. The caller
   * decides the level; this only keeps the rows already re-alerted for now out
   * of every second's pass (the partial index `alarms_unacknowledged`).
   */
  unacknowledged(cutoff: string, realertS: number): Promise<(AlarmRow & { ack_level: number | null })[]> {
    const realertCutoff = isoPlusSeconds(this.sql.dialect, "?", "-(ack_level * ?)");
    return this.sql.all<AlarmRow & { ack_level: number | null }>(
      `SELECT * FROM (
         SELECT a.*, (SELECT MAX(e.level) FROM alarm_escalations e WHERE e.alarm_id = a.id AND e.kind = 'ack') AS ack_level
           FROM alarms a WHERE ${OPEN_SQL} AND acknowledged_at IS NULL AND kind != 'test' AND received_at <= ?) AS waiting
        WHERE ack_level IS NULL OR (? > 0 AND received_at <= ${realertCutoff})
        ORDER BY id`,
      [cutoff, realertS, cutoff, realertS],
    );
  }

  /** Open SOS alarms with nobody on scene, received at or before `cutoff`, not yet escalated at `level`. */
  missedArrival(cutoff: string, level: number): Promise<AlarmRow[]> {
    return this.sql.all<AlarmRow>(
      `SELECT * FROM alarms a WHERE ${OPEN_SQL} AND kind = 'sos' AND status != 'on_scene' AND received_at <= ?
         AND NOT EXISTS (SELECT 1 FROM alarm_escalations e WHERE e.alarm_id = a.id AND e.kind = 'arrival' AND e.level = ?)
       ORDER BY id`,
      [cutoff, level],
    );
  }

  /**
   * Open non-test alarms received at or before `resolutionCutoff`, and resolved alarms whose follow-up is past due.
   * `unmarkedOnly`: only those not yet marked overdue (the deadline watcher's pass; the API lists them all).
   */
  async overdue(
    now: string,
    resolutionCutoff: string,
    followUpDays: number,
    unmarkedOnly = false,
  ): Promise<OverdueRow[]> {
    const unmarked = (kind: EscalationKind) =>
      unmarkedOnly
        ? `AND NOT EXISTS (SELECT 1 FROM alarm_escalations e WHERE e.alarm_id = alarms.id AND e.kind = '${kind}' AND e.level = 1)`
        : "";
    const open = await this.sql.all<AlarmRow>(
      `SELECT * FROM alarms WHERE ${OPEN_SQL} AND kind != 'test' AND received_at <= ? ${unmarked("resolution")}
        ORDER BY received_at`,
      [resolutionCutoff],
    );
    const followUps = await this.sql.all<AlarmRow & { due: string }>(
      `SELECT * FROM (
         SELECT *, ${followUpDueSql(this.sql.dialect)} AS due FROM alarms
          WHERE ${FOLLOW_UP_CANDIDATES_SQL} ${unmarked("follow_up")}) AS candidates
       WHERE due IS NOT NULL AND due <= ? ORDER BY due`,
      [Math.round(followUpDays * 86_400), now],
    );
    return [
      ...open.map((alarm) => ({ alarm, kind: "resolution" as const, dueAt: alarm.received_at })),
      ...followUps.map(({ due, ...alarm }) => ({ alarm, kind: "follow_up" as const, dueAt: due })),
    ];
  }

  async contactFor(alarmId: number): Promise<EscalationContact> {
    const row = await this.sql.get<EscalationContact>(
      `SELECT h.address AS address, g.name AS "gridName", g.leader_phone AS "leaderPhone"
         FROM alarms a LEFT JOIN households h ON h.id = a.household_id LEFT JOIN grids g ON g.id = h.grid_id
        WHERE a.id = ?`,
      [alarmId],
    );
    return row ?? { address: null, gridName: null, leaderPhone: null };
  }
}
