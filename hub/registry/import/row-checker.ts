/**
 * Field-by-field checks for one record, the same for CSV cells (always text)
 * and JSON values. Each check returns the clean value or null, and records a
 * coded, plain-words issue at the field's place in the file; a record with any
 * issue is rejected as a whole.
 */
import type { RowIssue, RowIssueCode, RowLocation } from "./import-types.ts";
import { checkWeeklySpans, parseWeeklyHours, type WeeklySpan } from "./weekly-hours.ts";

/** Maps a field path such as `residents[0].phone` to its place in the file. */
export type FieldLocator = (field: string) => RowLocation;

export type Sex = "F" | "M" | "X";
export type Language = "zh-CN" | "en";

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const TOKEN = /^[a-z0-9][a-z0-9_]{0,39}$/;
const SEXES: Record<string, Sex> = { f: "F", m: "M", x: "X", female: "F", male: "M", 女: "F", 男: "M" };
const LANGUAGES: Record<string, Language> = { "zh-cn": "zh-CN", zh: "zh-CN", en: "en" };

export function isBlank(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");
}

export class RowChecker {
  readonly issues: RowIssue[] = [];
  private readonly locate: FieldLocator;
  private readonly key: string | null;

  constructor(locate: FieldLocator, key: string | null) {
    this.locate = locate;
    this.key = key;
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }

  fail(field: string, code: RowIssueCode, reason: string): null {
    this.issues.push({ ...this.locate(field), key: this.key, code, reason });
    return null;
  }

  /** Text, trimmed; blank gives null, or a REQUIRED issue when `required`. */
  text(field: string, raw: unknown, options: { required?: boolean; max?: number } = {}): string | null {
    if (isBlank(raw)) return options.required ? this.fail(field, "REQUIRED", "is required and is empty") : null;
    if (typeof raw !== "string") return this.fail(field, "WRONG_TYPE", `must be text, not ${describe(raw)}`);
    const value = raw.trim();
    const max = options.max ?? 200;
    if (value.length > max) return this.fail(field, "TOO_LONG", `is ${value.length} characters long; at most ${max}`);
    return value;
  }

  code(field: string, raw: unknown): string | null {
    const value = this.text(field, raw, { required: true, max: 64 });
    if (value === null || CODE.test(value)) return value;
    return this.fail(field, "BAD_CODE", `"${value}" is not a code: use letters, digits, "-", "_" or "." (at most 64)`);
  }

  /** E.164 after dropping the spaces, dashes, dots and brackets people write in numbers. */
  phone(field: string, raw: unknown, required: boolean): string | null {
    const value = this.text(field, raw, { required, max: 40 });
    if (value === null) return null;
    const compact = value.replace(/[\s\-().]/g, "");
    if (E164.test(compact)) return compact;
    return this.fail(
      field,
      "BAD_PHONE",
      `"${value}" is not an international (E.164) phone number: write + and the country code, e.g. +8613912345678`,
    );
  }

  /** A calendar date YYYY-MM-DD between 1900-01-01 and today. */
  date(field: string, raw: unknown, required: boolean): string | null {
    const value = this.text(field, raw, { required, max: 10 });
    if (value === null) return null;
    const match = ISO_DATE.exec(value);
    const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
    const date = new Date(Date.UTC(year, month - 1, day));
    const real = match !== null && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
    if (!real) {
      const reason = match ? `"${value}" is not a real date` : `"${value}" is not a date written YYYY-MM-DD`;
      return this.fail(field, "BAD_DATE", reason);
    }
    if (year < 1900 || date.getTime() > Date.now()) {
      return this.fail(field, "BAD_DATE", `${value} is not a plausible date (1900 up to today)`);
    }
    return value;
  }

  /** A date (YYYY-MM-DD) or an ISO 8601 date-time with its zone, not in the future (a minute of slack for clocks). */
  moment(field: string, raw: unknown, required: boolean): string | null {
    const value = this.text(field, raw, { required, max: 40 });
    if (value === null) return null;
    const shaped = ISO_DATE.test(value) || ISO_DATE_TIME.test(value);
    const time = Date.parse(value);
    if (!shaped || Number.isNaN(time)) {
      return this.fail(
        field,
        "BAD_DATE",
        `"${value}" is not a date (YYYY-MM-DD) or date-time (2025-03-01T09:30:00+08:00)`,
      );
    }
    if (time > Date.now() + 60_000) return this.fail(field, "BAD_DATE", `${value} is in the future`);
    return value;
  }

