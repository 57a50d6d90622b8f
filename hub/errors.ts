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
  /** Placing an unlocated alarm by hand at a household that already has an open alarm of that kind: close it as a duplicate. */
  ALARM_PLACE_CONFLICT: 409,
  /** Calling back from the console needs the operator's own phone or SIP address on their account. */
  CALL_NO_OPERATOR_PHONE: 409,
  /** Nobody to call: no number on record for that person (or no worker assigned). */
  CALL_NO_NUMBER: 409,
  CALL_NOT_FOUND: 404,
  /** A call's result is marked once (a second click, or another operator first). */
  CALL_ALREADY_MARKED: 409,
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
  /*
   * The registry's refusals. A body that passed the schema but is still wrong
   * (an open ring, an unknown grid id) is a 400 `VALIDATION_FAILED` naming each
   * field (`RegistryFieldError` below).
   */
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
  /** A history or audit-log query with a bad date range. */
  DATE_RANGE_INVALID: 400,
  /** A CSV export that would be larger than the cap: narrow the filters. */
  EXPORT_TOO_LARGE: 400,
  TWILIO_SIGNATURE_INVALID: 403,
  /** `GET /metrics` with ANXIN_METRICS_TOKEN set, without `Authorization: Bearer <that token>`. */
  METRICS_TOKEN_INVALID: 401,
  /**
   * `GET /metrics` without ANXIN_METRICS_TOKEN, from anywhere but loopback, forwarded by a proxy, or over
   * HTTPS (a TLS-passthrough proxy on the hub's machine would make every client look local).
   */
  METRICS_LOOPBACK_ONLY: 403,
  /** `GET /metrics` on the plain HTTP port from elsewhere than loopback while HTTPS is on: scrape HTTPS. */
  METRICS_HTTPS_REQUIRED: 403,
  /*
   * HTTP connection refusals: the socket is closed before a request is read
   * (one bounded log line per code, hub/net/refusal-log.ts).
   */
  /** The HTTP server holds its most connections (ANXIN_HTTP_MAX_CONNECTIONS, or fewer for lack of descriptors). */
  HTTP_CONNECTIONS_FULL: 503,
  /** One address holds its most HTTP connections (ANXIN_HTTP_CONNECTIONS_PER_ADDRESS). */
  HTTP_ADDRESS_LIMIT: 429,
  /*
   * MQTT refusals. The broker answers them with a CONNACK code or by closing the
   * connection, never over HTTP; each is one bounded log line with this code
   * (the status is what HTTP would have said). See docs/protocol.md.
   */
  /** A login the broker refused: unknown name, wrong secret or password, revoked device, role without MQTT. */
  MQTT_AUTH_REFUSED: 401,
  /** Too many failed logins from this address or for this username: refused unchecked for a while (CONNACK 5). */
  MQTT_LOGIN_THROTTLED: 429,
  /** A packet whose declared length is over ANXIN_MQTT_MAX_PACKET_BYTES: the connection is closed before it is read. */
  MQTT_PACKET_TOO_LARGE: 413,
  /** The remaining-length field of a packet is not a valid MQTT variable byte integer. */
  MQTT_FRAME_MALFORMED: 400,
  /** The broker holds its most connections (ANXIN_MQTT_MAX_CONNECTIONS, or fewer for lack of file descriptors). */
  MQTT_CONNECTIONS_FULL: 503,
  /** Too many connections from one address have not logged in yet (ANXIN_MQTT_PENDING_PER_ADDRESS). */
  MQTT_PENDING_LIMIT: 429,
  /** A login that could not be checked (the registry or Redis did not answer): CONNACK 3, and the device retries. */
  MQTT_LOGIN_UNAVAILABLE: 503,
  /** A publish outside the client's own topics (the connection is closed: MQTT 3.1.1 cannot refuse a publish). */
  MQTT_PUBLISH_DENIED: 403,
  /** A subscription outside what the client may read (SUBACK 0x80; the connection stays). */
  MQTT_SUBSCRIBE_DENIED: 403,
  /** The device's secret was rotated or the device revoked or deleted: its open sessions are closed at once. */
  MQTT_CREDENTIALS_CHANGED: 401,
  /** A person's MQTT session (a monitor) stopped reading its socket: closed, so no delivery waits for it. */
  MQTT_SUBSCRIBER_STALLED: 503,
  /*
   * TLS (issue 16; docs/operations.md, TLS). Logged with these codes; the
   * status is what HTTP would have said.
   */
  /** A certificate, key or client CA file that cannot be read or used: the hub does not start; a reload keeps the old one. */
  TLS_CERT_INVALID: 500,
  /** The hub's certificate has expired, or expires within 30 days (logged at start and at each reload). */
  TLS_CERT_EXPIRING: 500,
  /** A TLS handshake that failed (a client that does not trust the hub's CA, a plain client on a TLS port, a timeout). */
  TLS_HANDSHAKE_FAILED: 400,
  /** A device's client certificate not from ANXIN_MQTT_CLIENT_CA, for another name, or missing where required (CONNACK 5). */
  MQTT_CLIENT_CERT_REFUSED: 401,
  STORAGE_FAILED: 500,
  /** A hub, or `npm run restore`, holds the data directory's lock (hub/storage/data-dir-lock.ts): one at a time. */
  DATA_DIR_IN_USE: 409,
  /** A backup could not be taken or did not pass its checks; a scheduled one is tried again at the next check. */
  BACKUP_FAILED: 500,
  /** A file given to restore is not an Anxin SQLite database, is damaged, or comes from a newer Anxin. */
  BACKUP_INVALID: 422,
  /** The database cannot commit a write (disk full, read-only, I/O error): new alarms cannot be stored. `/health` answers 503. */
  DATABASE_WRITE_FAILED: 503,
  /** Redis (ANXIN_REDIS_URL) cannot be reached: this hub's broker is cut off from the others. `/health` answers 503. */
  REDIS_UNAVAILABLE: 503,
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

export interface FieldProblem {
  /** JSON pointer into the body, e.g. `/polygon/coordinates/0`. */
  instancePath: string;
  message: string;
}

/**
 * A body that passed the schema but is still wrong (an open ring, an unknown
 * grid id). Shaped like fastify's schema errors, so the HTTP error handler
 * answers it as it answers those: 400 `VALIDATION_FAILED` with
 * `errors: [{field, message}]`.
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

export function notFound(kind: string, id: number | string): AnxinError {
  return new AnxinError("REGISTRY_NOT_FOUND", `no ${kind} with id ${id}`, { kind, id });
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
  throw new AnxinError("REGISTRY_IN_USE", `${kind} ${id} is still referenced by ${uses}; ${instead}`, {
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
    if (isUniqueViolation(error)) throw new AnxinError("REGISTRY_DUPLICATE", message);
    throw error;
  }
}
