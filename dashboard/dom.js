// @ts-check
// DOM and formatting helpers shared by the queue and the detail panel.
// Elements are built with the DOM API, never innerHTML: names and addresses come
// from the registry and must never be interpreted as markup.

import { centerDay, centerZone } from "./center-time.js";
import { serverNow } from "./clock.js";
import { getLang, t } from "./i18n.js";

/**
 * An element's attributes for `h`: `class`, `dataset`, `style` (set through the CSSOM),
 * `content`, `on<event>` listeners, and any other attribute (true → present, false,
 * null or undefined → absent).
 * @typedef {{
 *   class?: string | null | false,
 *   dataset?: Record<string, string>,
 *   style?: Record<string, string | number>,
 *   content?: boolean,
 *   [attribute: string]: unknown,
 * }} Attrs
 */

/** One node or text for `h`; null, undefined and false are skipped. @typedef {Node | string | number | null | undefined | false} Leaf */
/** A child of `h`: a leaf, or a list of them (flattened one level). @typedef {Leaf | readonly Leaf[]} Child */

/**
 * h("span", { class: "x", dataset: { id: 1 } }, "text", child) → element.
 * `content: true` marks registry data (names, addresses…) that is shown as-is in
 * every language, so language checks can tell it from interface text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = String(v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "content") el.dataset.content = "";
    // Through the CSSOM, property by property: the CSP (no 'unsafe-inline' styles) refuses a style attribute.
    else if (k === "style")
      for (const [prop, value] of Object.entries(/** @type {Record<string, unknown>} */ (v)))
        el.style.setProperty(prop, String(value));
    else if (k.startsWith("on") && typeof v === "function")
      el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/**
 * Running age of an alarm as mm:ss (h:mm:ss past an hour, so the minutes stay readable).
 * @param {string} receivedAt
 */
export function ageClock(receivedAt) {
  const secs = Math.max(0, Math.floor((serverNow() - Date.parse(receivedAt)) / 1000));
  const s = String(secs % 60).padStart(2, "0");
  const m = Math.floor(secs / 60);
  if (m < 60) return `${String(m).padStart(2, "0")}:${s}`;
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${s}`;
}

/**
 * The center's wall-clock time; the date is added only when it is not the center's today, to keep rows short,
 * and the year only when it is not the center's year (a device last heard from two Junes ago is not "06/03").
 * @param {string | null | undefined} iso
 */
export function localTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const day = centerDay(d);
  const today = centerDay();
  /** @type {Intl.DateTimeFormatOptions} */
  const opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: centerZone() };
  if (day !== today) Object.assign(opts, { month: "2-digit", day: "2-digit" });
  if (day.slice(0, 4) !== today.slice(0, 4)) opts.year = "numeric";
  return new Intl.DateTimeFormat(getLang(), opts).format(d);
}

/** @param {number} distanceM */
export function km(distanceM) {
  return t("detail.distance", { km: (distanceM / 1000).toFixed(1) });
}

/**
 * Phone number as a tel: link (spaces and dashes stripped from the href only).
 * @param {string | null | undefined} phone
 */
export function telLink(phone) {
  if (!phone) return h("span", {}, "—");
  return h("a", { href: `tel:${String(phone).replace(/[^\d+]/g, "")}`, class: "tel", content: true }, phone);
}

/** @param {string} kind */
export function kindBadge(kind) {
  return h("span", { class: `badge kind kind-${kind}` }, t(`kind.${kind}`));
}

/**
 * Where the response stands (unassigned, offered, accepted, on scene, resolved …).
 * @param {string} status
 */
export function statusBadge(status) {
  return h("span", { class: `badge state state-${status}` }, t(`status.${status}`));
}

/**
 * Whether an operator has acknowledged the alarm: a fact apart from the status.
 * @param {boolean} acknowledged
 */
export function ackBadge(acknowledged) {
  const key = acknowledged ? "yes" : "no";
  return h("span", { class: `badge ack ack-${key}` }, t(`ack.${key}`));
}

/**
 * The page's element with `id`, of the class given (HTMLElement by default). Throws when the
 * page has none or one of another kind, so a renamed id fails at once and loudly rather than
 * as a null later; use `document.getElementById` where the element may rightly be absent.
 * @template {typeof HTMLElement} [C=typeof HTMLElement]
 * @param {string} id
 * @param {C} [type]
 * @returns {InstanceType<C>}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  const want = type ?? HTMLElement;
  if (!(el instanceof want)) throw new Error(`#${id}: no ${want.name} on this page`);
  return /** @type {InstanceType<C>} */ (el);
}
