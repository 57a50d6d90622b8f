/**
 * SQL for keeping families informed: the queue of steps the trigger of
 * migration 12 fills (`family_updates_due`), who of the alarm's relatives is
 * told, and what the clinic was told. Every method runs in the caller's transaction.
 */
import type { SqlSession } from "../storage/sql/sql-port.ts";

/** The alarm events the trigger queues. */
export type FamilyEventType = "offer_accepted" | "on_scene" | "resolved" | "cancelled";

export interface DueUpdate {
  event_id: number;
  alarm_id: number;
  type: FamilyEventType;
  created_at: string;
  /** The alarm event's detail (JSON): the worker, the outcome. */
  detail: string | null;
}

/** A relative texted for this alarm, as the cascade texted them (number and language at the time). */
export interface FamilyRecipient {
  relative_id: number;
  name: string;
  phone: string;
  language: string;
}

export class FamilyRepository {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  /** Steps not yet turned into SMS, oldest first. */
  pending(limit: number): Promise<DueUpdate[]> {
    return this.sql.all<DueUpdate>(
      `SELECT d.event_id, d.alarm_id, d.type, d.created_at, e.detail
       FROM family_updates_due d JOIN alarm_events e ON e.id = d.event_id
       WHERE d.done_at IS NULL ORDER BY d.event_id LIMIT ?`,
      [limit],
    );
  }

  async isDone(eventId: number): Promise<boolean> {
    const row = await this.sql.get<{ done_at: string | null }>(
      "SELECT done_at FROM family_updates_due WHERE event_id = ?",
      [eventId],
    );
    return row?.done_at != null;
  }

  /** A later step of the same alarm is queued: this one is old news. */
  async hasLaterStep(alarmId: number, eventId: number): Promise<boolean> {
    const row = await this.sql.get(
      "SELECT 1 AS later FROM family_updates_due WHERE alarm_id = ? AND event_id > ? LIMIT 1",
      [alarmId, eventId],
    );
    return row !== undefined;
  }

  async markDone(eventId: number, at: string, result: Record<string, unknown>): Promise<void> {
    await this.sql.run("UPDATE family_updates_due SET done_at = ?, result = ? WHERE event_id = ? AND done_at IS NULL", [
      at,
      JSON.stringify(result),
      eventId,
    ]);
  }

  /**
   * The relatives who were texted for this alarm and still want updates: an
   * SMS of theirs that the provider refused for good is not tried again, and a
   * relative the registry no longer has (or who switched updates off) is left alone.
   */
  recipients(alarmId: number): Promise<FamilyRecipient[]> {
    return this.sql.all<FamilyRecipient>(
      `SELECT c.relative_id, c.name, c.phone, c.language
       FROM relative_contacts c
       JOIN outbox o ON o.id = c.outbox_id
       JOIN relatives r ON r.id = c.relative_id
       WHERE c.alarm_id = ? AND c.channel = 'sms' AND o.status <> 'failed' AND r.updates = 1
       ORDER BY c.priority, c.id`,
      [alarmId],
    );
  }
}
