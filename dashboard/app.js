// @ts-check
// Entry point: session (login / logout / expiry), live feed wiring, sound,
// title flashing and keyboard shortcuts. Rendering lives in queue.js and detail.js;
// the registry page in registry.js, KPIs in kpi.js, device faults in devices.js,
// and the switch between pages in nav.js. escalation.js picks the tone's pattern.
// Accounts: the Users page in users.js; choosing one's own password in password.js.

/** @import { AlarmSummary, SessionUser } from "../protocol/console/index.ts" */
/** @import { Announcement } from "./attention.js" */
/** @import { Level, SoundState } from "./sound.js" */

import { api } from "./api.js";
import * as attention from "./attention.js";
import { setServerTime } from "./clock.js";
import * as detail from "./detail.js";
import * as devices from "./devices.js";
import { byId } from "./dom.js";
import * as escalation from "./escalation.js";
import * as records from "./history.js";
import { ApiError, setUnauthorizedHandler } from "./http.js";
import * as hubHealth from "./hub-health.js";
import { applyStatic, getLang, hasSavedLang, onLangChange, setLang, t, useDictionaries } from "./i18n.js";
import { consoleDictionaries } from "./i18n-console.js";
import * as kpi from "./kpi.js";
import * as mapPage from "./map-page.js";
import * as nav from "./nav.js";
import * as password from "./password.js";
import * as queue from "./queue.js";
import { setDeadlines } from "./queue-order.js";
import { connectRealtime } from "./realtime.js";
import * as registry from "./registry.js";
import * as session from "./session.js";
import { onKey } from "./shortcuts.js";
import * as sound from "./sound.js";
import { closeUserMenu, initUserMenu } from "./user-menu.js";
import * as users from "./users.js";

/** @type {SessionUser | null} */
let user = null;
/** @type {ReturnType<typeof connectRealtime> | null} */
let feed = null;
/** @type {Promise<void>} */
let settingsLoaded = Promise.resolve(); // the first full queue render waits for the deadlines
/** @type {Level} */
let level = "none"; // the tone's pattern, from escalation.alertLevel

/** @param {"login" | "console" | "password" | "monitor"} view */
function setView(view) {
  document.body.dataset.view = view;
  byId("login-view").hidden = view !== "login";
  byId("console-view").hidden = view !== "console";
  byId("password-view").hidden = view !== "password";
  byId("monitor-view").hidden = view !== "monitor";
}

// ---- session ----

/** @param {string | null} messageKey why the form is shown (an ended session), or nothing */
function showLogin(messageKey) {
  teardown();
  setView("login");
  const err = byId("login-error");
  err.hidden = !messageKey;
  err.textContent = messageKey ? t(messageKey) : "";
  byId("login-password", HTMLInputElement).value = "";
  byId("login-username", HTMLInputElement).focus();
}

/** @param {SessionUser} u */
function startConsole(u) {
  if (session.redirectWorker(u)) return;
  // The account's language applies only until the operator picks one on this machine.
  if (!hasSavedLang() && u.language && u.language !== getLang()) setLang(u.language, { persist: false });
  // A password someone else set (administrator, first start): the hub allows nothing until it is the person's own.
  if (u.mustChangePassword) {
    setView("password");
    return password.showRequired(startConsole);
  }
  password.clearRequired();
  // A monitor account reads device traffic over MQTT; the console has nothing for it but its password.
  if (u.role === "monitor") return setView("monitor");
  user = u;
  setView("console");
  registry.setUser(u);
  devices.setUser(u);
  records.setUser(u);
  kpi.resetRange();
  users.setUser(u);
  nav.apply();
  renderUser();
  sound.probeAudio();
  byId("queue-empty").textContent = t("queue.loading");
  feed = connectRealtime({
    onOpen: () => {
      byId("banner-rt").hidden = true;
      reloadQueue();
      devices.reload();
      hubHealth.refresh();
    },
    onHello: (msg) => setServerTime(msg.serverTime),
    onAlarms: alarmsPushed,
    onDeviceFaults: (faults) => devices.faultsPushed(faults),
    onDeviceTests: (tests) => devices.testsPushed(tests),
    onStorage: (check) => hubHealth.pushed(check),
    onDown: () => {
      byId("banner-rt").hidden = false;
    },
    beforeRetry: async () => {
      try {
        await api.me();
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          sessionExpired();
          return false;
        }
        return true; // hub unreachable: keep trying
      }
    },
  });
  // Also load right away so the queue is not empty while the socket handshakes.
  settingsLoaded = loadSettings();
  reloadQueue();
  devices.reload();
  session.watch();
  attention.renderButton();
  const resume = session.takeResume();
  if (resume !== null) detail.openDetail(resume);
}

