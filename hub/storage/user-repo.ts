import { type Db, nowIso } from "./database.ts";

/** `monitor`: watches device traffic over MQTT (migration 14); no console pages beyond its own password. */
export type Role = "operator" | "supervisor" | "admin" | "worker" | "monitor";
export const ROLES: readonly Role[] = ["operator", "supervisor", "admin", "worker", "monitor"];

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
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  byUsername(username: string): UserRow | undefined {
    return this.db.prepare("SELECT * FROM users WHERE username = ?").get(username) as UserRow | undefined;
  }

  /** Usernames are unique regardless of case, so `Admin` cannot pass for `admin` in a log. */
  byUsernameAnyCase(username: string): UserRow | undefined {
    return this.db.prepare("SELECT * FROM users WHERE lower(username) = lower(?)").get(username) as UserRow | undefined;
  }

  byId(id: number): UserRow | undefined {
    return this.db.prepare("SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined;
  }

  byWorkerId(workerId: number): UserRow | undefined {
    return this.db.prepare("SELECT * FROM users WHERE worker_id = ?").get(workerId) as UserRow | undefined;
  }

  /** Every account, by role then username: a center has dozens of staff and a few dozen workers. */
  accounts(): AccountRow[] {
    return this.db
      .prepare(
        `${ACCOUNT_SELECT} ORDER BY CASE users.role WHEN 'admin' THEN 0 WHEN 'supervisor' THEN 1
           WHEN 'operator' THEN 2 WHEN 'monitor' THEN 3 ELSE 4 END, users.username`,
      )
      .all() as AccountRow[];
  }

  account(id: number): AccountRow | undefined {
    return this.db.prepare(`${ACCOUNT_SELECT} WHERE users.id = ?`).get(id) as AccountRow | undefined;
  }

  /** A worker record's id by its code (`KL-W001`), for the CLI. */
  workerIdByCode(code: string): number | undefined {
    return (this.db.prepare("SELECT id FROM workers WHERE code = ?").get(code) as { id: number } | undefined)?.id;
  }

  /** The worker record a `worker` login would be linked to. */
  worker(id: number): { id: number; code: string; name: string } | undefined {
    return this.db.prepare("SELECT id, code, name FROM workers WHERE id = ?").get(id) as
      | { id: number; code: string; name: string }
      | undefined;
  }

  create(user: NewUser): number {
    const now = nowIso();
    const result = this.db
      .prepare(
        `INSERT INTO users (username, password_hash, role, display_name, language, contact, worker_id,
           must_change_password, created_at, password_changed_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
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
      );
    return Number(result.lastInsertRowid);
  }

  update(id: number, changes: UserChanges): void {
    const columns = Object.keys(changes) as (keyof UserChanges)[];
    if (columns.length === 0) return;
    const sets = columns.map((column) => `${column} = @${column}`).join(", ");
    this.db.prepare(`UPDATE users SET ${sets}, updated_at = @updated_at WHERE id = @id`).run({
      ...changes,
      updated_at: nowIso(),
      id,
    });
  }

  setPassword(id: number, passwordHash: string, mustChange: boolean): void {
    const now = nowIso();
    this.db
      .prepare(
        "UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?, updated_at = ? WHERE id = ?",
      )
      .run(passwordHash, mustChange ? 1 : 0, now, now, id);
  }

  setDisabled(id: number, disabled: boolean): void {
    const now = nowIso();
    this.db
      .prepare("UPDATE users SET disabled = ?, disabled_at = ?, updated_at = ? WHERE id = ?")
      .run(disabled ? 1 : 0, disabled ? now : null, now, id);
  }

  /** Enabled administrators, optionally leaving one out (the one about to be disabled or demoted). */
  countEnabledAdmins(exceptId: number | null = null): number {
    return (
      this.db
        .prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND id IS NOT ?")
        .get(exceptId) as { n: number }
    ).n;
  }

  count(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM users").get() as { n: number }).n;
  }

  createSession(tokenHash: string, userId: number, expiresAt: string): void {
    this.db
      .prepare("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
      .run(tokenHash, userId, nowIso(), expiresAt);
  }

  /** The session's user, when the session exists, has not expired, and the user is enabled. */
  sessionUser(tokenHash: string, now: string): UserRow | undefined {
    return this.db
      .prepare(
        `SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.token_hash = ? AND sessions.expires_at > ? AND users.disabled = 0`,
      )
      .get(tokenHash, now) as UserRow | undefined;
  }

  deleteSession(tokenHash: string): void {
    this.db.prepare("DELETE FROM sessions WHERE token_hash = ?").run(tokenHash);
  }

  /** Ends every session of the user but `keepTokenHash` (the caller's own, on a password change); returns how many. */
  deleteSessionsOf(userId: number, keepTokenHash: string | null = null): number {
    return this.db.prepare("DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?").run(userId, keepTokenHash)
      .changes;
  }

  deleteExpiredSessions(now: string): number {
    return this.db.prepare("DELETE FROM sessions WHERE expires_at <= ?").run(now).changes;
  }

  audit(actor: string, action: string, target: string | null, detail?: Record<string, unknown>): void {
    this.db
      .prepare("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)")
      .run(nowIso(), actor, action, target, detail === undefined ? null : JSON.stringify(detail));
  }
}
