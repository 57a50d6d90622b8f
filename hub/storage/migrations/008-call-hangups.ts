/**
 * Version 8: relatives' calls ended once the cascade stops.
 * - `call_hangups`: one durable request per voice call (outbox row) that must
 *   stop ringing because a relative confirmed or the alarm was closed. It is
 *   written in the transaction that stops the cascade and drained by the outbox
 *   sender with the outbox's retries, so a restart between the confirmation
 *   and Twilio's answer still hangs up. `result` says how it ended: hung up
 *   through Twilio, already over (or unknown to Twilio: 20404), or never placed.
 * - `relative_contacts` gains the outcome `cancelled` (its call was withdrawn or
 *   hung up by the hub, so its end says nothing about the relative). SQLite
 *   cannot change a CHECK in place: the table is rebuilt with its ids kept.
 * Released: never edit, add a migration instead.
 */
export const CALL_HANGUPS_SQL = `
CREATE TABLE relative_contacts_v8 (
  id INTEGER PRIMARY KEY,
  alarm_id INTEGER NOT NULL REFERENCES alarms(id),
  relative_id INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  language TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'voice')),
  step INTEGER NOT NULL,
  outbox_id INTEGER REFERENCES outbox(id),
  outcome TEXT NOT NULL DEFAULT 'waiting'
    CHECK (outcome IN ('waiting', 'failed', 'answered', 'confirmed', 'cancelled')),
  created_at TEXT NOT NULL,
  settled_at TEXT,
  UNIQUE (alarm_id, relative_id, channel)
);
INSERT INTO relative_contacts_v8 (id, alarm_id, relative_id, priority, name, phone, language, channel, step,
    outbox_id, outcome, created_at, settled_at)
  SELECT id, alarm_id, relative_id, priority, name, phone, language, channel, step,
    outbox_id, outcome, created_at, settled_at FROM relative_contacts;
DROP TABLE relative_contacts;
ALTER TABLE relative_contacts_v8 RENAME TO relative_contacts;
CREATE INDEX relative_contacts_phone ON relative_contacts(phone, id);
CREATE INDEX relative_contacts_waiting ON relative_contacts(outcome, outbox_id);
CREATE INDEX relative_contacts_outbox ON relative_contacts(outbox_id);

CREATE TABLE call_hangups (
  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id),
  alarm_id INTEGER REFERENCES alarms(id),
  reason TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL, -- epoch ms
  last_error TEXT,
  call_sid TEXT,
  sent_status TEXT CHECK (sent_status IN ('canceled', 'completed')), -- what we asked Twilio for, last
  call_status TEXT,                                                   -- the call's status in Twilio's answer
  result TEXT CHECK (result IN ('hung_up', 'already_ended', 'not_placed')),
  done_at TEXT
);
CREATE INDEX call_hangups_due ON call_hangups(status, next_attempt_at);
CREATE INDEX call_hangups_alarm ON call_hangups(alarm_id);
`;
