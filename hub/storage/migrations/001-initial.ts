/** Version 1: registry, alarms, outbox, users, audit. Released: never edit, add a migration instead. */
export const INITIAL_SQL = `
CREATE TABLE grids (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  leader_name TEXT,
  leader_phone TEXT,
  polygon TEXT NOT NULL -- GeoJSON Polygon geometry
);

CREATE TABLE households (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  address TEXT NOT NULL,
  lat REAL,
  lng REAL,
  grid_id INTEGER REFERENCES grids(id),
  key_holder TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE residents (
  id INTEGER PRIMARY KEY,
  household_id INTEGER NOT NULL REFERENCES households(id),
  name TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  sex TEXT NOT NULL CHECK (sex IN ('F', 'M', 'X')),
  phone TEXT,
  language TEXT NOT NULL DEFAULT 'zh-CN',
  conditions TEXT,
  medications TEXT,
  allergies TEXT,
  mobility TEXT
);
CREATE INDEX residents_household ON residents(household_id);

CREATE TABLE relatives (
  id INTEGER PRIMARY KEY,
  resident_id INTEGER NOT NULL REFERENCES residents(id),
  priority INTEGER NOT NULL,
  name TEXT NOT NULL,
  relation TEXT NOT NULL,
  phone TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT 'zh-CN',
  UNIQUE (resident_id, priority)
);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  household_id INTEGER REFERENCES households(id),
  secret_hash TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  online INTEGER NOT NULL DEFAULT 0,
  last_seen_at TEXT,
  battery INTEGER,
  firmware TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE workers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  grid_id INTEGER REFERENCES grids(id),
  on_duty INTEGER NOT NULL DEFAULT 0,
  lat REAL,
  lng REAL,
  position_at TEXT
);

CREATE TABLE clinics (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  address TEXT NOT NULL,
  lat REAL NOT NULL,
  lng REAL NOT NULL,
  capabilities TEXT NOT NULL DEFAULT '[]', -- JSON array, e.g. ["24h","emergency"]
  hours TEXT -- free text until the registry issue defines opening hours
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin')),
  display_name TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT 'zh-CN',
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- One row per physical press, the de-duplication key for retries.
CREATE TABLE presses (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  press_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  device_time TEXT NOT NULL,
  seq INTEGER NOT NULL,
  battery INTEGER NOT NULL,
  received_at TEXT NOT NULL,
  alarm_id INTEGER REFERENCES alarms(id),
  UNIQUE (device_id, press_id)
);

-- One row per incident. Location fields are a snapshot taken when the alarm is
-- located, so history still shows where help was sent after a move.
CREATE TABLE alarms (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  kind TEXT NOT NULL CHECK (kind IN ('sos', 'service', 'test')),
  status TEXT NOT NULL CHECK (status IN ('received', 'acknowledged', 'resolved')),
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
  stages_done TEXT NOT NULL DEFAULT '[]', -- JSON array of post-storage pipeline stages completed
  stage_error TEXT
);
CREATE INDEX alarms_status ON alarms(status, received_at);

-- Append-only: every state change and operator action, with who and when.
CREATE TABLE alarm_events (
  id INTEGER PRIMARY KEY,
  alarm_id INTEGER NOT NULL REFERENCES alarms(id),
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX alarm_events_alarm ON alarm_events(alarm_id, id);
CREATE TRIGGER alarm_events_no_update BEFORE UPDATE ON alarm_events
  BEGIN SELECT RAISE(ABORT, 'alarm_events is append-only'); END;
CREATE TRIGGER alarm_events_no_delete BEFORE DELETE ON alarm_events
  BEGIN SELECT RAISE(ABORT, 'alarm_events is append-only'); END;

-- Every outbound message, written in the same transaction as the fact that causes it.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL CHECK (channel IN ('sms')),
  recipient TEXT NOT NULL,
  body TEXT NOT NULL,
  alarm_id INTEGER REFERENCES alarms(id),
  purpose TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL, -- epoch ms
  last_error TEXT,
  provider_ref TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_alarm ON outbox(alarm_id);

-- Append-only record of operator and administrator actions outside alarms.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  detail TEXT
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`;
