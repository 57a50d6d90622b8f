import { type Db, nowIso } from "./database.ts";

export type Role = "operator" | "supervisor" | "admin" | "worker";

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
}

export class UserRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  byUsername(username: string): UserRow | undefined {
    return this.db.prepare("SELECT * FROM users WHERE username = ?").get(username) as UserRow | undefined;
  }

  byId(id: number): UserRow | undefined {
    return this.db.prepare("SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined;
  }

  create(user: { username: string; passwordHash: string; role: Role; displayName: string; language?: string }): number {
    const result = this.db
      .prepare(
        "INSERT INTO users (username, password_hash, role, display_name, language, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(user.username, user.passwordHash, user.role, user.displayName, user.language ?? "zh-CN", nowIso());
    return Number(result.lastInsertRowid);
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

  deleteExpiredSessions(now: string): number {
    return this.db.prepare("DELETE FROM sessions WHERE expires_at <= ?").run(now).changes;
  }

  audit(actor: string, action: string, target: string | null, detail?: Record<string, unknown>): void {
    this.db
      .prepare("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)")
      .run(nowIso(), actor, action, target, detail === undefined ? null : JSON.stringify(detail));
  }
}
