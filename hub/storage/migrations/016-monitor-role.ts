/**
 * Version 16: the `monitor` role, for accounts that watch device traffic over
 * MQTT (and nothing else). Only administrators and monitor accounts may log in
 * to the broker; operators, supervisors and community workers use the console.
 * SQLite cannot change the role CHECK in place: the table is rebuilt (every
 * column and row kept, ids too, so sessions, audit targets and alarm
 * references still point at the same people).
 * Released: never edit, add a migration instead.
 */
export const MONITOR_ROLE_SQL = `
CREATE TABLE users_v16 (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin', 'worker', 'monitor')),
  display_name TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT 'zh-CN',
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  worker_id INTEGER UNIQUE REFERENCES workers(id),
  contact TEXT
    CHECK (contact IS NULL OR contact GLOB '+[1-9]*' OR contact GLOB 'sip:?*@?*' OR contact GLOB 'sips:?*@?*'),
  must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  password_changed_at TEXT,
  disabled_at TEXT,
  updated_at TEXT,
  CHECK ((role = 'worker') = (worker_id IS NOT NULL))
);
INSERT INTO users_v16 (id, username, password_hash, role, display_name, language, disabled, created_at, worker_id,
    contact, must_change_password, password_changed_at, disabled_at, updated_at)
  SELECT id, username, password_hash, role, display_name, language, disabled, created_at, worker_id,
    contact, must_change_password, password_changed_at, disabled_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_v16 RENAME TO users;
`;
