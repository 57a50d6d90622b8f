/**
 * The registry validator's words for the contract's patterns and formats
 * (protocol/console/registry-fields.ts, accounts.ts): each pattern a schema uses
 * has a readable explanation here, given instead of echoing a regular expression
 * back to the client.
 */
import {
  CLOSE_TIME_PATTERN,
  CODE_PATTERN,
  CONTACT_FIELD_PATTERN,
  NOT_BLANK_PATTERN,
  OPEN_TIME_PATTERN,
  PHONE_PATTERN,
  TAG_PATTERN,
  USERNAME_PATTERN,
} from "../../../../protocol/console/index.ts";
import { DEVICE_ID_PATTERN } from "../../../../protocol/index.ts";
import { RULE_MESSAGES } from "../../../accounts/account-rules.ts";

export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [PHONE_PATTERN]: "must be an E.164 phone number: + and country code, digits only (e.g. +8613912345678)",
  [CODE_PATTERN]: "must be 1–32 letters, digits, '-' or '_', starting with a letter or digit",
  [TAG_PATTERN]: "must be 1–32 lower-case letters, digits or '_' (e.g. first_aid)",
  [NOT_BLANK_PATTERN]: "must not be blank",
  [DEVICE_ID_PATTERN]: "must be 1–64 letters, digits, '-' or '_'",
  [OPEN_TIME_PATTERN]: "must be a time HH:MM from 00:00 to 23:59",
  [CLOSE_TIME_PATTERN]: "must be a time HH:MM from 00:00 to 24:00",
  // The accounts API (/api/users) uses the same validator.
  [USERNAME_PATTERN]: RULE_MESSAGES.username,
  [CONTACT_FIELD_PATTERN]: RULE_MESSAGES.contact,
};

export const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  date: "must be a calendar date YYYY-MM-DD",
  "date-time": "must be an ISO 8601 date and time with a zone (e.g. 2026-01-31T08:00:00+08:00)",
};
