/**
 * Alarm lifecycle: repeated presses attached to the open alarm, cancellation,
 * the follow-up visit, and deadline escalations (each level stored once, so a
 * restarted hub neither repeats nor forgets one).
 */
export const LIFECYCLE_SQL = `
ALTER TABLE alarms ADD COLUMN press_count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE alarms ADD COLUMN cancelled_at TEXT;
ALTER TABLE alarms ADD COLUMN follow_up_due_at TEXT;
ALTER TABLE alarms ADD COLUMN followed_up_at TEXT;
ALTER TABLE alarms ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;

CREATE TABLE alarm_escalations (
  alarm_id INTEGER NOT NULL REFERENCES alarms(id),
  kind TEXT NOT NULL CHECK (kind IN ('ack', 'arrival', 'resolution', 'follow_up')),
  level INTEGER NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (alarm_id, kind, level)
);
`;
