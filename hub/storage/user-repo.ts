import { ROLES, type Role } from "../../protocol/console/index.ts";
import { nowIso } from "./database.ts";
import type { SqlDatabase } from "./sql/sql-port.ts";

/**
 * Who may sign in, and as what: the contract's list (protocol/console/session.ts).
 * `monitor` watches device traffic over MQTT (migration 14); no console pages beyond its own password.
 */
export { ROLES, type Role };

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  display_name: string;
  language: string;
  disabled: number;
  /** Set for community workers (role `worker`): which worker this login is. */
  worker_id: number | null;
  created_at: string;
  /** E.164 phone (`+86…`) or SIP address (`sip:…@…`), for voice; null: none on record. */
  contact: string | null;
  /** 1: the password was set by someone else; the session may only change it. */
  must_change_password: number;
  password_changed_at: string | null;
  disabled_at: string | null;
  updated_at: string | null;
}

/** A member of staff a call can ring: `contact` is an E.164 number or a SIP address. */
export interface StaffLine {
  id: number;
  contact: string;
  language: string;
}

/** A user with the code and name of the worker record it is linked to (role `worker`). */
export interface AccountRow extends UserRow {
  worker_code: string | null;
  worker_name: string | null;
}

const ACCOUNT_SELECT = `SELECT users.*, workers.code AS worker_code, workers.name AS worker_name
  FROM users LEFT JOIN workers ON workers.id = users.worker_id`;

export interface NewUser {
  username: string;
  passwordHash: string;
  role: Role;
  displayName: string;
  language?: string;
  contact?: string | null;
  workerId?: number | null;
  mustChangePassword?: boolean;
}

/** The columns an account edit may change (see hub/accounts/account-service.ts). */
export interface UserChanges {
  display_name?: string;
  role?: Role;
  language?: string;
  contact?: string | null;
  worker_id?: number | null;
}

export class UserRepository {
  private readonly sql: SqlDatabase;

  constructor(sql: SqlDatabase) {
    this.sql = sql;
  }

  async byUsername(username: string): Promise<UserRow | undefined> {
    return (await this.sql.get("SELECT * FROM users WHERE username = ?", [username])) as UserRow | undefined;
  }

  /** Usernames are unique regardless of case, so `Admin` cannot pass for `admin` in a log. */
  async byUsernameAnyCase(username: string): Promise<UserRow | undefined> {
    return (await this.sql.get("SELECT * FROM users WHERE lower(username) = lower(?)", [username])) as
      | UserRow
      | undefined;
  }

  async byId(id: number): Promise<UserRow | undefined> {
    return (await this.sql.get("SELECT * FROM users WHERE id = ?", [id])) as UserRow | undefined;
  }

  async byWorkerId(workerId: number): Promise<UserRow | undefined> {
    return (await this.sql.get("SELECT * FROM users WHERE worker_id = ?", [workerId])) as UserRow | undefined;
  }

  /** Every account, by role then username: a center has dozens of staff and a few dozen workers. */
  async accounts(): Promise<AccountRow[]> {
    return (await this.sql.all(`${ACCOUNT_SELECT} ORDER BY CASE users.role WHEN 'admin' THEN 0 WHEN 'supervisor' THEN 1
           WHEN 'operator' THEN 2 WHEN 'monitor' THEN 3 ELSE 4 END, users.username`)) as AccountRow[];
  }

  async account(id: number): Promise<AccountRow | undefined> {
    return (await this.sql.get(`${ACCOUNT_SELECT} WHERE users.id = ?`, [id])) as AccountRow | undefined;
  }

  /** A worker record's id by its code (`KL-W001`), for the CLI. */
  async workerIdByCode(code: string): Promise<number | undefined> {
    return ((await this.sql.get("SELECT id FROM workers WHERE code = ?", [code])) as { id: number } | undefined)?.id;
  }

  /** The worker record a `worker` login would be linked to. */
  async worker(id: number): Promise<{ id: number; code: string; name: string } | undefined> {
    return (await this.sql.get("SELECT id, code, name FROM workers WHERE id = ?", [id])) as
      | { id: number; code: string; name: string }
      | undefined;
  }

