/**
 * What an account may hold, as patterns and limits shared by the REST schemas
 * (hub/accounts/account-schemas.ts) and the service's own checks, which the
 * CLI and the seeding go through without any HTTP schema in front of them.
 */
import { AnxinError } from "../errors.ts";
import { ROLES, type Role } from "../storage/user-repo.ts";

/** 2–32 letters, digits, '.', '_' or '-': typed at every login, also on a phone (demo workers: `KL-W001`). */
export const USERNAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$";
export const USERNAME_MAX = 32;
export const DISPLAY_NAME_MAX = 64;
/** E.164 phone (`+8613912345678`) or SIP address (`sip:op1@pbx.example`): how the voice work reaches a person. */
export const CONTACT_PATTERN = "^(\\+[1-9][0-9]{6,14}|sips?:[^\\s@]+@[^\\s@]+)$";
export const CONTACT_MAX = 128;

/** A contact that is a SIP address (`sip:…` or `sips:…`) rather than a phone number. */
export function isSipAddress(contact: string): boolean {
  return contact.startsWith("sip:") || contact.startsWith("sips:");
}
/** The API's contact field: a contact, or blank for none. */
export const CONTACT_FIELD_PATTERN = `${CONTACT_PATTERN}|^\\s*$`;
export const LANGUAGES = ["zh-CN", "en"] as const;
export type AccountLanguage = (typeof LANGUAGES)[number];

export const RULE_MESSAGES = {
  username: "must be 2–32 letters, digits, '.', '_' or '-', starting with a letter or digit",
  contact: "must be a phone number in E.164 form (+8613912345678) or a SIP address (sip:name@host)",
  displayName: `must be 1–${DISPLAY_NAME_MAX} characters, not blank`,
  language: `must be one of: ${LANGUAGES.join(", ")}`,
  role: `must be one of: ${ROLES.join(", ")}`,
} as const;

function invalid(field: string, message: string): AnxinError {
  return new AnxinError("VALIDATION_FAILED", `${field}: ${message}`, { field });
}

export function checkUsername(value: string): string {
  if (!new RegExp(USERNAME_PATTERN).test(value)) throw invalid("username", RULE_MESSAGES.username);
  return value;
}

export function checkDisplayName(value: string): string {
  const trimmed = value.trim();
  if (trimmed === "" || [...trimmed].length > DISPLAY_NAME_MAX) throw invalid("displayName", RULE_MESSAGES.displayName);
  return trimmed;
}

/** Blank means "none on record". */
export function checkContact(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") return null;
  if (trimmed.length > CONTACT_MAX || !new RegExp(CONTACT_PATTERN).test(trimmed)) {
    throw invalid("contact", RULE_MESSAGES.contact);
  }
  return trimmed;
}

export function checkLanguage(value: string): AccountLanguage {
  const found = LANGUAGES.find((language) => language === value);
  if (!found) throw invalid("language", RULE_MESSAGES.language);
  return found;
}

export function checkRole(value: string): Role {
  const found = ROLES.find((role) => role === value);
  if (!found) throw invalid("role", RULE_MESSAGES.role);
  return found;
}
