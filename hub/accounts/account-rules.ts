/**
 * What an account may hold: the contract's patterns and limits
 * (protocol/console/accounts.ts), checked by the service itself too, since the
 * CLI and the seeding go through it without any HTTP schema in front of them.
 */
import {
  CONTACT_MAX,
  CONTACT_PATTERN,
  DISPLAY_NAME_MAX,
  LANGUAGES,
  type Language,
  ROLES,
  type Role,
  USERNAME_PATTERN,
} from "../../protocol/console/index.ts";
import { AnxinError } from "../errors.ts";

/** A contact that is a SIP address (`sip:…` or `sips:…`) rather than a phone number. */
export function isSipAddress(contact: string): boolean {
  return contact.startsWith("sip:") || contact.startsWith("sips:");
}

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

export function checkLanguage(value: string): Language {
  const found = LANGUAGES.find((language) => language === value);
  if (!found) throw invalid("language", RULE_MESSAGES.language);
  return found;
}

export function checkRole(value: string): Role {
  const found = ROLES.find((role) => role === value);
  if (!found) throw invalid("role", RULE_MESSAGES.role);
  return found;
}