  sex(field: string, raw: unknown): Sex | null {
    const value = this.text(field, raw, { required: true, max: 10 });
    if (value === null) return null;
    return SEXES[value.toLowerCase()] ?? this.fail(field, "UNKNOWN_SEX", `unknown sex "${value}": write F, M or X`);
  }

  /** Blank means zh-CN, the hub's default; SMS exist in zh-CN and English only. */
  language(field: string, raw: unknown): Language | null {
    const value = this.text(field, raw, { max: 10 });
    if (value === null) return "zh-CN";
    const known = LANGUAGES[value.toLowerCase()];
    return known ?? this.fail(field, "UNKNOWN_LANGUAGE", `unknown language "${value}": write zh-CN or en`);
  }

  number(field: string, raw: unknown): number | null {
    if (isBlank(raw)) return null;
    const value = typeof raw === "string" ? Number(raw.trim()) : raw;
    if (typeof value === "number" && Number.isFinite(value)) return value;
    return this.fail(field, "BAD_NUMBER", `${describe(raw)} is not a number`);
  }

  /** A point from `lat` and `lng`: both or neither ("absent"), on Earth; null when wrong (the issue is recorded). */
  point(rawLat: unknown, rawLng: unknown): { lat: number; lng: number } | "absent" | null {
    const before = this.issues.length;
    const lat = this.number("lat", rawLat);
    const lng = this.number("lng", rawLng);
    if (this.issues.length > before) return null;
    if (lat === null && lng === null) return "absent";
    if (lat === null || lng === null) {
      return this.fail(lat === null ? "lat" : "lng", "COORDINATES_INVALID", "give both lat and lng, or neither");
    }
    if (Math.abs(lat) > 90) return this.fail("lat", "COORDINATES_INVALID", `${lat} is not a latitude (-90 to 90)`);
    if (Math.abs(lng) > 180) return this.fail("lng", "COORDINATES_INVALID", `${lng} is not a longitude (-180 to 180)`);
    return { lat, lng };
  }

  /** true/false, yes/no, 1/0 (CSV), or a JSON boolean; blank gives null. */
  boolean(field: string, raw: unknown): boolean | null {
    if (isBlank(raw)) return null;
    if (typeof raw === "boolean") return raw;
    const text = typeof raw === "string" || typeof raw === "number" ? String(raw).trim().toLowerCase() : "";
    if (["true", "yes", "1", "y"].includes(text)) return true;
    if (["false", "no", "0", "n"].includes(text)) return false;
    return this.fail(field, "BAD_BOOLEAN", `${describe(raw)} is not yes or no (write true or false)`);
  }

  /** A list of short lower-case words: `a;b` in CSV, `["a","b"]` in JSON. */
  tokens(field: string, raw: unknown): string[] | null {
    if (isBlank(raw)) return [];
    const items = typeof raw === "string" ? raw.split(/[;,]/).map((item) => item.trim()) : raw;
    if (!Array.isArray(items) || !items.every((item) => typeof item === "string")) {
      return this.fail(field, "WRONG_TYPE", "must be a list of words (CSV: a;b, JSON: an array of strings)");
    }
    const words = items.filter((item) => item !== "");
    const bad = words.find((word) => !TOKEN.test(word));
    if (bad !== undefined) {
      return this.fail(field, "BAD_TOKEN", `"${bad}" is not a lower-case word (letters, digits, _), e.g. first_aid`);
    }
    return [...new Set(words)];
  }

  /** Weekly hours: the compact text (CSV, or a JSON string) or the JSON array. */
  hours(field: string, raw: unknown): WeeklySpan[] | null {
    if (isBlank(raw)) return [];
    const parsed = typeof raw === "string" ? parseWeeklyHours(raw) : checkWeeklySpans(raw);
    return parsed.ok ? parsed.value : this.fail(field, "BAD_HOURS", parsed.reason);
  }
}

/** A short description of a bad value for a reason sentence; long text is cut. */
export function describe(raw: unknown): string {
  if (typeof raw === "string") return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  if (Array.isArray(raw)) return "a list";
  if (raw === null) return "null";
  if (typeof raw === "object") return "an object";
  return `${typeof raw} ${String(raw)}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Flags JSON fields the format does not have: a misspelt field would otherwise be dropped silently. */
export function checkKnownFields(
  checker: RowChecker,
  value: Record<string, unknown>,
  known: readonly string[],
  prefix: string,
): void {
  for (const field of Object.keys(value)) {
    if (!known.includes(field)) {
      checker.fail(`${prefix}${field}`, "UNKNOWN_FIELD", `is not a field of this format (known: ${known.join(", ")})`);
    }
  }
}
