/**
 * Version 2: what the registry and dispatch need.
 * - users may be community workers (role `worker`, linked to their worker row);
 * - alarms get the full lifecycle states and the stored dispatch ranking;
 * - stable codes for workers and clinics (import/export key), skills, shifts,
 *   structured clinic opening hours, household access notes, residents' consent;
 * - the gazetteer of standard addresses, dispatch offers, and a registry version
 *   that triggers bump whenever responders change (the hub rebuilds its spatial
 *   index when it moves, whoever wrote the change).
 * Released: never edit, add a migration instead.
 */
export const REGISTRY_DISPATCH_SQL = `
CREATE TABLE users_v2 (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin', 'worker')),
  display_name TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT 'zh-CN',
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  worker_id INTEGER UNIQUE REFERENCES workers(id),
  CHECK ((role = 'worker') = (worker_id IS NOT NULL))
);
INSERT INTO users_v2 (id, username, password_hash, role, display_name, language, disabled, created_at)
  SELECT id, username, password_hash, role, display_name, language, disabled, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_v2 RENAME TO users;

CREATE TABLE alarms_v2 (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  kind TEXT NOT NULL CHECK (kind IN ('sos', 'service', 'test')),
  status TEXT NOT NULL CHECK (status IN (
    'received', 'acknowledged', 'dispatched', 'accepted', 'on_scene', 'resolved', 'followed_up', 'cancelled')),
  outcome TEXT CHECK (outcome IN ('real', 'false_alarm', 'test')),
  received_at TEXT NOT NULL,
  household_id INTEGER REFERENCES households(id),
  resident_id INTEGER REFERENCES residents(id),
  worker_id INTEGER REFERENCES workers(id),
  worker_distance_m REAL,
  clinic_id INTEGER REFERENCES clinics(id),
  clinic_distance_m REAL,
  acknowledged_at TEXT,
  acknowledged_by INTEGER REFERENCES users(id),
  resolved_at TEXT,
  resolved_by INTEGER REFERENCES users(id),
  stages_done TEXT NOT NULL DEFAULT '[]',
  stage_error TEXT,
  dispatch_ranking TEXT, -- JSON: ranked candidates, each with distance and why it ranks there
  dispatch_reason TEXT,  -- why the current worker was chosen
  clinic_reason TEXT,    -- why this clinic (open now, capability)
  dispatched_at TEXT,
  accepted_at TEXT,
  on_scene_at TEXT
);
INSERT INTO alarms_v2 (id, device_id, kind, status, outcome, received_at, household_id, resident_id, worker_id,
    worker_distance_m, clinic_id, clinic_distance_m, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
    stages_done, stage_error)
  SELECT id, device_id, kind, status, outcome, received_at, household_id, resident_id, worker_id,
    worker_distance_m, clinic_id, clinic_distance_m, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
    stages_done, stage_error FROM alarms;
DROP TABLE alarms;
ALTER TABLE alarms_v2 RENAME TO alarms;
CREATE INDEX alarms_status ON alarms(status, received_at);
CREATE INDEX alarms_worker ON alarms(worker_id, status);

ALTER TABLE households ADD COLUMN access_notes TEXT;
ALTER TABLE households ADD COLUMN location_source TEXT CHECK (location_source IN ('given', 'gazetteer'));
UPDATE households SET location_source = 'given' WHERE lat IS NOT NULL;

ALTER TABLE residents ADD COLUMN consent TEXT; -- JSON: who consented to health data being kept, when, how

ALTER TABLE devices ADD COLUMN revoked_at TEXT;
ALTER TABLE devices ADD COLUMN secret_rotated_at TEXT;

ALTER TABLE workers ADD COLUMN code TEXT;
ALTER TABLE workers ADD COLUMN skills TEXT NOT NULL DEFAULT '[]'; -- JSON array, e.g. ["first_aid"]
ALTER TABLE workers ADD COLUMN shifts TEXT NOT NULL DEFAULT '[]'; -- JSON weekly schedule, same shape as clinic hours
UPDATE workers SET code = printf('W%05d', id) WHERE code IS NULL;
CREATE UNIQUE INDEX workers_code ON workers(code);

ALTER TABLE clinics ADD COLUMN code TEXT;
UPDATE clinics SET code = printf('C%04d', id) WHERE code IS NULL;
CREATE UNIQUE INDEX clinics_code ON clinics(code);
-- Opening hours become JSON: [{"days":[1..7 (Mon..Sun)],"open":"HH:MM","close":"HH:MM"}],
-- where a close earlier than the open runs past midnight and "24:00" closes at the end of the day.
UPDATE clinics SET hours = CASE
  WHEN hours GLOB '[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]'
    THEN json_array(json_object('days', json('[1,2,3,4,5,6,7]'), 'open', substr(hours, 1, 5), 'close', substr(hours, 7, 5)))
  ELSE '[]' END;

CREATE TABLE gazetteer (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL UNIQUE, -- normalised standard address
  lat REAL NOT NULL,
  lng REAL NOT NULL,
  source TEXT
);

CREATE TABLE dispatch_offers (
  id INTEGER PRIMARY KEY,
  alarm_id INTEGER NOT NULL REFERENCES alarms(id),
  worker_id INTEGER NOT NULL REFERENCES workers(id),
  rank INTEGER NOT NULL,
  distance_m REAL,
  status TEXT NOT NULL CHECK (status IN ('offered', 'accepted', 'declined', 'timed_out', 'withdrawn')),
  offered_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  responded_at TEXT,
  offered_by TEXT NOT NULL, -- 'system', or 'user:<name>' when an operator picked the worker by hand
  note TEXT
);
CREATE INDEX dispatch_offers_alarm ON dispatch_offers(alarm_id, id);
CREATE INDEX dispatch_offers_open ON dispatch_offers(status, expires_at);

CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('registry_version', 1);
CREATE TRIGGER workers_changed_insert AFTER INSERT ON workers
  BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
CREATE TRIGGER workers_changed_update AFTER UPDATE ON workers
  BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
CREATE TRIGGER workers_changed_delete AFTER DELETE ON workers
  BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
CREATE TRIGGER clinics_changed_insert AFTER INSERT ON clinics
  BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
CREATE TRIGGER clinics_changed_update AFTER UPDATE ON clinics
  BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
CREATE TRIGGER clinics_changed_delete AFTER DELETE ON clinics
  BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
`;
