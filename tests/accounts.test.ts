/**
 * The account service on a real SQLite database: the password policy, what an
 * account may hold, the worker link, the last-administrator and self rules,
 * sessions ended in the same transaction as the change, the bus event that
 * closes sockets, and audit rows that never carry a password or a hash.
 * Also the first administrator and the demo workers' logins of a first start,
 * and the configuration's check of ANXIN_ADMIN_PASSWORD.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AccountActor, AccountService } from "../hub/accounts/account-service.ts";
import { checkPasswordPolicy, MIN_PASSWORD_LENGTH } from "../hub/accounts/password-policy.ts";
import { generatePassword, verifyPassword } from "../hub/accounts/passwords.ts";
import { hashToken, SessionService } from "../hub/auth/session-service.ts";
import { loadConfig } from "../hub/config.ts";
import { isAnxinError } from "../hub/errors.ts";
import { EventBus, type HubEventMap } from "../hub/events.ts";
import { createLogger } from "../hub/log.ts";
import { seedDemoDistrict } from "../hub/seed/demo-district.ts";
import { seedDemoWorkerLogins } from "../hub/seed/demo-workers.ts";
import { ensureFirstAdmin } from "../hub/seed/first-admin.ts";
import { type Db, openDatabase } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { UserRepository } from "../hub/storage/user-repo.ts";

const SYSTEM: AccountActor = { name: "cli:tester", userId: null };
const GOOD = "correct horse battery";

let dir: string;
let db: Db;
let sql: SqliteSql;
let users: UserRepository;
let accounts: AccountService;
let revoked: HubEventMap["user.sessions_revoked"][];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-accounts-"));
  db = openDatabase(path.join(dir, "anxin.db"), createLogger("silent"));
  sql = new SqliteSql(db);
  users = new UserRepository(sql);
  const bus = new EventBus(createLogger("silent"));
  revoked = [];
  bus.on("user.sessions_revoked", (event) => void revoked.push(event));
  accounts = new AccountService({ sql, users, bus });
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The coded error a call throws (sync or async), or "none". */
async function codeOf(action: () => unknown): Promise<string> {
  try {
    await action();
    return "none";
  } catch (error) {
    if (isAnxinError(error)) return error.code;
    throw error;
  }
}

function auditRows(): { actor: string; action: string; target: string; detail: string | null }[] {
  return db.prepare("SELECT actor, action, target, detail FROM audit_log ORDER BY id").all() as {
    actor: string;
    action: string;
    target: string;
    detail: string | null;
  }[];
}

async function addAdmin(username: string): Promise<number> {
  const { account } = await accounts.create(SYSTEM, { username, displayName: username, role: "admin" }, {});
  return account.id;
}

/** A live session of the user, as a login would make it; returns the token's hash. */
async function sessionOf(userId: number, token: string): Promise<string> {
  await users.createSession(hashToken(token), userId, new Date(Date.now() + 3600_000).toISOString());
  return hashToken(token);
}

describe("password policy", () => {
  it("wants 12 characters as people count them, and refuses common passwords whatever their case", async () => {
    expect(MIN_PASSWORD_LENGTH).toBe(12);
    expect(await codeOf(() => checkPasswordPolicy("eleven-char"))).toBe("PASSWORD_TOO_SHORT");
    expect(await codeOf(() => checkPasswordPolicy("twelve-chars"))).toBe("none");
    // Twelve Chinese characters are twelve characters (and 36 UTF-8 bytes).
    expect(await codeOf(() => checkPasswordPolicy("老吾老以及人之老幼吾幼以"))).toBe("none");
    expect(await codeOf(() => checkPasswordPolicy("老吾老以及人之老幼吾幼"))).toBe("PASSWORD_TOO_SHORT");
    for (const common of ["password1234", "PassWord1234", "1qaz2wsx3edc", "WOAINI1314520"]) {
      expect(await codeOf(() => checkPasswordPolicy(common)), common).toBe("PASSWORD_TOO_COMMON");
    }
    expect(await codeOf(() => checkPasswordPolicy("x".repeat(257)))).toBe("VALIDATION_FAILED");
  });

  it("generates one-time passwords that pass it and differ every time", () => {
    const generated = Array.from({ length: 200 }, generatePassword);
    expect(new Set(generated).size).toBe(200);
    for (const password of generated) {
      expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
      expect(() => checkPasswordPolicy(password)).not.toThrow();
    }
  });
});

