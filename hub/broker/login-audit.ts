/**
 * Failed MQTT logins in the audit log (`mqtt_login_failed`, read on the
 * console's Audit page and at `GET /api/audit`), without letting a flood write
 * millions of rows. Per window (a minute) and per address and username:
 * the first failure is written at once, so the log shows an attack as it
 * starts; the rest are counted and written as one summary row when the window
 * ends. Past `MAX_KEYS_PER_WINDOW` distinct pairs in one window, further
 * failures only add to a single overflow row. So a window writes at most
 * 2 × 50 + 1 rows, however many logins fail.
 */
import type { Logger } from "pino";
import type { UserRepository } from "../storage/user-repo.ts";

export const AUDIT_WINDOW_MS = 60_000;
const MAX_KEYS_PER_WINDOW = 50;

export interface FailedLogin {
  address: string;
  username: string | undefined;
  /** `device:<id>` or `user:<name>` when the name is known, else null. */
  target: string | null;
  reason: string;
  throttled: boolean;
}

interface Tally {
  login: FailedLogin;
  /** Failures after the first (that one is already written). */
  more: number;
  throttled: number;
  firstAt: string;
  lastAt: string;
}

export class LoginAudit {
  private readonly users: UserRepository;
  private readonly logger: Logger;
  /** Rows being written: the hub's stop waits for them before the database closes. */
  private readonly writing = new Set<Promise<void>>();
  private readonly tallies = new Map<string, Tally>();
  private overflow = { failures: 0, addresses: new Set<string>() };
  private timer: NodeJS.Timeout | null = null;
  /**
   * Set once stopped: a login still being checked when the hub stops (argon2 runs on the
   * thread pool) ends after the database closed, and must not write to it.
   */
  private stopped = false;

  constructor(deps: { users: UserRepository; logger: Logger }) {
    this.users = deps.users;
    this.logger = deps.logger;
  }

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.flush(), AUDIT_WINDOW_MS);
    this.timer.unref();
  }

  /** Writes what the window holds; the hub calls it when it stops, so nothing counted is lost. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
    this.stopped = true;
    await Promise.all([...this.writing]);
  }

  failed(login: FailedLogin, at: Date): void {
    if (this.stopped) return;
    const key = `${login.address}\u0000${login.username ?? ""}`;
    const now = at.toISOString();
    const tally = this.tallies.get(key);
    if (tally) {
      tally.more += 1;
      if (login.throttled) tally.throttled += 1;
      tally.lastAt = now;
      tally.login = login;
      return;
    }
    if (this.tallies.size >= MAX_KEYS_PER_WINDOW) {
      this.overflow.failures += 1;
      if (this.overflow.addresses.size < 1000) this.overflow.addresses.add(login.address);
      return;
    }
    this.tallies.set(key, { login, more: 0, throttled: 0, firstAt: now, lastAt: now });
    this.write(login, { failures: 1, reason: login.reason, throttled: login.throttled });
  }

  /** Successful logins of people (not devices) are rare and say who watched device traffic. */
  loggedIn(username: string, address: string, role: string): void {
    if (this.stopped) return;
    this.append(`user:${username}`, "mqtt_login", null, { from: address, role });
  }

  flush(): void {
    for (const tally of this.tallies.values()) {
      if (tally.more === 0) continue;
      this.write(tally.login, {
        failures: tally.more,
        reason: tally.login.reason,
        throttled: tally.throttled,
        firstAt: tally.firstAt,
        lastAt: tally.lastAt,
        summary: true,
      });
    }
    this.tallies.clear();
    if (this.overflow.failures > 0) {
      this.append("anonymous", "mqtt_login_failed", null, {
        failures: this.overflow.failures,
        addresses: this.overflow.addresses.size,
        overflow: true,
      });
    }
    this.overflow = { failures: 0, addresses: new Set<string>() };
  }

  private write(login: FailedLogin, detail: Record<string, unknown>): void {
    const target = login.target ?? (login.username ? `username:${login.username.slice(0, 64)}` : null);
    this.append(`anonymous@${login.address}`, "mqtt_login_failed", target, { ...detail, from: login.address });
  }

  /** A login never waits for its audit row; a row that cannot be written is logged instead. */
  private append(actor: string, action: string, target: string | null, detail: Record<string, unknown>): void {
    const write = this.users
      .audit(actor, action, target, detail)
      .catch((error: unknown) =>
        this.logger.error({ err: error, code: "STORAGE_FAILED", action }, "could not write an MQTT login's audit row"),
      )
      .finally(() => this.writing.delete(write));
    this.writing.add(write);
  }
}
