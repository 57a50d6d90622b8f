// @ts-check
// The one JSON client the console and the worker page share. Same origin, so the session
// cookie travels by itself; every failure becomes an ApiError carrying the hub's
// { code, message, errors? } so a page can show all three (the registry forms put each
// `errors[].field` message beside its field). Each page names its endpoints, typed by the
// hub↔console contract (protocol/console/), in api.js and worker/api.js.

import { learnFromDateHeader } from "./clock.js";

/** One field's complaint in a refused request. @typedef {{ field: string, message: string, code?: string }} FieldError */

export class ApiError extends Error {
  /** HTTP status; 0 when the hub was not reached. @type {number} */
  status;
  /** The hub's error code (hub/errors.ts), or NETWORK / HTTP_<status>. @type {string} */
  code;
  /** Per-field complaints of a refused form. @type {FieldError[]} */
  errors;

  /**
   * @param {number} status HTTP status; 0 when the hub was not reached
   * @param {string} code the hub's error code (hub/errors.ts), or NETWORK / HTTP_<status>
   * @param {string} message
   * @param {FieldError[]} [errors]
   */
  constructor(status, code, message, errors = []) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

/**
 * A failure caught around a request, as the ApiError it nearly always is: a refusal or an
 * unreachable hub is one already; anything else thrown (a bug on the page) keeps its
 * message, under the code CLIENT, so that it is shown like the others rather than lost.
 * @param {unknown} err
 * @returns {ApiError}
 */
export function asApiError(err) {
  if (err instanceof ApiError) return err;
  return new ApiError(0, "CLIENT", err instanceof Error ? err.message : String(err));
}

/** @type {() => void} */
let onUnauthorized = () => {};

/**
 * Called on any 401 so the page can drop back to the login form from wherever it was.
 * @param {() => void} fn
 */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// Which login a request was sent under. A 401 answering a request sent before
// the latest login speaks of the old session: under load it can arrive after
// the person has signed in again, and must not send them back to the form.
let sessionEpoch = 0;

/** A login succeeded: 401s to requests sent before it no longer end the session. */
export function signedIn() {
  sessionEpoch += 1;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === "object" && value !== null;
}

/**
 * A request to the hub. The answer's type is the caller's to name from the contract
 * (the hub validates and serialises every reply against the same schema).
 * @template [T=unknown]
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {{ quiet401?: boolean }} [options] quiet401: a 401 is an answer here (login, who-am-I), not an ended session
 * @returns {Promise<T>}
 */
export async function request(method, path, body, { quiet401 = false } = {}) {
  const sentIn = sessionEpoch;
  const sentAt = Date.now();
  /** @type {Response} */
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, "NETWORK", String(err instanceof Error ? err.message : err));
  }
  learnFromDateHeader(res, sentAt);
  if (res.status === 204) return /** @type {T} */ (null);
  /** @type {unknown} */
  let data = null;
  try {
    data = await res.json();
  } catch {
    // Non-JSON error pages (a proxy, a crash) still become an ApiError below.
  }
  if (!res.ok) {
    if (res.status === 401 && !quiet401 && sentIn === sessionEpoch) onUnauthorized();
    const fields = isRecord(data) ? data : {};
    const errors = Array.isArray(fields.errors) ? /** @type {FieldError[]} */ (fields.errors) : [];
    const code = typeof fields.code === "string" ? fields.code : `HTTP_${res.status}`;
    const message = typeof fields.message === "string" ? fields.message : res.statusText;
    throw new ApiError(res.status, code, message, errors);
  }
  return /** @type {T} */ (data);
}
