/**
 * SQL fragments that SQLite and PostgreSQL spell differently, one function
 * each, so a repository writes its statement once and asks for the fragment by
 * the session's dialect. Times are ISO-8601 text written by the hub in both.
 */
import type { SqlDialect } from "./sql-port.ts";

/** Seconds from `earlier` to `later` (ISO text expressions) as a double; NULL if either is NULL. */
export function secondsBetween(dialect: SqlDialect, later: string, earlier: string): string {
  return dialect === "sqlite"
    ? `(julianday(${later}) - julianday(${earlier})) * 86400.0`
    : `EXTRACT(EPOCH FROM (CAST(${later} AS timestamptz) - CAST(${earlier} AS timestamptz)))::float8`;
}

/** The length of a JSON array held as text (as `stages_done` is). */
export function jsonArrayLength(dialect: SqlDialect, textExpression: string): string {
  return dialect === "sqlite"
    ? `json_array_length(${textExpression})`
    : `jsonb_array_length(CAST(${textExpression} AS jsonb))`;
}

/** One top-level field of a JSON object held as text, as text (NULL when absent or the text is NULL). */
export function jsonTextField(dialect: SqlDialect, textExpression: string, field: string): string {
  if (!/^[a-z_]+$/i.test(field)) throw new Error(`not a plain JSON field name: ${field}`);
  return dialect === "sqlite"
    ? `json_extract(${textExpression}, '$.${field}')`
    : `(CAST(${textExpression} AS jsonb) ->> '${field}')`;
}

/** 32 random hex digits, as the idempotency keys are (SQLite: randomblob; PostgreSQL: a v4 UUID's hex). */
export function randomKey(dialect: SqlDialect): string {
  return dialect === "sqlite" ? "lower(hex(randomblob(16)))" : "replace(CAST(gen_random_uuid() AS text), '-', '')";
}

/**
 * An ISO-8601 UTC time (text, as the hub writes them: milliseconds and Z) plus a number of seconds,
 * as the same kind of text, so it compares with the stored times as text. NULL in, NULL out.
 */
export function isoPlusSeconds(dialect: SqlDialect, isoExpression: string, secondsExpression: string): string {
  return dialect === "sqlite"
    ? `strftime('%Y-%m-%dT%H:%M:%fZ', ${isoExpression}, (${secondsExpression}) || ' seconds')`
    : `to_char((CAST(${isoExpression} AS timestamptz) + (${secondsExpression}) * interval '1 second') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** A LIKE pattern matching `text` anywhere: the `%`, `_` and `\` typed by a person match literally (ESCAPE '\'). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** LIKE without regard to case (SQLite's LIKE already ignores ASCII case; PostgreSQL's does not). */
export function caseInsensitiveLike(dialect: SqlDialect): string {
  return dialect === "sqlite" ? "LIKE" : "ILIKE";
}

/** A text per dialect, built once: for statements that hold a dialect's fragment. */
export function perDialect(build: (dialect: SqlDialect) => string): Record<SqlDialect, string> {
  return { sqlite: build("sqlite"), postgres: build("postgres") };
}
