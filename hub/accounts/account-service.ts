/**
 * Staff accounts, the one place that changes them: the REST routes, the CLI
 * and the first-start seeding all come here, so they cannot disagree on what
 * an account may hold, on the password policy, or on what gets audited.
 *
 * - A password someone else chose (an administrator, or a generated one) must
 *   be changed at first login (`must_change_password`).
 * - Disabling, resetting the password and changing the role end the person's
 *   sessions in the same transaction as the change; after the commit the bus
 *   tells realtime to close their sockets. (A hub that did not make the change,
 *   the CLI's, finds the sessions gone on its next check: realtime-routes.ts.)
 * - The last enabled administrator can be neither disabled nor demoted, and an
 *   administrator cannot do either to themself here, so nobody locks the center out.
 * - Every change is audited; passwords and hashes never are.
 */
import { AnxinError } from "../errors.ts";
import type { EventBus, SessionsRevokedReason } from "../events.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { Role, UserChanges, UserRepository, UserRow } from "../storage/user-repo.ts";
import { checkContact, checkDisplayName, checkLanguage, checkRole, checkUsername } from "./account-rules.ts";
import { type AccountView, accountView } from "./account-view.ts";
import { checkPasswordPolicy } from "./password-policy.ts";
import { generatePassword, hashPassword, verifyPassword } from "./passwords.ts";

/** Who acts: `user:<name>` from the console, `cli:<os user>` from the CLI, `system` at first start. */
export interface AccountActor {
  name: string;
  /** The acting account, so it cannot disable or demote itself; null for the CLI and the system. */
  userId: number | null;
}

export function actorOf(user: UserRow): AccountActor {
  return { name: `user:${user.username}`, userId: user.id };
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: string;
  language?: string | undefined;
  contact?: string | null | undefined;
  workerId?: number | null | undefined;
}

export type AccountChanges = Partial<Omit<NewAccount, "username">>;

export interface PasswordChoice {
  /** Typed by the administrator; omitted: generated and answered once. */
  password?: string | undefined;
  /** Only seeding passes false (a password its owner chose, demo logins); default true. */
  mustChange?: boolean;
  /** For the audit row: where a given password came from (default `typed`). */
  source?: "typed" | "env";
}

export interface WithPassword {
  account: AccountView;
  /** The generated password, to be shown once; null when one was given. */
  generatedPassword: string | null;
}

export class AccountService {
  private readonly sql: SqlDatabase;
  private readonly users: UserRepository;
  private readonly bus: Pick<EventBus, "emit"> | null;

  constructor(deps: { sql: SqlDatabase; users: UserRepository; bus: Pick<EventBus, "emit"> | null }) {
    this.sql = deps.sql;
    this.users = deps.users;
    this.bus = deps.bus;
  }

  async list(): Promise<AccountView[]> {
    return (await this.users.accounts()).map(accountView);
  }

  async get(id: number): Promise<AccountView> {
    const row = await this.users.account(id);
    if (!row) throw new AnxinError("USER_NOT_FOUND", `no account with id ${id}`, { id });
    return accountView(row);
  }

  /** Looks an account up by username (the CLI names accounts that way). */
  async idOf(username: string): Promise<number> {
    const row = await this.users.byUsername(username);
    if (!row) throw new AnxinError("USER_NOT_FOUND", `no account named ${username}`, { username });
    return row.id;
  }

  async create(actor: AccountActor, input: NewAccount, choice: PasswordChoice = {}): Promise<WithPassword> {
    const username = checkUsername(input.username);
    const role = checkRole(input.role);
    const fields = {
      displayName: checkDisplayName(input.displayName),
      language: checkLanguage(input.language ?? "zh-CN"),
      contact: checkContact(input.contact),
    };
    const workerId = input.workerId ?? null;
    const { password, generated } = chosenPassword(choice);
    // The cheap refusals first, before ~25 ms of hashing; all are checked again inside the transaction.
    await this.checkUnique(username);
    await this.checkWorkerLink(role, workerId, null);
    const passwordHash = await hashPassword(password);
    const mustChange = choice.mustChange ?? true;
    const id = await this.sql.transaction(async () => {
      await this.checkUnique(username);
      await this.checkWorkerLink(role, workerId, null);
      const id = await this.users.create({
        username,
        passwordHash,
        role,
        workerId,
        mustChangePassword: mustChange,
        ...fields,
      });
      await this.users.audit(actor.name, "user_created", `user:${username}`, {
        role,
        workerId,
        language: fields.language,
        hasContact: fields.contact !== null,
        passwordSource: generated ? "generated" : (choice.source ?? "typed"),
        mustChangePassword: mustChange,
      });
      return id;
    });
    return { account: await this.get(id), generatedPassword: generated ? password : null };
  }