/**
 * One frame of pushed alarms: the queue renders once and the tone restarts at
 * most once for the whole frame, however many alarms it carries (a burst is a
 * few frames of hundreds). Desktop notifications are attention.js's to bound.
 * @param {readonly AlarmSummary[]} alarms
 */
function alarmsPushed(alarms) {
  /** @type {number[]} */
  const rose = [];
  /** @type {Announcement[]} */
  const announce = [];
  for (const alarm of alarms) {
    const escalated = escalation.observe(alarm);
    if (escalated) rose.push(alarm.id);
    const fresh = !queue.has(alarm.id) && queue.isUnacknowledged(alarm) && alarm.kind !== "test";
    if (fresh || (escalated && queue.isUnacknowledged(alarm))) announce.push({ alarm, escalated });
  }
  queue.upsertMany(alarms);
  attention.announceAll(announce);
  attention.locatedAll(alarms.filter((alarm) => queue.isUnacknowledged(alarm)));
  for (const alarm of alarms) {
    if (!queue.isUnacknowledged(alarm)) attention.settled(alarm.id);
    detail.alarmChanged(alarm.id);
  }
  escalation.reAlert(rose);
}

/** The hub's deadlines, which each row counts down to; without them rows show only the clock. */
async function loadSettings() {
  try {
    const { deadlines } = await api.consoleSettings();
    setDeadlines(deadlines);
    // Rows already drawn (a push that came first) are redrawn with their deadlines.
    if (queue.size() > 0) queue.invalidate();
  } catch {
    // A 401 is handled by api.js; otherwise the rows go without deadlines until the next login.
  }
}

/** Any 401: back to the login form, saying why; the open alarm comes back after the next login. */
function sessionExpired() {
  if (!user && document.body.dataset.view !== "password") return;
  session.expired(detail.currentDetailId());
  showLogin("session.expired");
}

async function reloadQueue() {
  try {
    const [{ alarms }] = await Promise.all([api.openAlarms(), settingsLoaded]);
    // Escalations that happened while the socket was down re-alert too.
    const rose = alarms.filter((a) => escalation.observe(a)).map((a) => a.id);
    queue.replaceAll(alarms);
    escalation.reAlert(rose);
    const open = detail.currentDetailId();
    if (open !== null) detail.alarmChanged(open);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) byId("banner-rt").hidden = false;
  }
}

function teardown() {
  feed?.stop();
  feed = null;
  user = null;
  queue.clear();
  detail.closeDetail();
  registry.reset();
  kpi.reset();
  records.reset();
  devices.reset();
  users.reset();
  hubHealth.reset();
  password.clearRequired();
  escalation.reset();
  attention.reset();
  session.unwatch();
  sound.setLevel("none");
  closeUserMenu();
}

async function logout() {
  try {
    await api.logout();
  } catch {
    // Leave the console anyway; the cookie expires on its own.
  }
  showLogin(null);
}

function renderUser() {
  if (!user) return;
  byId("user-name").textContent = user.displayName || user.username;
  byId("user-full-name").textContent = user.displayName || user.username;
  byId("user-role").textContent = t(`user.role.${user.role}`);
  byId("user-role").dataset.role = user.role;
}

// ---- queue-driven state: sound, title, counters ----

function onQueueChanged() {
  const unacked = queue.unackedCount();
  level = escalation.alertLevel(queue.sorted().filter(queue.isUnacknowledged));
  sound.setLevel(level);
  const total = queue.size();
  byId("queue-count").textContent = t("queue.count", { n: total });
  byId("unacked-count").hidden = unacked === 0;
  byId("unacked-count").textContent = t("queue.unacked", { n: unacked });
  nav.setUnacked(unacked, String(unacked));
  registry.setUnacked(unacked);
  byId("queue-empty").hidden = total > 0;
  byId("queue-empty").textContent = t("queue.empty");
  updateTitle();
}

