// Entry point: session (login / logout / expiry), live feed wiring, sound,
// title flashing and keyboard shortcuts. Rendering lives in queue.js and detail.js;
// the registry page in registry.js, KPIs in kpi.js, device faults in devices.js,
// and the switch between pages in nav.js. escalation.js picks the tone's pattern.

import { api, setUnauthorizedHandler } from "./api.js";
import * as detail from "./detail.js";
import * as devices from "./devices.js";
import { setServerTime } from "./dom.js";
import * as escalation from "./escalation.js";
import { applyStatic, getLang, hasSavedLang, onLangChange, setLang, t } from "./i18n.js";
import * as kpi from "./kpi.js";
import * as nav from "./nav.js";
import * as queue from "./queue.js";
import { connectRealtime } from "./realtime.js";
import * as registry from "./registry.js";
import * as sound from "./sound.js";

const $ = (id) => document.getElementById(id);
let user = null;
let feed = null;
let flashOn = false;
let level = "none"; // the tone's pattern, from escalation.alertLevel

function setView(view) {
  document.body.dataset.view = view;
  $("login-view").hidden = view !== "login";
  $("console-view").hidden = view !== "console";
}

// ---- session ----

function showLogin(messageKey) {
  teardown();
  setView("login");
  const err = $("login-error");
  err.hidden = !messageKey;
  err.textContent = messageKey ? t(messageKey) : "";
  $("login-password").value = "";
  $("login-username").focus();
}

async function onLoginSubmit(ev) {
  ev.preventDefault();
  // Must run synchronously inside the submit gesture: this click is what lets audio play.
  sound.unlockAudio();
  const btn = $("login-submit");
  btn.disabled = true;
  btn.textContent = t("login.busy");
  try {
    const { user: u } = await api.login($("login-username").value.trim(), $("login-password").value);
    startConsole(u);
  } catch (err) {
    const key =
      err.status === 401
        ? "login.invalid"
        : err.status === 429
          ? "login.rateLimited"
          : err.code === "NETWORK"
            ? "error.network"
            : null;
    const box = $("login-error");
    box.textContent = key ? t(key) : `${t("error.generic")}: ${err.message} [${err.code}]`;
    box.hidden = false;
  } finally {
    btn.disabled = false;
    btn.textContent = t("login.submit");
  }
}

function startConsole(u) {
  user = u;
  // The account's language applies only until the operator picks one on this machine.
  if (!hasSavedLang() && u.language && u.language !== getLang()) setLang(u.language, { persist: false });
  setView("console");
  registry.setUser(u);
  devices.setUser(u);
  nav.apply();
  renderUser();
  sound.probeAudio();
  $("queue-empty").textContent = t("queue.loading");
  feed = connectRealtime({
    onOpen: () => {
      $("banner-rt").hidden = true;
      reloadQueue();
      devices.reload();
    },
    onHello: (msg) => setServerTime(msg.serverTime),
    onAlarm: (alarm) => {
      const rose = escalation.observe(alarm);
      queue.upsert(alarm);
      detail.alarmChanged(alarm.id);
      if (rose) escalation.reAlert([alarm.id]);
    },
    onDeviceFault: (fault) => devices.faultPushed(fault),
    onDeviceTest: (test) => devices.testPushed(test),
    onDown: () => {
      $("banner-rt").hidden = false;
    },
    beforeRetry: async () => {
      try {
        await api.me();
        return true;
      } catch (err) {
        if (err.status === 401) {
          showLogin("error.AUTH_REQUIRED");
          return false;
        }
        return true; // hub unreachable: keep trying
      }
    },
  });
  // Also load right away so the queue is not empty while the socket handshakes.
  reloadQueue();
  devices.reload();
}

