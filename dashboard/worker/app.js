// @ts-check
// Entry point of the worker page ("社区通"): session, duty switch, position sharing,
// and the assignment kept current by polling (the hub has no push channel for
// workers). Rendering of the card lives in assignment.js, the buttons in actions.js.

/** @import { Assignment, ResidentHealth, WorkerMe } from "../../protocol/console/index.ts" */
/** @import { ShownAssignment } from "./assignment.js" */
/** @import { SharingStatus } from "./position.js" */

import { centerZone } from "../center-time.js";
import { byId } from "../dom.js";
import { ApiError, setUnauthorizedHandler } from "../http.js";
import { applyStatic, getLang, hasSavedLang, onLangChange, setLang, t, useDictionaries } from "../i18n.js";
import * as actions from "./actions.js";
import { api } from "./api.js";
import { renderCard, secondsLeft, tickCountdown } from "./assignment.js";
import { hideFeedback, refreshFeedback, showFeedback } from "./feedback.js";
import { workerDictionaries } from "./i18n.js";
import * as password from "./password.js";
import { startSharing, stopSharing } from "./position.js";
import { clearServiceRequests, refreshServiceRequests, rerenderServiceRequests } from "./service-requests.js";
import { clearLink, linkedOffer, renderLinkNotice, rereadLink } from "./sms-link.js";

const POLL_MS = 3_000;
/**
 * Slower once an alarm is the worker's: it then changes only through the worker's own
 * buttons (each refreshes at once) or the command center, and every read of it is an
 * audited view of the resident's health data.
 */
const POLL_ASSIGNED_MS = 10_000;
const $ = byId;

/** The signed-in worker, from /api/worker/me. @type {WorkerMe | null} */
let me = null;
/** The last assignment shown, or null. @type {ShownAssignment | null} */
let current = null;
let shownKey = ""; // what the card was built from, so polls rebuild it only on change
/** @type {number | undefined} */
let pollTimer;
let pollSeq = 0;
let shownSeq = 0;
/** @type {SharingStatus} */
let positionState = { state: "off" };
/** @param {"login" | "main" | "password"} view */
function setView(view) {
  document.body.dataset.view = view;
  $("login-view").hidden = view !== "login";
  $("main-view").hidden = view !== "main";
  $("password-view").hidden = view !== "password";
}

// ---- session ----

/**
 * @param {string | null} messageKey why the form is back (none after a plain sign-out)
 * @param {string} [detail] the hub's refusal, after the message
 */
function showLogin(messageKey, detail) {
  stop();
  setView("login");
  $("login-link-hint").hidden = linkedOffer() === null;
  const box = $("login-error");
  box.hidden = !messageKey;
  box.textContent = messageKey ? t(messageKey) + (detail ? ` ${detail}` : "") : "";
  $("login-password", HTMLInputElement).value = "";
}

/** @param {SubmitEvent} ev */
async function onLogin(ev) {
  ev.preventDefault();
  const btn = $("login-submit", HTMLButtonElement);
  btn.disabled = true;
  btn.textContent = t("login.busy");
  try {
    const { user } = await api.login(
      $("login-username", HTMLInputElement).value.trim(),
      $("login-password", HTMLInputElement).value,
    );
    if (user.role !== "worker") {
      // An operator account opens the console, not this page; do not leave it signed in here.
      await api.logout().catch(() => {});
      return showLogin("login.notWorker");
    }
    await enter();
  } catch (err) {
    const status = err instanceof ApiError ? err.status : 0;
    const key = status === 401 ? "login.invalid" : status === 429 ? "login.rateLimited" : null;
    showLogin(key ?? "error.generic", key ? "" : actions.describe(err));
  } finally {
    btn.disabled = false;
    btn.textContent = t("login.submit");
  }
}

