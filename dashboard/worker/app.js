// Entry point of the worker page ("社区通"): session, duty switch, position sharing,
// and the assignment kept current by polling (the hub has no push channel for
// workers). Rendering of the card lives in assignment.js, the buttons in actions.js.

import { centerZone } from "../center-time.js";
import { setUnauthorizedHandler } from "../http.js";
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
const $ = (id) => document.getElementById(id);

let me = null; // { user, worker } from /api/worker/me
let current = null; // the last assignment shown, or null
let shownKey = ""; // what the card was built from, so polls rebuild it only on change
let pollTimer = null;
let pollSeq = 0;
let shownSeq = 0;
let positionState = { state: "off" };
function setView(view) {
  document.body.dataset.view = view;
  $("login-view").hidden = view !== "login";
  $("main-view").hidden = view !== "main";
  $("password-view").hidden = view !== "password";
}

// ---- session ----

function showLogin(messageKey, detail) {
  stop();
  setView("login");
  $("login-link-hint").hidden = linkedOffer() === null;
  const box = $("login-error");
  box.hidden = !messageKey;
  box.textContent = messageKey ? t(messageKey) + (detail ? ` ${detail}` : "") : "";
  $("login-password").value = "";
}

async function onLogin(ev) {
  ev.preventDefault();
  const btn = $("login-submit");
  btn.disabled = true;
  btn.textContent = t("login.busy");
  try {
    const { user } = await api.login($("login-username").value.trim(), $("login-password").value);
    if (user.role !== "worker") {
      // An operator account opens the console, not this page; do not leave it signed in here.
      await api.logout().catch(() => {});
      return showLogin("login.notWorker");
    }
    await enter();
  } catch (err) {
    const key = err.status === 401 ? "login.invalid" : err.status === 429 ? "login.rateLimited" : null;
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
    // A password an administrator set: choose one's own first, then come back in.
    if (err.code === "AUTH_PASSWORD_CHANGE_REQUIRED") {
      setView("password");
      return password.showRequired(enter);
    }
    if (err.status === 403) return showLogin("login.notWorker");
    return showLogin(err.status === 401 ? null : "error.generic", err.status === 401 ? "" : actions.describe(err));
  }
  if (!hasSavedLang() && me.user.language && me.user.language !== getLang()) {
    setLang(me.user.language, { persist: false });
  }
  password.clearRequired();
  setView("main");
  // Nothing of a previous login on this phone may linger: messages, half-typed notes.
  hideFeedback();
  $("resolve-form").reset();
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
    if (err.status !== 401) return showFeedback("error", () => t("logout.failed", { reason: actions.describe(err) }));
  }
  me = null;
  showLogin(null);
}

function stop() {
  clearTimeout(pollTimer);
  password.clearRequired();
  pollTimer = null;
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
      onStatus: (state, info) => {
        positionState = { state, ...info };
        renderPosition();
      },
    });
  } else {
    stopSharing();
  }
}

function renderPosition() {
  const el = $("position-status");
  const { state, at, accuracyM } = positionState;
  const shown = me?.worker.onDuty ? state : "off";
  el.dataset.state = shown;
  if (shown === "shared") {
    const time = new Intl.DateTimeFormat(getLang(), {
      timeStyle: "medium",
      hourCycle: "h23",
      timeZone: centerZone(),
    }).format(new Date(at));
    el.textContent = t("position.shared", { time }) + (accuracyM > 0 ? t("position.accuracy", { m: accuracyM }) : "");
  } else {
    el.textContent = t(`position.${shown}`);
  }
}

async function toggleDuty() {
  if (!me) return;
  const next = !me.worker.onDuty;
  const btn = $("duty-toggle");
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
    if (err.status === 401) return;
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
 */
let health = { alarmId: null, data: null };

async function loadHealth(assignment) {
  const alarmId = assignment.alarm.id;
  try {
    const { health: data } = await api.health(assignment.resident.healthUrl);
    health = { alarmId, data };
    if (current?.alarm.id === alarmId) show(current);
  } catch (err) {
    if (err.status !== 401) health = { alarmId: null, data: null };
  }
}

function withHealth(assignment) {
  const url = assignment?.resident?.healthUrl;
  if (!url) return assignment;
  if (health.alarmId !== assignment.alarm.id) {
    health = { alarmId: assignment.alarm.id, data: null };
    loadHealth(assignment);
    return assignment;
  }
  return health.data ? { ...assignment, resident: { ...assignment.resident, health: health.data } } : assignment;
}

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
  document.querySelector('[data-action="accept"]').disabled =
    document.body.dataset.busy === "true" || (current?.offer ? secondsLeft(current.offer.expiresAt) === 0 : false);
  $("action-bar").hidden = $("offer-actions").hidden && $("arrived-action").hidden;
  if (state !== "offered") $("decline-form").hidden = true;
  $("resolve-form").hidden = state !== "on_scene";
}

// ---- boot ----

function renderLangButtons() {
  for (const b of document.querySelectorAll(".lang-switch")) {
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