describe("account service", () => {
  it("creates an account flagged to change its password, audited without password or hash", async () => {
    const created = await accounts.create(SYSTEM, {
      username: "op.wang",
      displayName: "  王伟  ",
      role: "operator",
      language: "en",
      contact: "+8613912345678",
    });
    expect(created.generatedPassword).not.toBeNull();
    expect(created.account).toMatchObject({
      username: "op.wang",
      displayName: "王伟",
      role: "operator",
      language: "en",
      contact: "+8613912345678",
      worker: null,
      disabled: false,
      mustChangePassword: true,
    });
    const row = await users.byUsername("op.wang");
    expect(await verifyPassword(row?.password_hash ?? "", created.generatedPassword ?? "")).toBe(true);
    // A typed password is flagged the same way, and not generated.
    const typed = await accounts.create(
      SYSTEM,
      { username: "sup", displayName: "S", role: "supervisor", contact: "sip:sup@pbx.example" },
      { password: GOOD },
    );
    expect(typed.generatedPassword).toBeNull();
    expect(typed.account.mustChangePassword).toBe(true);

    const log = auditRows();
    expect(log.map((r) => [r.actor, r.action, r.target])).toEqual([
      ["cli:tester", "user_created", "user:op.wang"],
      ["cli:tester", "user_created", "user:sup"],
    ]);
    const everything = JSON.stringify(log);
    expect(everything).not.toContain(created.generatedPassword);
    expect(everything).not.toContain(GOOD);
    expect(everything).not.toContain("$argon2");
    expect(JSON.parse(log[0]?.detail ?? "{}")).toMatchObject({ passwordSource: "generated", mustChangePassword: true });
  });

  it("refuses bad fields, taken usernames in any case, and weak typed passwords, writing nothing", async () => {
    await accounts.create(SYSTEM, { username: "op1", displayName: "One", role: "operator" });
    const attempts: [string, () => Promise<unknown>][] = [
      ["USER_EXISTS", () => accounts.create(SYSTEM, { username: "OP1", displayName: "x", role: "operator" })],
      ["VALIDATION_FAILED", () => accounts.create(SYSTEM, { username: "a b", displayName: "x", role: "operator" })],
      ["VALIDATION_FAILED", () => accounts.create(SYSTEM, { username: "op2", displayName: "  ", role: "operator" })],
      ["VALIDATION_FAILED", () => accounts.create(SYSTEM, { username: "op2", displayName: "x", role: "boss" })],
      [
        "VALIDATION_FAILED",
        () => accounts.create(SYSTEM, { username: "op2", displayName: "x", role: "operator", language: "fr" }),
      ],
      [
        "VALIDATION_FAILED",
        () => accounts.create(SYSTEM, { username: "op2", displayName: "x", role: "operator", contact: "139-0000" }),
      ],
      [
        "PASSWORD_TOO_SHORT",
        () => accounts.create(SYSTEM, { username: "op2", displayName: "x", role: "operator" }, { password: "short" }),
      ],
      [
        "PASSWORD_TOO_COMMON",
        () =>
          accounts.create(
            SYSTEM,
            { username: "op2", displayName: "x", role: "operator" },
            { password: "Password1234" },
          ),
      ],
    ];
    for (const [code, attempt] of attempts) expect(await codeOf(attempt)).toBe(code);
    expect(await users.count()).toBe(1);
    expect(auditRows()).toHaveLength(1);
  });

  it("links a worker account to exactly one existing worker record", async () => {
    await seedDemoDistrict(sql, { households: 4, workers: 3, clinics: 1 });
    const workerIds = (db.prepare("SELECT id FROM workers ORDER BY id").all() as { id: number }[]).map((w) => w.id);
    const [w1 = 0, w2 = 0] = workerIds;
    const worker = (username: string, workerId: number | null, role = "worker") =>
      accounts.create(SYSTEM, { username, displayName: username, role, workerId });
    expect(await codeOf(() => worker("w-none", null))).toBe("USER_WORKER_LINK_INVALID");
    expect(await codeOf(() => worker("w-ghost", 9999))).toBe("WORKER_NOT_FOUND");
    expect(await codeOf(() => worker("op-linked", w1, "operator"))).toBe("USER_WORKER_LINK_INVALID");
    const { account } = await worker("w-one", w1);
    expect(account.worker).toMatchObject({ id: w1, code: "KL-W001" });
    expect(await codeOf(() => worker("w-two", w1))).toBe("USER_WORKER_TAKEN");

    // Moving the login to another worker, or out of the worker role, follows the same rules.
    expect((await accounts.update(SYSTEM, account.id, { workerId: w2 })).worker?.id).toBe(w2);
    const operator = await accounts.update(SYSTEM, account.id, { role: "operator" });
    expect(operator).toMatchObject({ role: "operator", worker: null });
    expect(await codeOf(() => accounts.update(SYSTEM, account.id, { role: "worker" }))).toBe(
      "USER_WORKER_LINK_INVALID",
    );
  });

  it("ends the sessions of a disabled, reset or re-roled account in the same change, and says so on the bus", async () => {
    const { account } = await accounts.create(SYSTEM, { username: "op1", displayName: "One", role: "operator" });
    const sessions = new SessionService({ users }, { ttlHours: 1 });
    await sessionOf(account.id, "token-a");
    await sessionOf(account.id, "token-b");

    const disabled = await accounts.disable(SYSTEM, account.id);
    expect(disabled.disabled).toBe(true);
    expect(await sessions.userForToken("token-a")).toBeUndefined();
    expect(db.prepare("SELECT COUNT(*) AS n FROM sessions").get()).toEqual({ n: 0 });
    // Disabling twice changes nothing and tells nobody.
    await accounts.disable(SYSTEM, account.id);
    expect((await accounts.enable(SYSTEM, account.id)).disabled).toBe(false);

    await sessionOf(account.id, "token-c");
    const reset = await accounts.resetPassword(SYSTEM, account.id);
    expect(reset.account.mustChangePassword).toBe(true);
    expect(await sessions.userForToken("token-c")).toBeUndefined();

    await sessionOf(account.id, "token-d");
    await accounts.update(SYSTEM, account.id, { displayName: "Still an operator" });
    expect((await sessions.userForToken("token-d"))?.display_name).toBe("Still an operator");
    await accounts.update(SYSTEM, account.id, { role: "supervisor" });
    expect(await sessions.userForToken("token-d")).toBeUndefined();

    expect(revoked.map((e) => e.reason)).toEqual(["disabled", "password_reset", "role_changed"]);
    expect(revoked.every((e) => e.userId === account.id && e.keepTokenHash === null)).toBe(true);
    const actions = auditRows().map((r) => r.action);
    expect(actions).toEqual([
      "user_created",
      "user_disabled",
      "user_enabled",
      "user_password_reset",
      "user_updated",
      "user_updated",
    ]);
    const roleChange = JSON.parse(auditRows().at(-1)?.detail ?? "{}");
    expect(roleChange).toEqual({ changes: { role: { from: "operator", to: "supervisor" } }, sessionsEnded: 1 });
  });

  it("never lets the last enabled administrator go, nor an administrator remove themself", async () => {
    const first = await addAdmin("admin");
    expect(await codeOf(() => accounts.disable(SYSTEM, first))).toBe("USER_LAST_ADMIN");
    expect(await codeOf(() => accounts.update(SYSTEM, first, { role: "operator" }))).toBe("USER_LAST_ADMIN");
    const second = await addAdmin("admin2");
    const asSecond: AccountActor = { name: "user:admin2", userId: second };
    expect(await codeOf(() => accounts.disable(asSecond, second))).toBe("USER_IS_SELF");
    expect(await codeOf(() => accounts.update(asSecond, second, { role: "operator" }))).toBe("USER_IS_SELF");
    expect(await codeOf(() => accounts.resetPassword(asSecond, second))).toBe("USER_IS_SELF");
    // Their own name and language they may change.
    expect((await accounts.update(asSecond, second, { language: "en" })).language).toBe("en");
    expect((await accounts.disable(asSecond, first)).disabled).toBe(true);
    expect(await codeOf(() => accounts.disable(SYSTEM, second))).toBe("USER_LAST_ADMIN");
    expect(await users.countEnabledAdmins()).toBe(1);
  });

  it("changes one's own password given the current one, keeping only the asking session", async () => {
    const { account, generatedPassword } = await accounts.create(SYSTEM, {
      username: "op1",
      displayName: "One",
      role: "operator",
    });
    const current = generatedPassword ?? "";
    const mine = await sessionOf(account.id, "mine");
    await sessionOf(account.id, "elsewhere");
    const user = await users.byId(account.id);
    if (!user) throw new Error("no user");
    const change = (currentPassword: string, next: string) =>
      accounts.changeOwnPassword(user, { current: currentPassword, next }, mine);

    expect(await codeOf(() => change("wrong password!", GOOD))).toBe("PASSWORD_CURRENT_WRONG");
    expect(await codeOf(() => change(current, "too short"))).toBe("PASSWORD_TOO_SHORT");
    expect(await codeOf(() => change(current, "qwerty123456"))).toBe("PASSWORD_TOO_COMMON");
    expect(await codeOf(() => change(current, current))).toBe("PASSWORD_UNCHANGED");
    const changed = await change(current, GOOD);
    expect(changed.mustChangePassword).toBe(false);
    const sessions = new SessionService({ users }, { ttlHours: 1 });
    expect((await sessions.userForToken("mine"))?.id).toBe(account.id);
    expect(await sessions.userForToken("elsewhere")).toBeUndefined();
    expect(revoked).toEqual([{ userId: account.id, reason: "password_changed", keepTokenHash: mine }]);
    expect(await verifyPassword((await users.byId(account.id))?.password_hash ?? "", GOOD)).toBe(true);

    const log = auditRows().slice(1);
    expect(log.map((r) => [r.actor, r.action])).toEqual([
      ["user:op1", "password_change_failed"],
      ["user:op1", "password_changed"],
    ]);
    expect(JSON.parse(log[1]?.detail ?? "{}")).toEqual({ required: true, otherSessionsEnded: 1 });
    expect(JSON.stringify(log)).not.toContain(GOOD);
  });
});

