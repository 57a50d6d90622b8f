/**
 * SQL for the relatives' cascade: one `relative_cascades` row per SOS, one
 * `relative_contacts` row per SMS or call to a relative. Every method runs in
 * the caller's transaction.
 */
import { ALARM_STATUSES, CLOSED_STATUSES } from "../storage/alarm-repo.ts";
import type { Db } from "../storage/database.ts";
import type { OutboxChannel } from "../storage/outbox-repo.ts";

export type CascadeStatus = "texting" | "calling" | "confirmed" | "unreachable" | "stopped";
/** `cancelled`: the cascade stopped while this contact's call was pending or ringing, and the hub withdrew or ended it. */
export type ContactOutcome = "waiting" | "failed" | "answered" | "confirmed" | "cancelled";

export interface CascadeRow {
  alarm_id: number;
  status: CascadeStatus;
  step: number;
  wave: number;
  deadline_at: string | null;
  started_at: string;
  finished_at: string | null;
  confirmed_contact_id: number | null;
}

export interface ContactRow {
  id: number;
  alarm_id: number;
  relative_id: number;
  priority: number;
  name: string;
  phone: string;
  language: string;
  channel: OutboxChannel;
  step: number;
  outbox_id: number | null;
  outcome: ContactOutcome;
  created_at: string;
  settled_at: string | null;
}

/** A contact whose message or call has ended, as the outbox knows it. */
export interface EndedContact extends ContactRow {
  outbox_status: "pending" | "sent" | "failed";
  delivery_status: string | null;
  last_error: string | null;
}

/** A voice contact with what the outbox knows of its call. */
export interface CallContact extends ContactRow {
  outbox_id: number;
  outbox_status: "pending" | "sent" | "failed";
  provider_ref: string | null;
  delivery_status: string | null;
}

export type NewContact = Omit<ContactRow, "id" | "outcome" | "settled_at">;

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");
/** Open as the list of open states, which the index on `alarms.status` serves (`NOT IN` it cannot). */
const OPEN_SQL = `a.status IN (${ALARM_STATUSES.filter((s) => !CLOSED_STATUSES.includes(s))
  .map((s) => `'${s}'`)
  .join(", ")})`;

