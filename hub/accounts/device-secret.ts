/**
 * Device secrets are random 192-bit tokens, not human passwords, so a plain
 * SHA-256 is a sound hash for them and keeps a reconnecting fleet cheap; human
 * passwords get argon2 (passwords.ts).
 */
import { createHash } from "node:crypto";

export function hashDeviceSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
