/**
 * SQL for the relatives' cascade: one `relative_cascades` row per SOS, one
 * `relative_contacts` row per SMS or call to a relative. Every method runs in
 * the caller's transaction.
 */
import { ALARM_STATUSES, CLOSED_STATUSES } from "../../protocol/console/index.ts";
import type { OutboxChannel } from "../storage/outbox-repo.ts";
import type { SqlDialect, SqlSession } from "../storage/sql/sql-port.ts";

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

/**
 * Contacts still waiting whose message or call ended badly or was answered, over the open alarms: on
 * SQLite `CROSS JOIN` fixes the join order (open alarms first) and `+c.outcome` keeps the planner off the
 * outcome index, so the pass never walks every waiting contact ever made; PostgreSQL's planner needs
 * neither hint (and reads neither).
 */
function endedContactsSql(dialect: SqlDialect, columns: string, ended: (outcome: string) => string): string {
  return dialect === "sqlite"
    ? `SELECT ${columns} FROM alarms a CROSS JOIN relative_contacts c ON c.alarm_id = a.id
       CROSS JOIN outbox o ON o.id = c.outbox_id
       WHERE ${OPEN_SQL} AND ${ended("+c.outcome")} ORDER BY c.id`
    : `SELECT ${columns} FROM alarms a JOIN relative_contacts c ON c.alarm_id = a.id JOIN outbox o ON o.id = c.outbox_id
       WHERE ${OPEN_SQL} AND ${ended("c.outcome")} ORDER BY c.id`;
}

export class CascadeRepository {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  cascade(alarmId: number): Promise<CascadeRow | undefined> {
    return this.sql.get<CascadeRow>("SELECT * FROM relative_cascades WHERE alarm_id = ?", [alarmId]);
  }

  /** False when the alarm already has a cascade. */
  async insertCascade(alarmId: number, startedAt: string): Promise<boolean> {
    const result = await this.sql.run(
      "INSERT INTO relative_cascades (alarm_id, status, started_at) VALUES (?, 'texting', ?) ON CONFLICT DO NOTHING",
      [alarmId, startedAt],
    );
    return result.changes > 0;
  }

  /** Moves to a new step: its status, how many waves so far, and when it times out. */
  async beginStep(alarmId: number, status: "texting" | "calling", wave: number, deadlineAt: string): Promise<number> {
    const row = await this.sql.get<{ step: number }>(
      "UPDATE relative_cascades SET status = ?, step = step + 1, wave = ?, deadline_at = ? WHERE alarm_id = ? RETURNING step",
      [status, wave, deadlineAt, alarmId],
    );
    return row?.step ?? 0;
  }

  async finish(
    alarmId: number,
    status: "confirmed" | "unreachable" | "stopped",
    at: string,
    contactId?: number,
  ): Promise<void> {
    await this.sql.run(
      "UPDATE relative_cascades SET status = ?, deadline_at = NULL, finished_at = ?, confirmed_contact_id = ? WHERE alarm_id = ?",
      [status, at, contactId ?? null, alarmId],
    );
  }

  /** Running cascades whose step has timed out. ISO timestamps compare as text. */
  async dueCascades(nowIso: string): Promise<number[]> {
    const rows = await this.sql.all<{ alarm_id: number }>(
      "SELECT alarm_id FROM relative_cascades WHERE status IN ('texting', 'calling') AND deadline_at <= ? ORDER BY deadline_at",
      [nowIso],
    );
    return rows.map((r) => r.alarm_id);
  }

  /** Running cascades of alarms someone closed in a way that did not stop them. */
  async runningForClosedAlarms(): Promise<number[]> {
    const rows = await this.sql.all<{ alarm_id: number }>(
      `SELECT c.alarm_id FROM relative_cascades c JOIN alarms a ON a.id = c.alarm_id
       WHERE c.status IN ('texting', 'calling') AND a.status IN (${CLOSED_SQL})`,
    );
    return rows.map((r) => r.alarm_id);
  }

