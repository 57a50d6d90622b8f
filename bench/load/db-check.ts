/**
 * What the hub's database says after a phase, read through a read-only
 * connection while the hub runs (WAL lets a reader in beside the writer):
 * alarms made, alarms made twice, alarms fully processed, and the outbox.
 */
import Database from "better-sqlite3";

export interface AlarmCounts {
  alarms: number;
  presses: number;
  /** Extra SOS alarms of a household beyond one (nothing closes SOS alarms in the bench, so >1 is a duplicate). */
  duplicateSos: number;
  /** Alarms no stored press points to: made twice for one press. */
  orphanAlarms: number;
  /** Alarms whose post-storage stages all ran (the last one, publish_dashboards, is recorded). */
  processed: number;
}

export interface OutboxCounts {
  sms: number;
  pending: number;
  sent: number;
  failed: number;
  /** The same text to the same person about the same alarm queued twice. */
  duplicates: number;
}

export interface OutboxRow {
  alarmId: number | null;
  recipient: string;
  body: string;
  purpose: string;
}

function withDb<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const count = (db: Database.Database, sql: string): number => (db.prepare(sql).get() as { n: number | null }).n ?? 0;

export function alarmCounts(file: string): AlarmCounts {
  return withDb(file, (db) => ({
    alarms: count(db, "SELECT COUNT(*) AS n FROM alarms"),
    presses: count(db, "SELECT COUNT(*) AS n FROM presses"),
    duplicateSos: count(
      db,
      `SELECT SUM(n - 1) AS n FROM (SELECT COUNT(*) AS n FROM alarms WHERE kind = 'sos'
         GROUP BY COALESCE(household_id, 'device:' || device_id) HAVING COUNT(*) > 1)`,
    ),
    orphanAlarms: count(
      db,
      "SELECT COUNT(*) AS n FROM alarms a WHERE NOT EXISTS (SELECT 1 FROM presses p WHERE p.alarm_id = a.id)",
    ),
    processed: count(db, "SELECT COUNT(*) AS n FROM alarms WHERE stages_done LIKE '%publish_dashboards%'"),
  }));
}

export function outboxCounts(file: string): OutboxCounts {
  return withDb(file, (db) => ({
    sms: count(db, "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'sms'"),
    pending: count(db, "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'sms' AND status = 'pending'"),
    sent: count(db, "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'sms' AND status = 'sent'"),
    failed: count(db, "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'sms' AND status = 'failed'"),
    duplicates: count(
      db,
      `SELECT SUM(n - 1) AS n FROM (SELECT COUNT(*) AS n FROM outbox WHERE channel = 'sms'
         GROUP BY alarm_id, recipient, body HAVING COUNT(*) > 1)`,
    ),
  }));
}

export function outboxRows(file: string): OutboxRow[] {
  return withDb(
    file,
    (db) =>
      db
        .prepare("SELECT alarm_id AS alarmId, recipient, body, purpose FROM outbox WHERE channel = 'sms' ORDER BY id")
        .all() as OutboxRow[],
  );
}

/** Of these alarms: how many have not run every post-storage stage, and when the stages' last event was written. */
export interface StageProgress {
  unprocessed: number;
  /** Epoch ms of the newest first stage event (located, relatives' SMS queued, dispatched), NaN with none. */
  lastStageEventAt: number;
}

/**
 * The events the post-storage stages write (locate, notify_relatives, dispatch; publish_dashboards writes
 * none). Some are written again later by other parts (a second SMS wave, an offer after a decline or a
 * timeout), so each alarm's FIRST event of each type is taken: the one its stage wrote.
 */
const STAGE_EVENTS = [
  "located",
  "unlocated",
  "relatives_wave_sent",
  "relatives_not_notified",
  "dispatch_ranked",
  "dispatch_impossible",
  "clinic_selected",
  "clinic_unavailable",
  "offer_sent",
  "dispatch_exhausted",
  "stage_skipped",
];

export function stageProgress(file: string, alarmIds: readonly number[]): StageProgress {
  const ids = JSON.stringify([...new Set(alarmIds)]);
  return withDb(file, (db) => {
    const unprocessed = db
      .prepare(
        `SELECT COUNT(*) AS n FROM alarms WHERE id IN (SELECT value FROM json_each(?))
           AND (stages_done IS NULL OR stages_done NOT LIKE '%publish_dashboards%')`,
      )
      .get(ids) as { n: number };
    if (unprocessed.n > 0) return { unprocessed: unprocessed.n, lastStageEventAt: Number.NaN };
    const last = db
      .prepare(
        `SELECT MAX(first_at) AS at FROM (
           SELECT MIN(at) AS first_at FROM alarm_events WHERE alarm_id IN (SELECT value FROM json_each(?))
             AND type IN (SELECT value FROM json_each(?)) GROUP BY alarm_id, type)`,
      )
      .get(ids, JSON.stringify(STAGE_EVENTS)) as { at: string | null };
    return { unprocessed: 0, lastStageEventAt: last.at ? Date.parse(last.at) : Number.NaN };
  });
}
