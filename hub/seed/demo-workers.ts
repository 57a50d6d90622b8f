/**
 * Logins for the seeded demo workers, so the worker page can be tried at once:
 * username = worker code (e.g. KL-W001), role `worker`. They all share one
 * password, from ANXIN_DEMO_WORKER_PASSWORD or generated; it leaves the hub
 * only in `demo-workers.json` (mode 0600), like the device secrets. The hash is
 * computed once and reused: argon2id costs ~0.1 s per hash by design, the
 * password is shared anyway, and 24 hashes would slow every first start.
 */
import { randomBytes } from "node:crypto";
import { hashPassword } from "../auth/session-service.ts";
import { type Db, nowIso } from "../storage/database.ts";
import type { UserRepository } from "../storage/user-repo.ts";

export interface DemoWorkerCredential {
  code: string;
  name: string;
  username: string;
  password: string;
}

export async function seedDemoWorkerLogins(
  db: Db,
  users: UserRepository,
  configuredPassword: string | null,
): Promise<DemoWorkerCredential[]> {
  const workers = db
    .prepare(
      "SELECT id, code, name FROM workers WHERE id NOT IN (SELECT worker_id FROM users WHERE worker_id IS NOT NULL) ORDER BY id",
    )
    .all() as { id: number; code: string; name: string }[];
  if (workers.length === 0) return [];
  const password = configuredPassword ?? randomBytes(9).toString("base64url");
  const hash = await hashPassword(password);
  const insert = db.prepare(
    `INSERT INTO users (username, password_hash, role, display_name, language, created_at, worker_id)
     VALUES (?, ?, 'worker', ?, 'zh-CN', ?, ?)`,
  );
  const createdAt = nowIso();
  db.transaction(() => {
    for (const worker of workers) {
      insert.run(worker.code, hash, worker.name, createdAt, worker.id);
      users.audit("system", "user_created", `user:${worker.code}`, {
        role: "worker",
        workerId: worker.id,
        passwordSource: configuredPassword ? "env" : "generated",
      });
    }
  })();
  return workers.map((w) => ({ code: w.code, name: w.name, username: w.code, password }));
}
