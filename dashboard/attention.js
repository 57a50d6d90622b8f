// @ts-check
// Getting an operator's eyes back to the console: the favicon turns into a red-dot
// variant while unacknowledged alarms wait (the tab title flashes too: app.js), and
// a desktop notification is shown when the tab is hidden.
//
// Permission for notifications is asked only when the operator clicks the
// "enable desktop alerts" button, never by itself: a browser prompt popping up
// over an alarm is in the way, and one refused is remembered by the browser, so
// the button hides for good instead of nagging.

/** @import { AlarmSummary } from "../protocol/console/index.ts" */

import { h } from "./dom.js";
import { t } from "./i18n.js";

/** @typedef {"normal" | "alert"} Favicon */
/** A new or escalated alarm to announce. @typedef {{ alarm: AlarmSummary, escalated: boolean }} Announcement */
/** A notification on the desktop for one alarm. @typedef {{ id: number, n: Notification, escalated: boolean, located: boolean }} LiveNotification */

/** @param {boolean} dot */
const ICON = (dot) =>
  `data:image/svg+xml,${encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="2" width="28" height="28" rx="6" fill="#1f6feb"/><path d="M9 17l5 5 9-11" stroke="#fff" stroke-width="3.5" fill="none" stroke-linecap="round"/>${
      dot ? '<circle cx="23" cy="9" r="8.5" fill="#e5202f" stroke="#fff" stroke-width="2"/>' : ""
    }</svg>`,
  )}`;
/** @type {Readonly<Record<Favicon, string>>} */
const ICONS = { normal: ICON(false), alert: ICON(true) };

// Read by tests (and a curious operator in devtools).
/** @type {{ favicon: Favicon, notified: number, lastNotification: { title: string, body: string, tag: string } | null }} */
const status = { favicon: "normal", notified: 0, lastNotification: null };
/** @type {HTMLLinkElement | null} */
let link = null;
/** @type {HTMLButtonElement | null} */
let button = null;
/** @type {(alarmId: number) => void} */
let onOpen = () => {};
/** @type {Set<LiveNotification>} */
const live = new Set(); // notifications still on screen, closed once the alarm is acknowledged

/**
 * @param {{ menu: Element, before: Element, openAlarm: (alarmId: number) => void }} options
 *   the notification button goes into the top bar's account `menu` (user-menu.js), before `before`
 */
export function initAttention({ menu, before, openAlarm }) {
  Object.assign(window, { anxinAttention: status });
  onOpen = openAlarm;
  const icon = document.querySelector('link[rel="icon"]');
  link = icon instanceof HTMLLinkElement ? icon : document.head.appendChild(h("link", { rel: "icon" }));
  link.type = "image/svg+xml";
  setFavicon("normal");
  button = h("button", { type: "button", class: "btn", id: "btn-notify", hidden: true }, "");
  button.addEventListener("click", async () => {
    try {
      await window.Notification.requestPermission();
    } finally {
      renderButton();
    }
  });
  menu.insertBefore(button, before);
  renderButton();
}

function supported() {
  return typeof window.Notification === "function";
}

/** Shown after login only while the browser has not been asked yet. */
export function renderButton() {
  if (!button) return;
  button.textContent = t("attention.notifyEnable");
  button.hidden = !supported() || window.Notification.permission !== "default";
}

/** @param {Favicon} which */
function setFavicon(which) {
  if (!link || (status.favicon === which && link.href)) return;
  status.favicon = which;
  link.href = ICONS[which];
}

let flashOn = false;

/** Called every second: the title's flag blinks. */
export function flip() {
  flashOn = !flashOn;
}

/**
 * The tab: "(3) Anxin" with a blinking flag (new alarm, or escalated) while
 * anything waits, and the red-dot favicon, steady, so a glance at the tab strip tells.
 * Blinking rather than a static prefix catches an operator working in another tab.
 * @param {{ unacked: number, escalated: boolean }} state
 */
export function update({ unacked, escalated }) {
  setFavicon(unacked > 0 ? "alert" : "normal");
  const count = unacked > 0 ? `(${unacked}) ` : "";
  const flag = !flashOn ? "" : escalated ? t("esc.title") : unacked > 0 ? t("app.newAlarm") : "";
  document.title = `${flag}${count}${t("app.title")}`;
}

/** Alarms of one pushed frame that get a desktop notification each; the rest share one. */
const NOTIFY_EACH = 3;

/**
 * The pushed alarms of one frame the operator should hear about now: new and
 * unacknowledged, or escalated (`[{ alarm, escalated }]`). Only when the tab is
 * hidden; a visible console already shows and sounds them. A burst of hundreds
 * must not bury the desktop: the first few get one notification each, the rest
 * one together, which opens the console.
 * @param {readonly Announcement[]} items
 */
export function announceAll(items) {
  if (!supported() || window.Notification.permission !== "granted") return;
  if (document.visibilityState !== "hidden") return;
  for (const { alarm, escalated } of items.slice(0, NOTIFY_EACH)) announce(alarm, { escalated });
  const more = items.length - NOTIFY_EACH;
  if (more <= 0) return;
  const title = t("attention.notifyMore", { n: more });
  const n = new window.Notification(title, { tag: "anxin-alarm-burst", requireInteraction: true });
  n.onclick = () => {
    window.focus();
    n.close();
  };
  status.notified += 1;
  status.lastNotification = { title, body: "", tag: "anxin-alarm-burst" };
}

/**
 * @param {AlarmSummary} alarm
 * @param {{ escalated: boolean }} how
 */
function announce(alarm, { escalated }) {
  const title = t(escalated ? "attention.notifyEscalated" : "attention.notifyTitle", { id: alarm.id });
  const body = [t(`kind.${alarm.kind}`), alarm.resident?.name, alarm.household?.address].filter(Boolean).join(" · ");
  // One notification per alarm (the tag), replaced when it escalates rather than stacked.
  const n = new window.Notification(title, { body, tag: `anxin-alarm-${alarm.id}`, requireInteraction: true });
  n.onclick = () => {
    window.focus();
    onOpen(alarm.id);
    n.close();
  };
  live.add({ id: alarm.id, n, escalated, located: isLocated(alarm) });
  status.notified += 1;
  status.lastNotification = { title, body, tag: `anxin-alarm-${alarm.id}` };
}

/** @param {AlarmSummary} alarm */
const isLocated = (alarm) => Boolean(alarm.resident || alarm.household);

/**
 * The hub pushes a new alarm at once, before it is located, and again once it
 * is: a notification shown without who and where is replaced (same tag, so
 * the desktop shows one, and it does not alert again) by one that says them.
 * @param {readonly AlarmSummary[]} alarms
 */
export function locatedAll(alarms) {
  for (const alarm of alarms) {
    if (!isLocated(alarm)) continue;
    for (const entry of [...live]) {
      if (entry.id !== alarm.id || entry.located) continue;
      live.delete(entry);
      announce(alarm, { escalated: entry.escalated });
    }
  }
}

/**
 * Someone took the alarm (here or on another console): its notification is no longer a call to act.
 * @param {number} alarmId
 */
export function settled(alarmId) {
  for (const entry of live) {
    if (entry.id !== alarmId) continue;
    entry.n.close();
    live.delete(entry);
  }
}

export function reset() {
  for (const entry of live) entry.n.close();
  live.clear();
  if (link) setFavicon("normal");
}
