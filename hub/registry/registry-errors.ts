/**
 * The registry's coded refusals. They are not in `hub/errors.ts` (shared with
 * every part of the hub) yet; the HTTP error handler already turns any error
 * with a `statusCode` and a `code` into a `{code, message}` body, and any error
 * with a `validation` list into a 400 `VALIDATION_FAILED` naming each field.
 */
export const REGISTRY_ERROR_CODES = {
  /** No such grid, household, resident, relative, device, worker, clinic or gazetteer entry. */
  REGISTRY_NOT_FOUND: 404,
  /** A code, device id or address that must be unique is already taken. */
  REGISTRY_DUPLICATE: 409,
  /** Deleting it would orphan alarm history or live bindings; deactivate it instead. */
  REGISTRY_IN_USE: 409,
  /** The record's state forbids the action (for example rotating a revoked device's secret). */
  REGISTRY_CONFLICT: 409,
  /** The household's point lies outside every grid: no one would be responsible for it. */
  HOUSEHOLD_OUTSIDE_GRIDS: 422,
  /** No coordinates were given and the address is not a standard address in the gazetteer. */
  ADDRESS_NOT_IN_GAZETTEER: 422,
  /** Health data may be kept only with a recorded consent. */
  HEALTH_CONSENT_REQUIRED: 422,
} as const;

export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  readonly statusCode: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: RegistryErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "RegistryError";
    this.code = code;
    this.statusCode = REGISTRY_ERROR_CODES[code];
    this.details = details;
  }
}

export interface FieldProblem {
  /** JSON pointer into the body, e.g. `/polygon/coordinates/0`. */
  instancePath: string;
  message: string;
}

/**
 * A body that passed the schema but is still wrong (an open ring, an unknown
 * grid id). Shaped like fastify's schema errors so the client sees one format:
 * 400 `VALIDATION_FAILED` with `errors: [{field, message}]`.
 */
export class RegistryFieldError extends Error {
  readonly statusCode = 400;
  readonly validation: readonly FieldProblem[];
  readonly validationContext = "body";

  constructor(problems: readonly FieldProblem[]) {
    super(problems.map((p) => `body${p.instancePath.replace(/\//g, ".")}: ${p.message}`).join("; "));
    this.name = "RegistryFieldError";
    this.validation = problems;
  }
}

/** One wrong field: `fieldError("gridId", "no grid with id 9")`; nested fields use dots, `"position.lat"`. */
export function fieldError(field: string, message: string): RegistryFieldError {
  return new RegistryFieldError([{ instancePath: `/${field.split(".").join("/")}`, message }]);
}

export function notFound(kind: string, id: number | string): RegistryError {
  return new RegistryError("REGISTRY_NOT_FOUND", `no ${kind} with id ${id}`, { kind, id });
}

/** The row, or a coded 404 naming what was missing. */
export function found<T>(row: T | undefined, kind: string, id: number | string): T {
  if (row === undefined) throw notFound(kind, id);
  return row;
}

/**
 * Refuses to delete a record that alarm history or a live binding still points
 * at: deleting it would rewrite what happened, or strand a button. `instead`
 * tells the administrator what to do rather than delete.
 */
export function refuseIfReferenced(
  kind: string,
  id: number | string,
  references: readonly { label: string; count: number }[],
  instead: string,
): void {
  if (references.length === 0) return;
  const uses = references.map((r) => `${r.count} ${r.label}`).join(", ");
  throw new RegistryError("REGISTRY_IN_USE", `${kind} ${id} is still referenced by ${uses}; ${instead}`, {
    references: Object.fromEntries(references.map((r) => [r.label, r.count])),
  });
}

/** A UNIQUE or PRIMARY KEY violation: SQLite's two codes, PostgreSQL's SQLSTATE 23505. */
const UNIQUE_VIOLATIONS: readonly unknown[] = ["SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY", "23505"];

export function isUniqueViolation(error: unknown): boolean {
  return UNIQUE_VIOLATIONS.includes((error as { code?: unknown } | null)?.code);
}

/** Runs a write; a UNIQUE or PRIMARY KEY violation becomes a coded 409 with `message`. */
export async function uniquely<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new RegistryError("REGISTRY_DUPLICATE", message);
    throw error;
  }
}