/** Loads the worker's profile and shows the main view; the login form on any refusal. */
async function enter() {
  try {
    me = await api.me();
  } catch (err) {
    const refusal = err instanceof ApiError ? err : null;
    // A password an administrator set: choose one's own first, then come back in.
    if (refusal?.code === "AUTH_PASSWORD_CHANGE_REQUIRED") {
      setView("password");
      return password.showRequired(enter);
    }
    if (refusal?.status === 403) return showLogin("login.notWorker");
    const ended = refusal?.status === 401;
    return showLogin(ended ? null : "error.generic", ended ? "" : actions.describe(err));
  }
  if (!hasSavedLang() && me.user.language && me.user.language !== getLang()) {
    setLang(me.user.language, { persist: false });
  }
  password.clearRequired();
  setView("main");
  // Nothing of a previous login on this phone may linger: messages, half-typed notes.
  hideFeedback();
  $("resolve-form", HTMLFormElement).reset();
  $("decline-form").hidden = true;
  current = null;
  shownKey = "";
  renderWorker();
  applyDuty();
  poll();
}

async function logout() {
  try {
    await api.logout();
  } catch (err) {
    // 401: the session had ended anyway. Anything else: the hub still holds the session, so say so.
    if (!(err instanceof ApiError && err.status === 401))
      return showFeedback("error", () => t("logout.failed", { reason: actions.describe(err) }));
  }
  me = null;
  showLogin(null);
}

function stop() {
  clearTimeout(pollTimer);
  password.clearRequired();
  pollTimer = undefined;
  stopSharing();
  clearServiceRequests();
  me = null;
  current = null;
}

// ---- worker, duty, position ----

function renderWorker() {
  if (!me) return;
  const { worker } = me;
  $("worker-name").textContent = `${worker.name} · ${worker.code}`;
  document.body.dataset.duty = worker.onDuty ? "on" : "off";
  const toggle = $("duty-toggle");
  toggle.setAttribute("aria-checked", String(worker.onDuty));
  $("duty-label").textContent = t(worker.onDuty ? "duty.on" : "duty.off");
  renderPosition();
}

function applyDuty() {
  if (me?.worker.onDuty) {
    startSharing({
      send: async (lat, lng, accuracyM) => {
        const { worker } = await api.position(lat, lng, accuracyM);
        if (me) me.worker = worker;
      },
      onStatus: (status) => {
        positionState = status;
        renderPosition();
      },
    });
  } else {
    stopSharing();
  }
}

function renderPosition() {
  const el = $("position-status");
  /** @type {SharingStatus} */
  const shown = me?.worker.onDuty ? positionState : { state: "off" };
  el.dataset.state = shown.state;
  if (shown.state === "shared") {
    const { at, accuracyM } = shown;
    const time = new Intl.DateTimeFormat(getLang(), {
      timeStyle: "medium",
      hourCycle: "h23",
      timeZone: centerZone(),
    }).format(new Date(at));
    el.textContent =
      t("position.shared", { time }) +
      (accuracyM !== null && accuracyM > 0 ? t("position.accuracy", { m: accuracyM }) : "");
  } else {
    el.textContent = t(`position.${shown.state}`);
  }
}

async function toggleDuty() {
  if (!me) return;
  const next = !me.worker.onDuty;
  const btn = $("duty-toggle", HTMLButtonElement);
  btn.disabled = true;
  try {
    me.worker = (await api.setDuty(next)).worker;
    renderWorker();
    applyDuty();
    showFeedback("ok", () => t(next ? "feedback.onDuty" : "feedback.offDuty"));
    poll();
  } catch (err) {
    showFeedback("error", () => actions.describe(err));
  } finally {
    btn.disabled = false;
  }
}

// ---- assignment ----

async function poll() {
  clearTimeout(pollTimer);
  if (!me) return;
  // Polls overlap (timer, action refresh, wake-up): an answer older than one already shown is stale.
  const seq = ++pollSeq;
  try {
    const { assignment } = await api.assignment();
    $("conn-banner").hidden = true;
    if (seq < shownSeq || !me) return;
    shownSeq = seq;
    show(assignment);
    refreshServiceRequests();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    $("conn-banner").hidden = false;
  }
  const assigned = current !== null && current.state !== "offered";
  clearTimeout(pollTimer);
  if (me) pollTimer = setTimeout(poll, assigned ? POLL_ASSIGNED_MS : POLL_MS);
}

/**
 * Health data for the assigned alarm, fetched once and kept while the alarm is
 * this worker's: the hub writes an audit row per fetch, and a poll every few
 * seconds is not a new look at the resident's health.
 * @type {{ alarmId: number | null, data: ResidentHealth | null }}
 */
let health = { alarmId: null, data: null };

