/**
 * Coded errors. Every refusal the hub makes carries a stable `code` that logs,
 * API bodies and tests can rely on, and an HTTP status for the API layer.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 500,
  AUTH_REQUIRED: 401,
  AUTH_INVALID_CREDENTIALS: 401,
  AUTH_FORBIDDEN: 403,
  /** A browser request from a page that is not the hub's own (hub/http/security.ts). */
  ORIGIN_FORBIDDEN: 403,
  /** A body that is not JSON (or a form where a route takes one). */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The account's password was set by someone else: change it (`POST /api/auth/password`) before anything else. */
  AUTH_PASSWORD_CHANGE_REQUIRED: 403,
  /** Changing one's own password: the current password given is wrong. Not 401: the session stays valid. */
  PASSWORD_CURRENT_WRONG: 403,
  /** The password policy (hub/accounts/password-policy.ts): at least 12 characters… */
  PASSWORD_TOO_SHORT: 400,
  /** …and not on the list of common passwords. */
  PASSWORD_TOO_COMMON: 400,
  /** A required change must pick a new password, not type the one-time password again. */
  PASSWORD_UNCHANGED: 400,
  USER_NOT_FOUND: 404,
  /** The username is taken (compared without regard to case). */
  USER_EXISTS: 409,
  /** A `worker` account must name an existing worker record, and only a `worker` account may. */
  USER_WORKER_LINK_INVALID: 400,
  /** That worker already has a login: one login per worker. */
  USER_WORKER_TAKEN: 409,
  /** Disabling or demoting the last enabled administrator would lock everyone out of account management. */
  USER_LAST_ADMIN: 409,
  /** An administrator may not disable, demote or reset themself here (their own password: `POST /api/auth/password`). */
  USER_IS_SELF: 409,
  ALARM_NOT_FOUND: 404,
  ALARM_STATE_CONFLICT: 409,
  /** The alarm has no household or resident yet (the locate stage has not matched its button). */
  ALARM_NOT_LOCATED: 409,
  ALARM_TRANSITION_ILLEGAL: 409,
  VALIDATION_FAILED: 400,
  DEVICE_UNKNOWN: 404,
  DEVICE_REVOKED: 403,
  OFFER_NOT_FOUND: 404,
  OFFER_NOT_OPEN: 409,
  WORKER_NOT_FOUND: 404,
  WORKER_ASSIGNED: 409,
  DISPATCH_IMPOSSIBLE: 409,
  SERVICE_REQUEST_NOT_FOUND: 404,
  SERVICE_REQUEST_TRANSITION_ILLEGAL: 409,
  ROUTING_FAILED: 502,
  KPI_RANGE_INVALID: 400,
  /** A history or audit-log query with a bad date range. */
  DATE_RANGE_INVALID: 400,
  /** A CSV export that would be larger than the cap: narrow the filters. */
  EXPORT_TOO_LARGE: 400,
  TWILIO_SIGNATURE_INVALID: 403,
  STORAGE_FAILED: 500,
  /** The database cannot commit a write (disk full, read-only, I/O error): new alarms cannot be stored. `/health` answers 503. */
  DATABASE_WRITE_FAILED: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AnxinError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AnxinError";
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export function isAnxinError(error: unknown): error is AnxinError {
  return error instanceof AnxinError;
}

/** A readable one-line reason for anything thrown, for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
