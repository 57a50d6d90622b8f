// DOM and formatting helpers shared by the queue and the detail panel.
// Elements are built with the DOM API, never innerHTML: names and addresses come
// from the registry and must never be interpreted as markup.

import { centerDay, centerZone } from "./center-time.js";
import { getLang, t } from "./i18n.js";

/**
 * h("span", { class: "x", dataset: { id: 1 } }, "text", child) → element.
 * `content: true` marks registry data (names, addresses…) that is shown as-is in
 * every language, so language checks can tell it from interface text.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "content") el.dataset.content = "";
    // Through the CSSOM, property by property: the CSP (no 'unsafe-inline' styles) refuses a style attribute.
    else if (k === "style") for (const [prop, value] of Object.entries(v)) el.style.setProperty(prop, String(value));
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Offset between the hub's clock and ours, learned from the realtime hello. */
let clockOffsetMs = 0;
export function setServerTime(iso) {
  const server = Date.parse(iso);
  if (Number.isFinite(server)) clockOffsetMs = server - Date.now();
}
export function serverNow() {
  return Date.now() + clockOffsetMs;
}

/** Running age of an alarm as mm:ss (h:mm:ss past an hour, so the minutes stay readable). */
export function ageClock(receivedAt) {
  const secs = Math.max(0, Math.floor((serverNow() - Date.parse(receivedAt)) / 1000));
  const s = String(secs % 60).padStart(2, "0");
  const m = Math.floor(secs / 60);
  if (m < 60) return `${String(m).padStart(2, "0")}:${s}`;
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${s}`;
}

/** The center's wall-clock time; the date is added only when it is not the center's today, to keep rows short. */
export function localTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const sameDay = centerDay(d) === centerDay();
  const opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: centerZone() };
  if (!sameDay) Object.assign(opts, { month: "2-digit", day: "2-digit" });
  return new Intl.DateTimeFormat(getLang(), opts).format(d);
}

export function km(distanceM) {
  return t("detail.distance", { km: (distanceM / 1000).toFixed(1) });
}

/** Phone number as a tel: link (spaces and dashes stripped from the href only). */
export function telLink(phone) {
  if (!phone) return h("span", {}, "—");
  return h("a", { href: `tel:${String(phone).replace(/[^\d+]/g, "")}`, class: "tel", content: true }, phone);
}

export function kindBadge(kind) {
  return h("span", { class: `badge kind kind-${kind}` }, t(`kind.${kind}`));
}

/** Where the response stands (unassigned, offered, accepted, on scene, resolved …). */
export function statusBadge(status) {
  return h("span", { class: `badge state state-${status}` }, t(`status.${status}`));
}

/** Whether an operator has acknowledged the alarm: a fact apart from the status. */
export function ackBadge(acknowledged) {
  const key = acknowledged ? "yes" : "no";
  return h("span", { class: `badge ack ack-${key}` }, t(`ack.${key}`));
}
