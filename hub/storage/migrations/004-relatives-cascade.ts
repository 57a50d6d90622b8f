/**
 * Version 4: the relatives' cascade.
 * - the outbox carries voice calls too (channel `voice`, the body is the TwiML
 *   the call reads), and each row keeps the provider's delivery status as the
 *   status callbacks report it. SQLite cannot change the channel CHECK in place,
 *   so the table is rebuilt with its ids kept;
 * - `relative_cascades`: one row per SOS whose relatives are being reached, with
 *   the deadline of the current step, so a restart resumes it on time;
 * - `relative_contacts`: each SMS or call to a relative, with a snapshot of who
 *   they were (the registry may change or delete the relative later) and how it
 *   ended. No foreign key to `relatives` for the same reason.
 * Released: never edit, add a migration instead.
 */
export const RELATIVES_CASCADE_SQL = `
CREATE TABLE outbox_v4 (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'voice')),
  recipient TEXT NOT NULL,
  body TEXT NOT NULL, -- the SMS text, or the TwiML a voice call reads
  alarm_id INTEGER REFERENCES alarms(id),
  purpose TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL, -- epoch ms
  last_error TEXT,
  provider_ref TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  delivery_status TEXT,    -- the provider's latest status (queued … delivered / failed; a call's completed / no-answer …)
  delivery_status_at TEXT,
  delivery_error TEXT      -- the provider's error code with a failed status
);
INSERT INTO outbox_v4 (id, channel, recipient, body, alarm_id, purpose, dedupe_key, status, attempts,
    next_attempt_at, last_error, provider_ref, created_at, sent_at)
  SELECT id, channel, recipient, body, alarm_id, purpose, dedupe_key, status, attempts,
    next_attempt_at, last_error, provider_ref, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v4 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_alarm ON outbox(alarm_id);
CREATE INDEX outbox_provider_ref ON outbox(provider_ref) WHERE provider_ref IS NOT NULL;

CREATE TABLE relative_cascades (
  alarm_id INTEGER PRIMARY KEY REFERENCES alarms(id),
  status TEXT NOT NULL CHECK (status IN ('texting', 'calling', 'confirmed', 'unreachable', 'stopped')),
  step INTEGER NOT NULL DEFAULT 0,  -- waves and calls, counted together
  wave INTEGER NOT NULL DEFAULT 0,  -- SMS waves sent
  deadline_at TEXT,                 -- ISO; the current step times out then (null once finished)
  started_at TEXT NOT NULL,
  finished_at TEXT,
  confirmed_contact_id INTEGER
);
CREATE INDEX relative_cascades_due ON relative_cascades(status, deadline_at);

CREATE TABLE relative_contacts (
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
  outcome TEXT NOT NULL DEFAULT 'waiting' CHECK (outcome IN ('waiting', 'failed', 'answered', 'confirmed')),
  created_at TEXT NOT NULL,
  settled_at TEXT,
  UNIQUE (alarm_id, relative_id, channel)
);
CREATE INDEX relative_contacts_phone ON relative_contacts(phone, id);
CREATE INDEX relative_contacts_waiting ON relative_contacts(outcome, outbox_id);
`;