  async update(actor: AccountActor, id: number, changes: AccountChanges): Promise<AccountView> {
    const ended = await this.sql.transaction(async () => {
      const row = await this.require(id);
      const role = changes.role === undefined ? row.role : checkRole(changes.role);
      // Leaving the worker role unlinks the worker record unless a link is given explicitly.
      const workerId = changes.workerId !== undefined ? changes.workerId : role === "worker" ? row.worker_id : null;
      const next: UserChanges = {};
      if (changes.displayName !== undefined) next.display_name = checkDisplayName(changes.displayName);
      if (changes.language !== undefined) next.language = checkLanguage(changes.language);
      if (changes.contact !== undefined) next.contact = checkContact(changes.contact);
      if (role !== row.role) next.role = role;
      if (workerId !== row.worker_id) next.worker_id = workerId;
      const diff = differences(row, next);
      if (Object.keys(diff).length === 0) return null;
      if (next.role !== undefined) await this.checkMayLoseAdmin(actor, row, "change the role of");
      await this.checkWorkerLink(role, workerId, id);
      await this.users.update(id, next);
      // New rights mean a new login: a console open with the old role must not keep its pushes.
      const sessionsEnded = next.role !== undefined ? await this.users.deleteSessionsOf(id) : 0;
      await this.users.audit(actor.name, "user_updated", `user:${row.username}`, { changes: diff, sessionsEnded });
      return next.role !== undefined;
    });
    if (ended) this.revoked(id, "role_changed");
    return await this.get(id);
  }

  async resetPassword(actor: AccountActor, id: number, choice: PasswordChoice = {}): Promise<WithPassword> {
    const before = await this.require(id);
    if (actor.userId === id) throw selfRefusal("reset the password of");
    const { password, generated } = chosenPassword(choice);
    const passwordHash = await hashPassword(password);
    await this.sql.transaction(async () => {
      await this.require(id);
      await this.users.setPassword(id, passwordHash, true);
      const sessionsEnded = await this.users.deleteSessionsOf(id);
      await this.users.audit(actor.name, "user_password_reset", `user:${before.username}`, {
        sessionsEnded,
        passwordSource: generated ? "generated" : "typed",
      });
    });
    this.revoked(id, "password_reset");
    return { account: await this.get(id), generatedPassword: generated ? password : null };
  }

  async disable(actor: AccountActor, id: number): Promise<AccountView> {
    const changed = await this.sql.transaction(async () => {
      const row = await this.require(id);
      if (row.disabled !== 0) return false;
      await this.checkMayLoseAdmin(actor, row, "disable");
      await this.users.setDisabled(id, true);
      const sessionsEnded = await this.users.deleteSessionsOf(id);
      await this.users.audit(actor.name, "user_disabled", `user:${row.username}`, { sessionsEnded });
      return true;
    });
    if (changed) this.revoked(id, "disabled");
    return await this.get(id);
  }

  async enable(actor: AccountActor, id: number): Promise<AccountView> {
    await this.sql.transaction(async () => {
      const row = await this.require(id);
      if (row.disabled === 0) return;
      await this.users.setDisabled(id, false);
      await this.users.audit(actor.name, "user_enabled", `user:${row.username}`);
    });
    return await this.get(id);
  }