/**
 * @param {number} alarmId
 * @param {string} healthUrl the assignment's resident.healthUrl
 */
async function loadHealth(alarmId, healthUrl) {
  try {
    const data = (await api.health(healthUrl)).health;
    health = { alarmId, data };
    if (current?.alarm.id === alarmId) show(current);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) health = { alarmId: null, data: null };
  }
}

/**
 * @param {ShownAssignment | null} assignment
 * @returns {ShownAssignment | null}
 */
function withHealth(assignment) {
  const resident = assignment?.resident;
  if (!assignment || !resident?.healthUrl) return assignment;
  if (health.alarmId !== assignment.alarm.id) {
    health = { alarmId: assignment.alarm.id, data: null };
    loadHealth(assignment.alarm.id, resident.healthUrl);
    return assignment;
  }
  return health.data ? { ...assignment, resident: { ...resident, health: health.data } } : assignment;
}

/** @param {Assignment | ShownAssignment | null} fetched */
function show(fetched) {
  const assignment = withHealth(fetched);
  const before = current;
  current = assignment;
  actions.noticeChange(before, assignment);
  const root = $("assignment");
  root.dataset.state = assignment ? assignment.state : "none";
  $("assignment-empty").hidden = assignment !== null;
  $("assignment-card").hidden = assignment === null;
  $("empty-text").textContent = t(me?.worker.onDuty ? "empty.onDuty" : "empty.offDuty");
  const key = JSON.stringify(assignment);
  if (assignment && key !== shownKey) renderCard($("assignment-card"), assignment);
  shownKey = key;
  renderActions();
  renderLinkNotice(current);
}

function renderActions() {
  const state = current?.state ?? "none";
  const declining = !$("decline-form").hidden;
  $("offer-actions").hidden = state !== "offered" || declining;
  $("arrived-action").hidden = state !== "accepted";
  // An offer that has run out can no longer be accepted; the next poll replaces it.
  const accept = document.querySelector('[data-action="accept"]');
  if (accept instanceof HTMLButtonElement)
    accept.disabled =
      document.body.dataset.busy === "true" || (current?.offer ? secondsLeft(current.offer.expiresAt) === 0 : false);
  $("action-bar").hidden = $("offer-actions").hidden && $("arrived-action").hidden;
  if (state !== "offered") $("decline-form").hidden = true;
  $("resolve-form").hidden = state !== "on_scene";
}

// ---- boot ----

function renderLangButtons() {
  for (const b of document.querySelectorAll(".lang-switch")) {
    if (!(b instanceof HTMLElement)) continue;
    b.textContent = t("lang.switch");
    // The label is in the target language; say so for screen readers and language checks.
    b.lang = t("lang.switchLang");
  }
}

function everySecond() {
  // An offer that runs out is asked of the next worker by the hub: ask the hub what is current.
  if (current?.offer && tickCountdown($("assignment-card"))) {
    renderActions();
    poll();
  }
}

function boot() {
  applyStatic();
  renderLangButtons();
  document.title = t("app.title");
  setUnauthorizedHandler(() => {
    if (me) showLogin("error.AUTH_REQUIRED");
  });
  onLangChange(() => {
    document.title = t("app.title");
    renderLangButtons();
    renderWorker();
    refreshFeedback();
    if (me) {
      shownKey = "";
      show(current);
      rerenderServiceRequests();
    }
  });
  actions.initActions({
    current: () => current,
    refresh: poll,
    answered: clearLink,
  });
  $("login-form").addEventListener("submit", onLogin);
  $("btn-logout").addEventListener("click", logout);
  $("password-logout").addEventListener("click", logout);
  $("btn-password").addEventListener("click", password.openDialog);
  $("duty-toggle").addEventListener("click", toggleDuty);
  for (const b of document.querySelectorAll(".lang-switch")) {
    b.addEventListener("click", () => setLang(getLang() === "zh-CN" ? "en" : "zh-CN"));
  }
  window.addEventListener("hashchange", () => {
    rereadLink();
    if (me) poll();
  });
  // A phone wakes the page from the background: catch up at once instead of on the next tick.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && me) poll();
  });
  setInterval(everySecond, 1000);
  enter();
}

// The page's words first: everything below speaks through them.
useDictionaries(workerDictionaries);
boot();