  async create(user: NewUser): Promise<number> {
    const now = nowIso();
    const created = await this.sql.get<{ id: number }>(
      `INSERT INTO users (username, password_hash, role, display_name, language, contact, worker_id,
           must_change_password, created_at, password_changed_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        user.username,
        user.passwordHash,
        user.role,
        user.displayName,
        user.language ?? "zh-CN",
        user.contact ?? null,
        user.workerId ?? null,
        user.mustChangePassword ? 1 : 0,
        now,
        now,
        now,
      ],
    );
    return Number(created?.id);
  }

  async update(id: number, changes: UserChanges): Promise<void> {
    const columns = Object.keys(changes) as (keyof UserChanges)[];
    if (columns.length === 0) return;
    const sets = columns.map((column) => `${column} = @${column}`).join(", ");
    await this.sql.run(`UPDATE users SET ${sets}, updated_at = @updated_at WHERE id = @id`, {
      ...changes,
      updated_at: nowIso(),
      id,
    });
  }

  async setPassword(id: number, passwordHash: string, mustChange: boolean): Promise<void> {
    const now = nowIso();
    await this.sql.run(
      "UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?, updated_at = ? WHERE id = ?",
      [passwordHash, mustChange ? 1 : 0, now, now, id],
    );
  }

  async setDisabled(id: number, disabled: boolean): Promise<void> {
    const now = nowIso();
    await this.sql.run("UPDATE users SET disabled = ?, disabled_at = ?, updated_at = ? WHERE id = ?", [
      disabled ? 1 : 0,
      disabled ? now : null,
      now,
      id,
    ]);
  }

  /** Enabled administrators, optionally leaving one out (the one about to be disabled or demoted). */
  async countEnabledAdmins(exceptId: number | null = null): Promise<number> {
    return (
      (await this.sql.get(
        "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND id IS DISTINCT FROM ?",
        [exceptId],
      )) as { n: number }
    ).n;
  }

  /**
   * Whom a call to the center rings (hub/voice/inbound-call-router.ts): enabled staff of the role with a
   * phone or SIP contact and a settled password; with `signedInAt`, only those with a session unexpired
   * then (an operator at the console is on duty). At most `limit`: Twilio dials ten at once. Phone numbers
   * come first: a <Dial> rings phones together and a SIP address only alone, so ten softphones must not
   * take the places of the phones.
   */
  async staffToRing(role: "operator" | "supervisor", signedInAt: string | null, limit: number): Promise<StaffLine[]> {
    const onDuty =
      signedInAt === null
        ? ""
        : "AND EXISTS (SELECT 1 FROM sessions WHERE sessions.user_id = users.id AND sessions.expires_at > ?)";
    return this.sql.all<StaffLine>(
      `SELECT id, contact, language FROM users
        WHERE role = ? AND disabled = 0 AND must_change_password = 0 AND contact IS NOT NULL ${onDuty}
        ORDER BY CASE WHEN contact LIKE 'sip%' THEN 1 ELSE 0 END, id LIMIT ?`,
      signedInAt === null ? [role, limit] : [role, signedInAt, limit],
    );
  }

  async count(): Promise<number> {
    return ((await this.sql.get("SELECT COUNT(*) AS n FROM users")) as { n: number }).n;
  }

  async createSession(tokenHash: string, userId: number, expiresAt: string): Promise<void> {
    await this.sql.run("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", [
      tokenHash,
      userId,
      nowIso(),
      expiresAt,
    ]);
  }

  /** The session's user, when the session exists, has not expired, and the user is enabled. */
  async sessionUser(tokenHash: string, now: string): Promise<UserRow | undefined> {
    return (await this.sql.get(
      `SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.token_hash = ? AND sessions.expires_at > ? AND users.disabled = 0`,
      [tokenHash, now],
    )) as UserRow | undefined;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.sql.run("DELETE FROM sessions WHERE token_hash = ?", [tokenHash]);
  }

  /** Ends every session of the user but `keepTokenHash` (the caller's own, on a password change); returns how many. */
  async deleteSessionsOf(userId: number, keepTokenHash: string | null = null): Promise<number> {
    const deleted = await this.sql.run("DELETE FROM sessions WHERE user_id = ? AND token_hash IS DISTINCT FROM ?", [
      userId,
      keepTokenHash,
    ]);
    return deleted.changes;
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    return (await this.sql.run("DELETE FROM sessions WHERE expires_at <= ?", [now])).changes;
  }

  async audit(actor: string, action: string, target: string | null, detail?: Record<string, unknown>): Promise<void> {
    await this.sql.run("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)", [
      nowIso(),
      actor,
      action,
      target,
      detail === undefined ? null : JSON.stringify(detail),
    ]);
  }
}
