// @ts-check
// The session's edges: an expired session drops back to the login form with a
// clear message and, once the operator signs in again, reopens what was open;
// a community worker who signs in here is sent to the worker page.
//
// The hub closes a live WebSocket when its session ends (the retry's /api/auth/me
// then answers 401), and a light check every WATCH_MS notices an ended session
// too, should the socket be down at that moment.

/** @import { SessionUser } from "../protocol/console/index.ts" */

import { api } from "./api.js";
import { byId } from "./dom.js";
import { asApiError, request } from "./http.js";
import { t } from "./i18n.js";
import * as sound from "./sound.js";

const WATCH_MS = 30_000;
/** @type {number | null} */
let resumeDetailId = null;
/** @type {number | undefined} */
let timer;

/**
 * True (and on its way to /worker/) for a community worker's account.
 * @param {SessionUser} user
 */
export function redirectWorker(user) {
  if (user.role !== "worker") return false;
  location.assign("/worker/");
  return true;
}

/**
 * The session ended under the operator: remember the open alarm to reopen after the next login.
 * @param {number | null} openDetailId
 */
export function expired(openDetailId) {
  if (openDetailId !== null) resumeDetailId = openDetailId;
  unwatch();
}

/** After a login: the alarm to reopen, once. */
export function takeResume() {
  const id = resumeDetailId;
  resumeDetailId = null;
  return id;
}

/** Checks the session now and then; a 401 goes through api.js's unauthorized handler. */
export function watch() {
  unwatch();
  timer = setInterval(() => {
    request("GET", "/api/auth/me").catch(() => {
      // 401 is handled by the unauthorized handler; a network error is the realtime banner's business.
    });
  }, WATCH_MS);
}

export function unwatch() {
  clearInterval(timer);
  timer = undefined;
}

/**
 * The login form's submit: signs in, then `start(user)`; a refusal is said on the form.
 * @param {SubmitEvent} ev
 * @param {(user: SessionUser) => void} start
 */
export async function submitLogin(ev, start) {
  ev.preventDefault();
  // Must run synchronously inside the submit gesture: this click is what lets audio play.
  sound.unlockAudio();
  const btn = byId("login-submit", HTMLButtonElement);
  btn.disabled = true;
  btn.textContent = t("login.busy");
  try {
    const username = byId("login-username", HTMLInputElement).value.trim();
    const { user } = await api.login(username, byId("login-password", HTMLInputElement).value);
    start(user);
  } catch (caught) {
    const err = asApiError(caught);
    const key =
      err.status === 401
        ? "login.invalid"
        : err.status === 429
          ? "login.rateLimited"
          : err.code === "NETWORK"
            ? "error.network"
            : null;
    const box = byId("login-error");
    box.textContent = key ? t(key) : `${t("error.generic")}: ${err.message} [${err.code}]`;
    box.hidden = false;
  } finally {
    btn.disabled = false;
    btn.textContent = t("login.submit");
  }
}
