/**
 * Version 11: staff accounts that administrators manage.
 * - `contact`: the person's phone (E.164, `+8613…`) or SIP address (`sip:name@host`),
 *   for the voice work that follows; one column because a person is reached one way,
 *   and the prefix tells which;
 * - `must_change_password`: set when an administrator (or the first start) chose the
 *   password; such a session may do nothing but change it;
 * - `password_changed_at`, `disabled_at`, `updated_at`: when, for the Users page and audits;
 * - `sessions(user_id)`: ending one person's sessions (disable, reset) must not scan the table.
 * No CHECK changes, so no table rebuild: `ALTER TABLE … ADD COLUMN` keeps every row and key.
 * Existing accounts keep their passwords (not flagged); their password dates from creation.
 * Released: never edit, add a migration instead.
 */
export const STAFF_ACCOUNTS_SQL = `
ALTER TABLE users ADD COLUMN contact TEXT
  CHECK (contact IS NULL OR contact GLOB '+[1-9]*' OR contact GLOB 'sip:?*@?*' OR contact GLOB 'sips:?*@?*');
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
  CHECK (must_change_password IN (0, 1));
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN updated_at TEXT;
UPDATE users SET password_changed_at = created_at, updated_at = created_at;
UPDATE users SET disabled_at = created_at WHERE disabled <> 0;
CREATE INDEX sessions_user ON sessions(user_id);
`;
