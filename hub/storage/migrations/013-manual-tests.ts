/**
 * Version 13: a test press nobody asked for is a test too. A resident trying
 * the button's test function, or `npm run sim -- fleet`, sends `test` presses
 * the hub did not request; they used to sit in the operators' queue as open
 * alarms. Now each is recorded as a `manual` device test and closed once its
 * pipeline completes, so the device's health shows a manual test that passed.
 * SQLite cannot change the trigger's CHECK in place: the table is rebuilt.
 * Released: never edit, add a migration instead.
 */
export const MANUAL_TESTS_SQL = `
CREATE TABLE device_tests_v13 (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL REFERENCES devices(id),
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'drill', 'manual')),
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  deadline TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'answered', 'completed', 'failed')),
  alarm_id INTEGER UNIQUE REFERENCES alarms(id),
  answered_at TEXT,
  finished_at TEXT
);
INSERT INTO device_tests_v13 (id, request_id, device_id, trigger, requested_by, requested_at, deadline, status,
    alarm_id, answered_at, finished_at)
  SELECT id, request_id, device_id, trigger, requested_by, requested_at, deadline, status,
    alarm_id, answered_at, finished_at FROM device_tests;
DROP TABLE device_tests;
ALTER TABLE device_tests_v13 RENAME TO device_tests;
CREATE UNIQUE INDEX device_tests_one_pending ON device_tests(device_id) WHERE status IN ('requested', 'answered');
CREATE INDEX device_tests_device ON device_tests(device_id, id);
CREATE INDEX device_tests_pending ON device_tests(status, deadline) WHERE status IN ('requested', 'answered');
`;
