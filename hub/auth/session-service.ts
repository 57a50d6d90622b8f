/**
 * Staff login. Passwords are hashed with argon2id (hub/accounts/passwords.ts);
 * a session is a random token whose SHA-256 alone is stored, so a copied
 * database grants no logins. Every login, failed login and logout is written
 * to the audit log. An account whose password someone else set logs in like
 * any other; the guard then lets it do nothing but change the password.
 */
import { createHash, randomBytes } from "node:crypto";
import { hashPassword, verifyPassword } from "../accounts/passwords.ts";
import { AnxinError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import type { Role, UserRepository, UserRow } from "../storage/user-repo.ts";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export class SessionService {
  private readonly users: UserRepository;
  private readonly ttlMs: number;
  /** Verified against when the username is unknown, so timing does not reveal which usernames exist. */
  private dummyHash: Promise<string> | null = null;

  private readonly bus: EventBus | null;

  /** With a bus, a logout says so at once (`session.ended`), so that session's live console closes with it. */
  constructor(deps: { users: UserRepository; bus?: EventBus }, options: { ttlHours: number }) {
    this.users = deps.users;
    this.bus = deps.bus ?? null;
    this.ttlMs = options.ttlHours * 3600_000;
  }

  get ttlSeconds(): number {
    return Math.floor(this.ttlMs / 1000);
  }

  async login(username: string, password: string, from: string): Promise<{ token: string; user: UserRow }> {
    const user = await this.users.byUsername(username);
    this.dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
    const hash = user?.password_hash ?? (await this.dummyHash);
    const valid = await verifyPassword(hash, password);
    if (!user || !valid || user.disabled !== 0) {
      await this.users.audit(`anonymous@${from}`, "login_failed", `user:${username}`);
      throw new AnxinError("AUTH_INVALID_CREDENTIALS", "wrong username or password");
    }
    const token = randomBytes(32).toString("base64url");
    await this.users.createSession(hashToken(token), user.id, new Date(Date.now() + this.ttlMs).toISOString());
    await this.users.audit(`user:${user.username}`, "login", null, { from });
    return { token, user };
  }

  async userForToken(token: string | undefined): Promise<UserRow | undefined> {
    if (!token) return undefined;
    return await this.userForTokenHash(hashToken(token));
  }

  /** The live session's user (not expired, not ended, account enabled), by the stored hash of its token. */
  async userForTokenHash(tokenHash: string): Promise<UserRow | undefined> {
    return await this.users.sessionUser(tokenHash, new Date().toISOString());
  }

  async logout(token: string, user: UserRow): Promise<void> {
    const tokenHash = hashToken(token);
    await this.users.deleteSession(tokenHash);
    await this.users.audit(`user:${user.username}`, "logout", null);
    this.bus?.emit("session.ended", { tokenHash });
  }

  static roleAllows(role: Role, allowed: readonly Role[]): boolean {
    return allowed.includes(role);
  }
}
