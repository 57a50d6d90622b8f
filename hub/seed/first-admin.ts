import type { AccountService } from "../accounts/account-service.ts";
import type { UserRepository } from "../storage/user-repo.ts";

/**
 * Creates the first administrator, `admin`, on an empty user table, through
 * the account service like any other account.
 *
 * - With ANXIN_ADMIN_PASSWORD set, the deployer chose the password (held to the
 *   policy by hub/config.ts): it is the administrator's own, not flagged.
 * - Otherwise it is generated and returned so `npm start` prints it once. A
 *   password shown on a terminal (and kept in its scrollback or a service log)
 *   is a one-time password like one an administrator hands out, so it must be
 *   changed at first login, as the rule for those says.
 */
export async function ensureFirstAdmin(
  deps: { users: UserRepository; accounts: AccountService },
  configured: string | null,
): Promise<{ created: boolean; generatedPassword: string | null }> {
  if ((await deps.users.count()) > 0) return { created: false, generatedPassword: null };
  const { generatedPassword } = await deps.accounts.create(
    { name: "system", userId: null },
    { username: "admin", displayName: "管理员 Administrator", role: "admin" },
    configured === null ? { mustChange: true } : { password: configured, mustChange: false, source: "env" },
  );
  return { created: true, generatedPassword };
}