  async insertContact(contact: NewContact): Promise<void> {
    await this.sql.run(
      `INSERT INTO relative_contacts
         (alarm_id, relative_id, priority, name, phone, language, channel, step, outbox_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
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
      ],
    );
  }

  contacts(alarmId: number): Promise<ContactRow[]> {
    return this.sql.all<ContactRow>("SELECT * FROM relative_contacts WHERE alarm_id = ? ORDER BY id", [alarmId]);
  }

  contact(id: number): Promise<ContactRow | undefined> {
    return this.sql.get<ContactRow>("SELECT * FROM relative_contacts WHERE id = ?", [id]);
  }

  async contactedRelatives(alarmId: number, channel: OutboxChannel): Promise<Set<number>> {
    const rows = await this.sql.all<{ relative_id: number }>(
      "SELECT relative_id FROM relative_contacts WHERE alarm_id = ? AND channel = ?",
      [alarmId, channel],
    );
    return new Set(rows.map((r) => r.relative_id));
  }

  async waitingInStep(alarmId: number, step: number): Promise<number> {
    const row = await this.sql.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM relative_contacts WHERE alarm_id = ? AND step = ? AND outcome = 'waiting'",
      [alarmId, step],
    );
    return row?.n ?? 0;
  }

  /** Records how a contact ended; `from` guards against a concurrent settle. True when it changed. */
  async settle(id: number, outcome: ContactOutcome, at: string, from: readonly ContactOutcome[]): Promise<boolean> {
    const placeholders = from.map(() => "?").join(", ");
    const result = await this.sql.run(
      `UPDATE relative_contacts SET outcome = ?, settled_at = ? WHERE id = ? AND outcome IN (${placeholders})`,
      [outcome, at, id, ...from],
    );
    return result.changes > 0;
  }

  /**
   * Contacts still waiting whose message or call has ended badly or been
   * answered: refused by the provider for good, or a failed / undelivered /
   * busy / no-answer / completed status. Only open alarms (or one outbox row),
   * so the watcher's pass stays small however long the history grows: a
   * delivered SMS nobody answered stays `waiting` for good, so the pass starts
   * from the open alarms, never from every waiting contact ever made.
   */
  endedContacts(outboxId?: number): Promise<EndedContact[]> {
    const ended = (outcome: string) => `${outcome} = 'waiting' AND (o.status = 'failed' OR o.delivery_status IN
      ('failed', 'undelivered', 'canceled', 'busy', 'no-answer', 'completed'))`;
    const columns = "c.*, o.status AS outbox_status, o.delivery_status, o.last_error";
    if (outboxId !== undefined) {
      return this.sql.all<EndedContact>(
        `SELECT ${columns} FROM outbox o JOIN relative_contacts c ON c.outbox_id = o.id JOIN alarms a ON a.id = c.alarm_id
         WHERE o.id = ? AND ${ended("c.outcome")} ORDER BY c.id`,
        [outboxId],
      );
    }
    return this.sql.all<EndedContact>(endedContactsSql(this.sql.dialect, columns, ended));
  }

  /** The alarm's voice calls, in the order they were made. */
  calls(alarmId: number): Promise<CallContact[]> {
    return this.sql.all<CallContact>(
      `SELECT c.*, o.status AS outbox_status, o.provider_ref, o.delivery_status
       FROM relative_contacts c JOIN outbox o ON o.id = c.outbox_id
       WHERE c.alarm_id = ? AND c.channel = 'voice' ORDER BY c.id`,
      [alarmId],
    );
  }

  /** The contact a call (its CallSid) was placed for, while its alarm is still open. */
  openContactByCallSid(callSid: string): Promise<ContactRow | undefined> {
    return this.sql.get<ContactRow>(
      `SELECT c.* FROM outbox o JOIN relative_contacts c ON c.outbox_id = o.id JOIN alarms a ON a.id = c.alarm_id
       WHERE o.provider_ref = ? AND o.channel = 'voice' AND a.status NOT IN (${CLOSED_SQL})`,
      [callSid],
    );
  }

  /** The most recent contact made to this number for an alarm that is still open. */
  latestOpenContactByPhone(phone: string): Promise<ContactRow | undefined> {
    return this.sql.get<ContactRow>(
      `SELECT c.* FROM relative_contacts c JOIN alarms a ON a.id = c.alarm_id
       WHERE c.phone = ? AND a.status NOT IN (${CLOSED_SQL}) ORDER BY c.id DESC LIMIT 1`,
      [phone],
    );
  }

  /** False when this inbound SMS was seen before (`twilio_inbound_sms`, migration 14): a replay. */
  async recordInboundSms(messageSid: string, at: string): Promise<boolean> {
    const result = await this.sql.run(
      "INSERT INTO twilio_inbound_sms (message_sid, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
      [messageSid, at],
    );
    return result.changes > 0;
  }
}
