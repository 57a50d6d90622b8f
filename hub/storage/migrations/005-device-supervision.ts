/**
 * Version 5: device supervision (issue 4).
 * - `device_faults`: a device problem that is not an emergency (offline, silent,
 *   low battery, a failed end-to-end test). One row per occurrence, opened and
 *   later cleared; at most one open row per device and kind, enforced by SQLite,
 *   so a fault is raised once however many heartbeats repeat its cause.
 * - `device_tests`: the hub's requests that a device press `test`, scheduled or
 *   an operator's drill, with their deadline and how they ended; at most one
 *   pending request per device.
 * - `device_test_schedule`: when each device's next scheduled test is due. A row
 *   per device, so the schedule survives a restart and 10,000 devices keep the
 *   slots they were spread over.
 * - `device_events`: append-only history of every supervision state change, with
 *   who caused it (like `alarm_events`, but for a device).
 * Released: never edit, add a migration instead.
 */
export const DEVICE_SUPERVISION_SQL = `
CREATE TABLE device_faults (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  kind TEXT NOT NULL CHECK (kind IN ('offline', 'silent', 'low_battery', 'test_failed')),
  opened_at TEXT NOT NULL,
  cleared_at TEXT,
  detail TEXT, -- JSON: what raised it
  clear_reason TEXT
);
CREATE UNIQUE INDEX device_faults_one_open ON device_faults(device_id, kind) WHERE cleared_at IS NULL;
CREATE INDEX device_faults_device ON device_faults(device_id, id);
CREATE INDEX device_faults_open ON device_faults(opened_at) WHERE cleared_at IS NULL;

CREATE TABLE device_tests (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL REFERENCES devices(id),
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'drill')),
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  deadline TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'answered', 'completed', 'failed')),
  alarm_id INTEGER UNIQUE REFERENCES alarms(id),
  answered_at TEXT,
  finished_at TEXT
);
CREATE UNIQUE INDEX device_tests_one_pending ON device_tests(device_id) WHERE status IN ('requested', 'answered');
CREATE INDEX device_tests_device ON device_tests(device_id, id);
CREATE INDEX device_tests_pending ON device_tests(status, deadline) WHERE status IN ('requested', 'answered');

CREATE TABLE device_test_schedule (
  device_id TEXT PRIMARY KEY REFERENCES devices(id),
  next_due_at TEXT NOT NULL
);
CREATE INDEX device_test_schedule_due ON device_test_schedule(next_due_at);

CREATE TABLE device_events (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX device_events_device ON device_events(device_id, id);
CREATE TRIGGER device_events_no_update BEFORE UPDATE ON device_events
  BEGIN SELECT RAISE(ABORT, 'device_events is append-only'); END;
CREATE TRIGGER device_events_no_delete BEFORE DELETE ON device_events
  BEGIN SELECT RAISE(ABORT, 'device_events is append-only'); END;

-- The supervisor's silence scan runs every few seconds over the whole fleet.
CREATE INDEX devices_last_seen ON devices(last_seen_at) WHERE status = 'active';
`;
