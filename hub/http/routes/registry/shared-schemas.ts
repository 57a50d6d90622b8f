/**
 * Building blocks of the registry API's schemas. Each pattern here has a
 * readable explanation in `PATTERN_MESSAGES`, which the registry's validator
 * uses instead of echoing a regular expression back to the client.
 */
import Type, { type TSchema } from "typebox";
import { DEVICE_ID_PATTERN } from "../../../../protocol/index.ts";
import { CONTACT_FIELD_PATTERN, RULE_MESSAGES, USERNAME_PATTERN } from "../../../accounts/account-rules.ts";
import { CLOSE_TIME_PATTERN, OPEN_TIME_PATTERN } from "../../../registry/weekly-hours.ts";

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PHONE_PATTERN = "^\\+[1-9][0-9]{6,14}$";
export const CODE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$";
export const TAG_PATTERN = "^[a-z0-9][a-z0-9_]{0,31}$";
/** At least one character that is not white space. */
export const NOT_BLANK_PATTERN = "\\S";

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

export const Phone = Type.String({ pattern: PHONE_PATTERN, description: "E.164, e.g. +8613912345678" });
export const Code = Type.String({ pattern: CODE_PATTERN, description: "stable code, the key for import and export" });
export const Name = Type.String({ minLength: 1, maxLength: 100, pattern: NOT_BLANK_PATTERN });
export const Address = Type.String({ minLength: 1, maxLength: 300, pattern: NOT_BLANK_PATTERN });
export const Note = (maxLength: number) => Type.String({ maxLength });
export const Latitude = Type.Number({ minimum: -90, maximum: 90 });
export const Longitude = Type.Number({ minimum: -180, maximum: 180 });
export const Language = Type.Enum(["zh-CN", "en"]);
export const Tags = Type.Array(Type.String({ pattern: TAG_PATTERN }), { maxItems: 20, uniqueItems: true });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const WeeklySchedule = Type.Array(
  Type.Object(
    {
      days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
        minItems: 1,
        maxItems: 7,
        uniqueItems: true,
        description: "1 = Monday … 7 = Sunday",
      }),
      open: Type.String({ pattern: OPEN_TIME_PATTERN }),
      close: Type.String({
        pattern: CLOSE_TIME_PATTERN,
        description: "earlier than open: runs past midnight; 24:00: end of the day",
      }),
    },
    { additionalProperties: false },
  ),
  { maxItems: 50 },
);

export const GridRefSchema = Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() });

/** Paging and search, common to every list. */
export const listQueryProperties = {
  q: Type.Optional(Type.String({ maxLength: 200, description: "matches name, code or address" })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};

export const ListQuerystring = Type.Object(listQueryProperties);

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

/** Wraps a body schema so an unknown field (a typo such as `adress`) is refused rather than silently dropped. */
export const strictObject = <T extends Record<string, TSchema>>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

/** The PATCH body of a create body: every field optional, unknown fields still refused. */
export const patchOf = <T extends ReturnType<typeof strictObject>>(create: T) =>
  Type.Partial(create, { additionalProperties: false });
