/**
 * Version 12: families informed until the end (issue 10, part 3).
 * - `relatives.updates`: a relative who was texted gets the follow-up SMS
 *   (worker on the way, arrived, resolved / all is well) unless this is 0.
 * - `family_links`: one read-only status page per texted relative and alarm,
 *   `/f/<token>`. Only the SHA-256 of the random token is kept; the token is in
 *   the relative's SMS and nowhere else. No foreign key to `relatives`, as in
 *   `relative_contacts`: the registry may delete the relative later.
 * - `family_updates_due`: a trigger on `alarm_events` queues the steps
 *   families hear about in the same transaction that records the step, so a
 *   crash between the step and the SMS cannot lose the update; the family
 *   watcher turns each row into outbox SMS (dedupe keys: exactly once) and
 *   marks it done in one transaction. Only SOS alarms: families are never
 *   texted about service requests or test alarms.
 * - the first SMS carries the family link at its very end; once that SMS has
 *   left the outbox (sent, refused or withdrawn) a trigger blanks the token in
 *   the stored body, so the plain token lives in the database only for as long
 *   as the message waits to be handed to the provider.
 * Released: never edit, add a migration instead.
 */
export const FAMILY_UPDATES_SQL = `
ALTER TABLE relatives ADD COLUMN updates INTEGER NOT NULL DEFAULT 1 CHECK (updates IN (0, 1));

CREATE TABLE family_links (
  id INTEGER PRIMARY KEY,
  alarm_id INTEGER NOT NULL REFERENCES alarms(id),
  relative_id INTEGER NOT NULL,
  language TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE, -- hex SHA-256 of the link's token
  created_at TEXT NOT NULL,
  UNIQUE (alarm_id, relative_id)
);

CREATE TABLE family_updates_due (
  event_id INTEGER PRIMARY KEY REFERENCES alarm_events(id),
  alarm_id INTEGER NOT NULL REFERENCES alarms(id),
  type TEXT NOT NULL,   -- offer_accepted | on_scene | resolved | cancelled
  created_at TEXT NOT NULL,
  done_at TEXT,         -- null while the update still has to be turned into SMS
  result TEXT           -- JSON: who was texted, or why nobody was
);
CREATE INDEX family_updates_pending ON family_updates_due(event_id) WHERE done_at IS NULL;

CREATE TRIGGER alarm_events_family_update_due AFTER INSERT ON alarm_events
  WHEN NEW.type IN ('offer_accepted', 'on_scene', 'resolved', 'cancelled')
   AND (SELECT kind FROM alarms WHERE id = NEW.alarm_id) = 'sos'
  BEGIN
    INSERT INTO family_updates_due (event_id, alarm_id, type, created_at)
    VALUES (NEW.id, NEW.alarm_id, NEW.type, NEW.at);
  END;

CREATE TRIGGER outbox_family_link_blanked AFTER UPDATE OF status ON outbox
  WHEN OLD.status = 'pending' AND NEW.status <> 'pending' AND NEW.purpose LIKE 'relative:%'
   AND substr(NEW.body, -46, 3) = '/f/'
  BEGIN
    UPDATE outbox SET body = substr(NEW.body, 1, length(NEW.body) - 43) || '…' WHERE id = NEW.id;
  END;
`;