async function reloadQueue() {
  try {
    const { alarms } = await api.openAlarms();
    // Escalations that happened while the socket was down re-alert too.
    const rose = alarms.filter((a) => escalation.observe(a)).map((a) => a.id);
    queue.replaceAll(alarms);
    escalation.reAlert(rose);
    const open = detail.currentDetailId();
    if (open !== null) detail.alarmChanged(open);
  } catch (err) {
    if (err.status !== 401) $("banner-rt").hidden = false;
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
  devices.reset();
  escalation.reset();
  sound.setLevel("none");
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
  $("user-name").textContent = user.displayName || user.username;
  $("user-role").textContent = t(`user.role.${user.role}`);
  $("user-role").dataset.role = user.role;
}

// ---- queue-driven state: sound, title, counters ----

function onQueueChanged() {
  const unacked = queue.unackedCount();
  level = escalation.alertLevel(queue.sorted().filter(queue.isUnacknowledged));
  sound.setLevel(level);
  const total = queue.size();
  $("queue-count").textContent = t("queue.count", { n: total });
  $("unacked-count").hidden = unacked === 0;
  $("unacked-count").textContent = t("queue.unacked", { n: unacked });
  nav.setUnacked(unacked, String(unacked));
  registry.setUnacked(unacked);
  $("queue-empty").hidden = total > 0;
  $("queue-empty").textContent = t("queue.empty");
  updateTitle();
}

function updateTitle() {
  const unacked = user ? queue.unackedCount() : 0;
  const escalated = user !== null && (level === "escalated" || escalation.reAlerting());
  const count = unacked > 0 ? `(${unacked}) ` : "";
  // Flashing (not a static prefix) catches the eye of an operator working in another tab.
  const flag = !flashOn ? "" : escalated ? t("esc.title") : unacked > 0 ? t("app.newAlarm") : "";
  document.title = `${flag}${count}${t("app.title")}`;
}

function onSoundChanged(state) {
  const blocked = state === "blocked" && user !== null;
  $("banner-sound").hidden = !blocked;
  $("btn-sound").hidden = state !== "blocked";
  renderMute();
}

function renderMute() {
  const left = sound.mutedSecondsLeft();
  const btn = $("btn-mute");
  btn.textContent = left > 0 ? `${t("sound.muted", { s: left })} · ${t("sound.unmute")}` : t("sound.mute");
  btn.classList.toggle("btn-active", left > 0);
  btn.setAttribute("aria-pressed", String(left > 0));
}

function everySecond() {
  queue.tickClocks();
  devices.tick();
  flashOn = !flashOn;
  updateTitle();
  renderMute();
}

// ---- keyboard ----

function onKey(ev) {
  if (!user || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  // Typing a note or a password must never acknowledge an alarm.
  if (ev.target.closest?.("input, textarea, select")) return;
  // Nor a key pressed on the registry page (the alarm is not in view) or in a confirmation.
  if (document.body.dataset.page !== "alarms" || document.querySelector("dialog[open]")) return;
  switch (ev.key) {
    case "a": {
      const top = queue.topUnacked();
      if (top) detail.acknowledge(top.id);
      break;
    }
    case "j":
    case "ArrowDown":
      queue.moveSelection(1);
      break;
    case "k":
    case "ArrowUp":
      queue.moveSelection(-1);
      break;
    case "Enter": {
      // Enter on a focused button must keep activating that button.
      if (ev.target.closest?.("button, a")) return;
      const id = queue.getSelected();
      if (id !== null) detail.openDetail(id);
      break;
    }
    case "Escape":
      detail.closeDetail();
      break;
    default:
      return;
  }
  ev.preventDefault();
}

// ---- boot ----

function renderLangButtons() {
  for (const b of document.querySelectorAll(".lang-switch")) {
    b.textContent = t("lang.switch");
    // The label is in the target language; say so for screen readers and language checks.
    b.lang = t("lang.switchLang");
  }
}

async function boot() {
  applyStatic();
  renderLangButtons();
  document.title = t("app.title");
  setUnauthorizedHandler(() => {
    if (user) showLogin("error.AUTH_REQUIRED");
  });
  sound.initSound({ onChange: onSoundChanged });
  queue.initQueue($("queue"), { onRowOpen: (id) => detail.openDetail(id) });
  detail.initDetail();
  registry.initRegistry($("registry-view"));
  kpi.initKpi($("kpi-view"));
  devices.initDevices($("devices-view"));
  nav.initNav({
    onChange: (route) => {
      if (route.page === "registry") registry.show(route);
      if (route.page === "kpi") kpi.show();
      if (route.page === "devices") devices.show(route);
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
    renderMute();
  });

  $("login-form").addEventListener("submit", onLoginSubmit);
  $("btn-logout").addEventListener("click", logout);
  $("btn-sound").addEventListener("click", () => sound.unlockAudio());
  $("btn-mute").addEventListener("click", () => (sound.mutedSecondsLeft() > 0 ? sound.unmute() : sound.mute()));
  for (const b of document.querySelectorAll(".lang-switch")) {
    b.addEventListener("click", () => setLang(getLang() === "zh-CN" ? "en" : "zh-CN"));
  }
  // Any click or key anywhere counts as the gesture browsers want before audio.
  document.addEventListener("pointerdown", () => sound.unlockAudio(), true);
  document.addEventListener("keydown", () => sound.unlockAudio(), true);
  document.addEventListener("keydown", onKey);
  setInterval(everySecond, 1000);

  try {
    const { user: u } = await api.me();
    startConsole(u);
  } catch {
    showLogin(null);
  }
}

boot();