describe("first start", () => {
  it("makes a generated first administrator change the password, not one the deployer configured", async () => {
    const generated = await ensureFirstAdmin({ users, accounts }, null);
    expect(generated.generatedPassword).not.toBeNull();
    expect((await users.byUsername("admin"))?.must_change_password).toBe(1);
    // Only ever on an empty user table.
    expect(await ensureFirstAdmin({ users, accounts }, null)).toEqual({ created: false, generatedPassword: null });

    const other = openDatabase(path.join(dir, "other.db"), createLogger("silent"));
    const otherSql = new SqliteSql(other);
    const otherUsers = new UserRepository(otherSql);
    const configured = await ensureFirstAdmin(
      { users: otherUsers, accounts: new AccountService({ sql: otherSql, users: otherUsers, bus: null }) },
      GOOD,
    );
    expect(configured.generatedPassword).toBeNull();
    expect((await otherUsers.byUsername("admin"))?.must_change_password).toBe(0);
    expect(await verifyPassword((await otherUsers.byUsername("admin"))?.password_hash ?? "", GOOD)).toBe(true);
    other.close();
  });

  it("gives every demo worker a login with its own password", async () => {
    await seedDemoDistrict(sql, { households: 4, workers: 6, clinics: 1 });
    const logins = await seedDemoWorkerLogins(sql, accounts);
    expect(logins.map((l) => l.username)).toEqual(["KL-W001", "KL-W002", "KL-W003", "KL-W004", "KL-W005", "KL-W006"]);
    expect(new Set(logins.map((l) => l.password)).size).toBe(6);
    const sessions = new SessionService({ users }, { ttlHours: 1 });
    const [first, second] = logins;
    if (!first || !second) throw new Error("no logins");
    expect((await sessions.login(first.username, first.password, "test")).user.role).toBe("worker");
    expect(await codeOf(() => sessions.login(first.username, second.password, "test"))).toBe(
      "AUTH_INVALID_CREDENTIALS",
    );
  });

  it("refuses a configured administrator password that breaks the policy, without printing it", () => {
    for (const [password, reason] of [
      ["short-pw", "at least 12 characters"],
      ["Administrator", "common passwords"],
    ] as const) {
      let message = "";
      try {
        loadConfig({ ANXIN_ADMIN_PASSWORD: password });
      } catch (error) {
        message = error instanceof Error ? error.message : String(error);
      }
      expect(message).toContain(`ANXIN_ADMIN_PASSWORD: `);
      expect(message).toContain(reason);
      expect(message).not.toContain(password);
    }
    expect(loadConfig({ ANXIN_ADMIN_PASSWORD: GOOD }).adminPassword).toBe(GOOD);
  });
});
