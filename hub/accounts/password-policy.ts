/**
 * The password policy, one place for the console, the REST API, the CLI and
 * the configured first administrator: at least 12 characters (counted as the
 * person sees them, so 12 Chinese characters are 12), at most 256, and not on
 * the bundled list of common passwords (`common-passwords.txt`), compared
 * without regard to case. Length beats composition rules (NIST SP 800-63B):
 * no "one digit, one symbol" demands that only teach `Password1!`.
 */
import fs from "node:fs";
import { MAX_PASSWORD_LENGTH } from "../../protocol/console/index.ts";
import { AnxinError } from "../errors.ts";

export const MIN_PASSWORD_LENGTH = 12;

function readCommonPasswords(): ReadonlySet<string> {
  const text = fs.readFileSync(new URL("./common-passwords.txt", import.meta.url), "utf8");
  const entries = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.toLowerCase());
  return new Set(entries);
}

const COMMON = readCommonPasswords();

export function passwordLength(password: string): number {
  return [...password].length;
}

/** Throws the coded reason a password is refused; returns nothing when it is acceptable. */
export function checkPasswordPolicy(password: string): void {
  const length = passwordLength(password);
  if (length < MIN_PASSWORD_LENGTH) {
    throw new AnxinError(
      "PASSWORD_TOO_SHORT",
      `the password must be at least ${MIN_PASSWORD_LENGTH} characters (it has ${length})`,
      { min: MIN_PASSWORD_LENGTH, length },
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new AnxinError("VALIDATION_FAILED", `the password must be at most ${MAX_PASSWORD_LENGTH} characters`, {
      field: "password",
      max: MAX_PASSWORD_LENGTH,
    });
  }
  if (COMMON.has(password.trim().toLowerCase())) {
    throw new AnxinError("PASSWORD_TOO_COMMON", "this password is on the list of common passwords: choose another");
  }
}

/** The policy's verdict as text (for config validation), or null when the password is acceptable. */
export function passwordProblem(password: string): string | null {
  try {
    checkPasswordPolicy(password);
    return null;
  } catch (error) {
    if (error instanceof AnxinError) return error.message;
    throw error;
  }
}
