/**
 * Version 14 (issue 11): one emergency is one incident, and every request to
 * Twilio is made once.
 * - `alarms.incident_scope`: the household an SOS or service call belongs to
 *   (`household:<id>`, or `device:<id>` for a device bound to none), fixed when
 *   the alarm is stored. A partial unique index allows one open SOS and one
 *   open service call per scope, so no ordering of presses, in this process or
 *   any other, can open a second incident for one household. Test alarms have
 *   no scope. Databases that already hold duplicates (the defect this ends)
 *   keep them open for the operators; only the oldest of each gets the scope,
 *   and further presses attach to it.
 * - `outbox.idempotency_key` and `call_hangups.idempotency_key`: a random key
 *   per request, sent to Twilio as `I-Twilio-Idempotency-Token`, so a request
 *   repeated after a timeout returns the original message or call instead of a
 *   second one. Random, not the row id: a reset database must never reuse a
 *   key Twilio still remembers for the account. Triggers give every new row
 *   one, whoever inserts it.
 * - `twilio_inbound_sms`: every signed inbound SMS's `MessageSid`, so that a
 *   replayed webhook is recognised and answered with an empty `<Response/>`.
 * Released: never edit, add a migration instead.
 */
export const ONE_INCIDENT_SQL = `
ALTER TABLE alarms ADD COLUMN incident_scope TEXT;
UPDATE alarms SET incident_scope = COALESCE(
    'household:' || COALESCE(household_id, (SELECT d.household_id FROM devices d WHERE d.id = alarms.device_id)),
    'device:' || device_id)
  WHERE kind IN ('sos', 'service');
UPDATE alarms SET incident_scope = NULL
  WHERE incident_scope IS NOT NULL AND status NOT IN ('resolved', 'followed_up', 'cancelled')
    AND EXISTS (SELECT 1 FROM alarms o
                 WHERE o.incident_scope = alarms.incident_scope AND o.kind = alarms.kind AND o.id < alarms.id
                   AND o.status NOT IN ('resolved', 'followed_up', 'cancelled'));
CREATE UNIQUE INDEX alarms_one_open_incident ON alarms(incident_scope, kind)
  WHERE incident_scope IS NOT NULL AND status NOT IN ('resolved', 'followed_up', 'cancelled');
CREATE INDEX presses_alarm ON presses(alarm_id, device_id);
CREATE INDEX alarms_device ON alarms(device_id, id);

ALTER TABLE outbox ADD COLUMN idempotency_key TEXT;
UPDATE outbox SET idempotency_key = lower(hex(randomblob(16)));
CREATE TRIGGER outbox_idempotency_key AFTER INSERT ON outbox WHEN NEW.idempotency_key IS NULL
BEGIN
  UPDATE outbox SET idempotency_key = lower(hex(randomblob(16))) WHERE id = NEW.id;
END;

ALTER TABLE call_hangups ADD COLUMN idempotency_key TEXT;
UPDATE call_hangups SET idempotency_key = lower(hex(randomblob(16)));
CREATE TRIGGER call_hangups_idempotency_key AFTER INSERT ON call_hangups WHEN NEW.idempotency_key IS NULL
BEGIN
  UPDATE call_hangups SET idempotency_key = lower(hex(randomblob(16))) WHERE outbox_id = NEW.outbox_id;
END;

CREATE TABLE twilio_inbound_sms (
  message_sid TEXT PRIMARY KEY,
  received_at TEXT NOT NULL
) WITHOUT ROWID;
`;