export class CascadeRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  cascade(alarmId: number): CascadeRow | undefined {
    return this.db.prepare("SELECT * FROM relative_cascades WHERE alarm_id = ?").get(alarmId) as CascadeRow | undefined;
  }

  /** False when the alarm already has a cascade. */
  insertCascade(alarmId: number, startedAt: string): boolean {
    return (
      this.db
        .prepare("INSERT OR IGNORE INTO relative_cascades (alarm_id, status, started_at) VALUES (?, 'texting', ?)")
        .run(alarmId, startedAt).changes > 0
    );
  }

  /** Moves to a new step: its status, how many waves so far, and when it times out. */
  beginStep(alarmId: number, status: "texting" | "calling", wave: number, deadlineAt: string): number {
    this.db
      .prepare("UPDATE relative_cascades SET status = ?, step = step + 1, wave = ?, deadline_at = ? WHERE alarm_id = ?")
      .run(status, wave, deadlineAt, alarmId);
    return this.cascade(alarmId)?.step ?? 0;
  }

  finish(alarmId: number, status: "confirmed" | "unreachable" | "stopped", at: string, contactId?: number): void {
    this.db
      .prepare(
        "UPDATE relative_cascades SET status = ?, deadline_at = NULL, finished_at = ?, confirmed_contact_id = ? WHERE alarm_id = ?",
      )
      .run(status, at, contactId ?? null, alarmId);
  }

  /** Running cascades whose step has timed out. ISO timestamps compare as text. */
  dueCascades(nowIso: string): number[] {
    return (
      this.db
        .prepare(
          "SELECT alarm_id FROM relative_cascades WHERE status IN ('texting', 'calling') AND deadline_at <= ? ORDER BY deadline_at",
        )
        .all(nowIso) as { alarm_id: number }[]
    ).map((r) => r.alarm_id);
  }

  /** Running cascades of alarms someone closed in a way that did not stop them. */
  runningForClosedAlarms(): number[] {
    return (
      this.db
        .prepare(
          `SELECT c.alarm_id FROM relative_cascades c JOIN alarms a ON a.id = c.alarm_id
           WHERE c.status IN ('texting', 'calling') AND a.status IN (${CLOSED_SQL})`,
        )
        .all() as { alarm_id: number }[]
    ).map((r) => r.alarm_id);
  }

  insertContact(contact: NewContact): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO relative_contacts
           (alarm_id, relative_id, priority, name, phone, language, channel, step, outbox_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        contact.alarm_id,
        contact.relative_id,
        contact.priority,
        contact.name,
        contact.phone,
        contact.language,
        contact.channel,
        contact.step,
        contact.outbox_id,
        contact.created_at,
      );
  }

  contacts(alarmId: number): ContactRow[] {
    return this.db
      .prepare("SELECT * FROM relative_contacts WHERE alarm_id = ? ORDER BY id")
      .all(alarmId) as ContactRow[];
  }

  contact(id: number): ContactRow | undefined {
    return this.db.prepare("SELECT * FROM relative_contacts WHERE id = ?").get(id) as ContactRow | undefined;
  }

  contactedRelatives(alarmId: number, channel: OutboxChannel): Set<number> {
    const rows = this.db
      .prepare("SELECT relative_id FROM relative_contacts WHERE alarm_id = ? AND channel = ?")
      .all(alarmId, channel) as { relative_id: number }[];
    return new Set(rows.map((r) => r.relative_id));
  }

  waitingInStep(alarmId: number, step: number): number {
    return (
      this.db
        .prepare("SELECT COUNT(*) AS n FROM relative_contacts WHERE alarm_id = ? AND step = ? AND outcome = 'waiting'")
        .get(alarmId, step) as { n: number }
    ).n;
  }

  /** Records how a contact ended; `from` guards against a concurrent settle. True when it changed. */
  settle(id: number, outcome: ContactOutcome, at: string, from: readonly ContactOutcome[]): boolean {
    const placeholders = from.map(() => "?").join(", ");
    return (
      this.db
        .prepare(
          `UPDATE relative_contacts SET outcome = ?, settled_at = ? WHERE id = ? AND outcome IN (${placeholders})`,
        )
        .run(outcome, at, id, ...from).changes > 0
    );
  }

  /**
   * Contacts still waiting whose message or call has ended badly or been
   * answered: refused by the provider for good, or a failed / undelivered /
   * busy / no-answer / completed status. Only open alarms (or one outbox row),
   * so the watcher's pass stays small however long the history grows: a
   * delivered SMS nobody answered stays `waiting` for good, so the pass starts
   * from the open alarms (CROSS JOIN fixes that order), never from every
   * waiting contact ever made.
   */
  endedContacts(outboxId?: number): EndedContact[] {
    // `+c.outcome`: not a key for an index, so each open alarm's contacts are found by alarm_id, not by
    // walking every waiting contact ever made once per open alarm.
    const ended = `+c.outcome = 'waiting' AND (o.status = 'failed' OR o.delivery_status IN
      ('failed', 'undelivered', 'canceled', 'busy', 'no-answer', 'completed'))`;
    const columns = "c.*, o.status AS outbox_status, o.delivery_status, o.last_error";
    if (outboxId !== undefined) {
      return this.db
        .prepare(
          `SELECT ${columns} FROM outbox o JOIN relative_contacts c ON c.outbox_id = o.id JOIN alarms a ON a.id = c.alarm_id
           WHERE o.id = ? AND ${ended} ORDER BY c.id`,
        )
        .all(outboxId) as EndedContact[];
    }
    return this.db
      .prepare(
        `SELECT ${columns} FROM alarms a CROSS JOIN relative_contacts c ON c.alarm_id = a.id CROSS JOIN outbox o ON o.id = c.outbox_id
         WHERE ${OPEN_SQL} AND ${ended} ORDER BY c.id`,
      )
      .all() as EndedContact[];
  }

  /** The alarm's voice calls, in the order they were made. */
  calls(alarmId: number): CallContact[] {
    return this.db
      .prepare(
        `SELECT c.*, o.status AS outbox_status, o.provider_ref, o.delivery_status
         FROM relative_contacts c JOIN outbox o ON o.id = c.outbox_id
         WHERE c.alarm_id = ? AND c.channel = 'voice' ORDER BY c.id`,
      )
      .all(alarmId) as CallContact[];
  }

  /** The contact a call (its CallSid) was placed for, while its alarm is still open. */
  openContactByCallSid(callSid: string): ContactRow | undefined {
    return this.db
      .prepare(
        `SELECT c.* FROM outbox o JOIN relative_contacts c ON c.outbox_id = o.id JOIN alarms a ON a.id = c.alarm_id
         WHERE o.provider_ref = ? AND o.channel = 'voice' AND a.status NOT IN (${CLOSED_SQL})`,
      )
      .get(callSid) as ContactRow | undefined;
  }

  /** The most recent contact made to this number for an alarm that is still open. */
  latestOpenContactByPhone(phone: string): ContactRow | undefined {
    return this.db
      .prepare(
        `SELECT c.* FROM relative_contacts c JOIN alarms a ON a.id = c.alarm_id
         WHERE c.phone = ? AND a.status NOT IN (${CLOSED_SQL}) ORDER BY c.id DESC LIMIT 1`,
      )
      .get(phone) as ContactRow | undefined;
  }

  /** False when this inbound SMS was seen before (`twilio_inbound_sms`, migration 14): a replay. */
  recordInboundSms(messageSid: string, at: string): boolean {
    return (
      this.db
        .prepare("INSERT OR IGNORE INTO twilio_inbound_sms (message_sid, received_at) VALUES (?, ?)")
        .run(messageSid, at).changes > 0
    );
  }
}