  /**
   * Anyone's own password, given the current one. Ends the person's other
   * sessions (a password change is what someone does who fears theirs was seen)
   * but keeps `keepTokenHash`, the session asking.
   */
  async changeOwnPassword(
    user: UserRow,
    passwords: { current: string; next: string },
    keepTokenHash: string | null,
  ): Promise<AccountView> {
    const row = await this.require(user.id);
    const actor = `user:${row.username}`;
    if (!(await verifyPassword(row.password_hash, passwords.current))) {
      await this.users.audit(actor, "password_change_failed", actor, { reason: "current_password_wrong" });
      throw new AnxinError("PASSWORD_CURRENT_WRONG", "the current password is wrong");
    }
    checkPasswordPolicy(passwords.next);
    if (passwords.next === passwords.current) {
      throw new AnxinError("PASSWORD_UNCHANGED", "the new password must differ from the current one");
    }
    const passwordHash = await hashPassword(passwords.next);
    await this.sql.transaction(async () => {
      await this.users.setPassword(row.id, passwordHash, false);
      const otherSessionsEnded = await this.users.deleteSessionsOf(row.id, keepTokenHash);
      await this.users.audit(actor, "password_changed", actor, {
        required: row.must_change_password !== 0,
        otherSessionsEnded,
      });
    });
    this.revoked(row.id, "password_changed", keepTokenHash);
    return await this.get(row.id);
  }

  private async require(id: number): Promise<UserRow> {
    const row = await this.users.byId(id);
    if (!row) throw new AnxinError("USER_NOT_FOUND", `no account with id ${id}`, { id });
    return row;
  }

  private async checkUnique(username: string): Promise<void> {
    const taken = await this.users.byUsernameAnyCase(username);
    if (taken) throw new AnxinError("USER_EXISTS", `the username ${taken.username} is taken`, { username });
  }

  /** One login per worker, and only `worker` accounts are linked to a worker record. */
  private async checkWorkerLink(role: Role, workerId: number | null, accountId: number | null): Promise<void> {
    if (role === "worker" && workerId === null) {
      throw new AnxinError("USER_WORKER_LINK_INVALID", "a worker account must name its worker record (workerId)");
    }
    if (role !== "worker" && workerId !== null) {
      throw new AnxinError("USER_WORKER_LINK_INVALID", `a ${role} account is not linked to a worker record`);
    }
    if (workerId === null) return;
    const worker = await this.users.worker(workerId);
    if (!worker) throw new AnxinError("WORKER_NOT_FOUND", `no worker with id ${workerId}`, { workerId });
    const holder = await this.users.byWorkerId(workerId);
    if (holder && holder.id !== accountId) {
      throw new AnxinError("USER_WORKER_TAKEN", `worker ${worker.code} already logs in as ${holder.username}`, {
        workerId,
      });
    }
  }

  /** Refuses to take away an administrator when it is the actor's own account or the last one enabled. */
  private async checkMayLoseAdmin(actor: AccountActor, row: UserRow, what: string): Promise<void> {
    if (actor.userId === row.id) throw selfRefusal(what);
    if (row.role === "admin" && row.disabled === 0 && (await this.users.countEnabledAdmins(row.id)) === 0) {
      throw new AnxinError(
        "USER_LAST_ADMIN",
        `cannot ${what} ${row.username}: the last enabled administrator (make another administrator first)`,
      );
    }
  }

  private revoked(userId: number, reason: SessionsRevokedReason, keepTokenHash: string | null = null): void {
    this.bus?.emit("user.sessions_revoked", { userId, reason, keepTokenHash });
  }
}

function chosenPassword(choice: PasswordChoice): { password: string; generated: boolean } {
  const password = choice.password ?? generatePassword();
  checkPasswordPolicy(password);
  return { password, generated: choice.password === undefined };
}

function selfRefusal(what: string): AnxinError {
  return new AnxinError(
    "USER_IS_SELF",
    `you cannot ${what} your own account here: another administrator can, and your own password is changed from your menu`,
  );
}

/** What an edit changes, for the audit row; contact values stay out of the log (staff's private numbers). */
function differences(row: UserRow, next: UserChanges): Record<string, unknown> {
  const diff: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(next)) {
    const before = row[column as keyof UserChanges];
    if (before === value) continue;
    diff[column] = column === "contact" ? { changed: true } : { from: before, to: value };
  }
  return diff;
}
