/**
 * Logins for the seeded demo workers, so the worker page can be tried at once:
 * username = worker code (e.g. KL-W001), role `worker`, each with its own
 * generated password, made through the account service like any account. The
 * passwords leave the hub only in `demo-workers.json` (mode 0600), the sheet
 * beside the device secrets. They are not flagged for change at first login:
 * these are demo logins to try the page with, on a sheet, not passwords an
 * administrator handed to a person; a real worker's login is made on the Users
 * page or with `npm run users -- add`, and must be changed.
 */
import type { AccountService } from "../accounts/account-service.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";

export interface DemoWorkerCredential {
  code: string;
  name: string;
  username: string;
  password: string;
}

export async function seedDemoWorkerLogins(sql: SqlSession, accounts: AccountService): Promise<DemoWorkerCredential[]> {
  const workers = await sql.all<{ id: number; code: string; name: string }>(
    "SELECT id, code, name FROM workers WHERE id NOT IN (SELECT worker_id FROM users WHERE worker_id IS NOT NULL) ORDER BY id",
  );
  // Hashed side by side (argon2 runs on libuv's thread pool); each account is its own transaction.
  return Promise.all(
    workers.map(async (worker) => {
      const { generatedPassword } = await accounts.create(
        { name: "system", userId: null },
        { username: worker.code, displayName: worker.name, role: "worker", workerId: worker.id },
        { mustChange: false },
      );
      if (generatedPassword === null) throw new Error(`no password was generated for ${worker.code}`);
      return { code: worker.code, name: worker.name, username: worker.code, password: generatedPassword };
    }),
  );
}