/** Tab title and favicon (attention.js); the title's flag flashes faster after an escalation. */
function updateTitle() {
  const unacked = user ? queue.unackedCount() : 0;
  attention.update({ unacked, escalated: user !== null && (level === "escalated" || escalation.reAlerting()) });
}

/** @param {SoundState} state */
function onSoundChanged(state) {
  const blocked = state === "blocked" && user !== null;
  byId("banner-sound").hidden = !blocked;
  byId("btn-sound").hidden = state !== "blocked";
  // Nothing to mute while the browser holds the sound: the enable button takes the mute button's place.
  byId("btn-mute").hidden = state === "blocked";
  renderMute();
}

function renderMute() {
  const left = sound.mutedSecondsLeft();
  const btn = byId("btn-mute");
  btn.textContent = left > 0 ? `${t("sound.muted", { s: left })} · ${t("sound.unmute")}` : t("sound.mute");
  btn.classList.toggle("btn-active", left > 0);
  btn.setAttribute("aria-pressed", String(left > 0));
}

function everySecond() {
  queue.tickClocks();
  devices.tick();
  attention.flip();
  updateTitle();
  renderMute();
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

async function boot() {
  applyStatic();
  renderLangButtons();
  document.title = t("app.title");
  setUnauthorizedHandler(sessionExpired);
  sound.initSound({ onChange: onSoundChanged });
  queue.initQueue(byId("queue"), { onRowOpen: (id) => detail.openDetail(id) });
  detail.initDetail();
  initUserMenu(byId("user-menu", HTMLDetailsElement));
  attention.initAttention({
    menu: byId("user-menu-items"),
    before: byId("btn-logout"),
    openAlarm: (id) => detail.openDetail(id),
  });
  registry.initRegistry(byId("registry-view"));
  kpi.initKpi(byId("kpi-view"));
  devices.initDevices(byId("devices-view"));
  hubHealth.initHubHealth(byId("banner-db"));
  users.initUsers(byId("users-view"));
  records.initRecords({
    history: byId("history-view"),
    audit: byId("audit-view"),
    // A history row opens the alarm in the Alarms page's detail panel.
    openAlarm: (/** @type {number} */ id) => {
      location.hash = "#/alarms";
      detail.openDetail(id);
    },
  });
  nav.initNav({
    onChange: (route) => {
      if (route.page === "registry") registry.show(route);
      if (route.page === "kpi") kpi.show();
      if (route.page === "map") mapPage.show();
      if (route.page === "devices") devices.show(route);
      if (route.page === "users") users.show(route);
      records.show(route);
    },
  });
  document.addEventListener("anxin:queue", onQueueChanged);
  onLangChange(() => {
    renderLangButtons();
    renderUser();
    queue.render();
    detail.rerender();
    registry.rerender();
    kpi.rerender();
    devices.rerender();
    users.rerender();
    hubHealth.rerender();
    renderMute();
    attention.renderButton();
  });

  byId("login-form", HTMLFormElement).addEventListener("submit", (ev) => session.submitLogin(ev, startConsole));
  byId("btn-logout").addEventListener("click", logout);
  byId("password-logout").addEventListener("click", logout);
  byId("monitor-logout").addEventListener("click", logout);
  byId("monitor-password").addEventListener("click", () => password.openDialog());
  byId("btn-password").addEventListener("click", () => password.openDialog());
  byId("btn-sound").addEventListener("click", () => sound.unlockAudio());
  byId("btn-mute").addEventListener("click", () => (sound.mutedSecondsLeft() > 0 ? sound.unmute() : sound.mute()));
  for (const b of document.querySelectorAll(".lang-switch")) {
    b.addEventListener("click", () => setLang(getLang() === "zh-CN" ? "en" : "zh-CN"));
  }
  // Any click or key anywhere counts as the gesture browsers want before audio.
  document.addEventListener("pointerdown", () => sound.unlockAudio(), true);
  document.addEventListener("keydown", () => sound.unlockAudio(), true);
  document.addEventListener("keydown", (ev) => onKey(ev, () => user !== null));
  setInterval(everySecond, 1000);

  try {
    const me = await api.me();
    startConsole(me.user);
  } catch {
    showLogin(null);
  }
}

// The page's words first: everything below speaks through them.
useDictionaries(consoleDictionaries);
boot();
