/**
 * Building blocks of the registry's shapes (`/api/registry/...`): the field rules
 * a request body is checked against, the weekly schedule, paging and search. The
 * hub's registry validator explains each pattern in words (PATTERN_MESSAGES in
 * hub/http/routes/registry/validation-messages.ts) instead of echoing a regular expression.
 */
import Type, { type Static, type TSchema } from "typebox";
import { LANGUAGES } from "./session.ts";

export const PHONE_PATTERN = "^\\+[1-9][0-9]{6,14}$";
export const CODE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$";
export const TAG_PATTERN = "^[a-z0-9][a-z0-9_]{0,31}$";
/** At least one character that is not white space. */
export const NOT_BLANK_PATTERN = "\\S";
/** A weekly period's opening time, 00:00–23:59. */
export const OPEN_TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$";
/** A weekly period's closing time, 00:00–24:00 ("24:00": the very end of the day). */
export const CLOSE_TIME_PATTERN = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";

export const Phone = Type.String({ pattern: PHONE_PATTERN, description: "E.164, e.g. +8613912345678" });
export const Code = Type.String({ pattern: CODE_PATTERN, description: "stable code, the key for import and export" });
export const Name = Type.String({ minLength: 1, maxLength: 100, pattern: NOT_BLANK_PATTERN });
export const Address = Type.String({ minLength: 1, maxLength: 300, pattern: NOT_BLANK_PATTERN });
export const Note = (maxLength: number) => Type.String({ maxLength });
export const Latitude = Type.Number({ minimum: -90, maximum: 90 });
export const Longitude = Type.Number({ minimum: -180, maximum: 180 });
export const LanguageField = Type.Enum([...LANGUAGES]);
export const Tags = Type.Array(Type.String({ pattern: TAG_PATTERN }), { maxItems: 20, uniqueItems: true });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/**
 * Clinics' opening hours and workers' shifts, 1 = Monday … 7 = Sunday. A close
 * earlier than the open runs past midnight into the next day.
 */
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
export type WeeklyPeriod = Static<typeof WeeklySchedule>[number];

export const GridRefSchema = Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() });
export type GridRef = Static<typeof GridRefSchema>;

/** Paging and search, common to every list. */
export const listQueryProperties = {
  q: Type.Optional(Type.String({ maxLength: 200, description: "matches name, code or address" })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};

export const ListQuerystring = Type.Object(listQueryProperties);

/** One page of a registry list. */
export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
/** What `pageOf(item)` answers: the page's items, how many match in all, and where the page starts. */
export interface ListPage<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Wraps a body schema so an unknown field (a typo such as `adress`) is refused rather than silently dropped. */
export const strictObject = <T extends Record<string, TSchema>>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

/** The PATCH body of a create body: every field optional, unknown fields still refused. */
export const patchOf = <T extends ReturnType<typeof strictObject>>(create: T) =>
  Type.Partial(create, { additionalProperties: false });
