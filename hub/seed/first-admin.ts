import { randomBytes } from "node:crypto";
import { hashPassword } from "../auth/session-service.ts";
import type { UserRepository } from "../storage/user-repo.ts";

/**
 * Creates the first administrator, `admin`, on an empty user table. The
 * password comes from ANXIN_ADMIN_PASSWORD, or is generated and returned so the
 * caller prints it once; it is never stored in clear.
 */
export async function ensureFirstAdmin(
  users: UserRepository,
  configured: string | null,
): Promise<{ created: boolean; generatedPassword: string | null }> {
  if (users.count() > 0) return { created: false, generatedPassword: null };
  const password = configured ?? randomBytes(12).toString("base64url");
  users.create({
    username: "admin",
    passwordHash: await hashPassword(password),
    role: "admin",
    displayName: "管理员 Administrator",
  });
  users.audit("system", "user_created", "user:admin", {
    role: "admin",
    passwordSource: configured ? "env" : "generated",
  });
  return { created: true, generatedPassword: configured ? null : password };
}
