// @ts-check
// The hub's coded reasons (protocol/console/reasons.ts) in the operator's words. The hub
// sends why it did something as a code and its params, never as a sentence; each code is
// worded here from the page's dictionary (i18n-reasons-*.js). Names and words people typed
// are params too: they go into the sentence as content, never translated. A reason stored
// before reasons were coded (an English sentence) reads as `text`: shown as the hub's own
// words, marked English. The mapped type below makes the typecheck fail on a code without
// words, so a new code cannot reach the screen raw.

/** @import { AfterParams, DistanceParams, RankedParams, Reason, ReasonCode, ReasonParams } from "../protocol/console/index.ts" */
/** @import { Leaf } from "./dom.js" */

import { h, km } from "./dom.js";
import { t } from "./i18n.js";

/** A value for a `{name}` placeholder: text, a number, or nodes (content, nested words). @typedef {Leaf | readonly Leaf[]} Part */

/**
 * `t(key)` with its `{name}` placeholders filled by `vars`, keeping nodes as nodes (so a
 * name stays a content element inside translated words). A missing var shows as `{name}`.
 * @param {string} key
 * @param {Readonly<Record<string, Part>>} [vars]
 * @returns {Leaf[]}
 */
export function tNodes(key, vars = {}) {
  /** @type {Leaf[]} */
  const out = [];
  t(key)
    .split(/\{(\w+)\}/)
    .forEach((piece, i) => {
      if (i % 2 === 0) {
        if (piece) out.push(piece);
        return;
      }
      const value = Object.hasOwn(vars, piece) ? vars[piece] : `{${piece}}`;
      if (Array.isArray(value)) out.push(...value);
      else out.push(/** @type {Leaf} */ (value));
    });
  return out;
}

/**
 * A name or words someone typed: shown as they are in every language.
 * @param {string | null | undefined} text
 * @param {string} [cls]
 */
export function content(text, cls = "wname") {
  return h("span", { class: cls, content: true }, text ?? "?");
}

/**
 * A message that is not ours to translate (an older hub's sentence, a provider's or an
 * exception's error): shown as it came, marked as English.
 * @param {string | null | undefined} text
 * @param {string} [cls]
 */
export function foreignText(text, cls = "hub-text") {
  if (!text) return null;
  return h("span", { class: cls, lang: "en", content: true }, text);
}

/**
 * A code of the hub this console has no words for (a hub of another version): shown as it
 * came, marked as a code (`hub-code`), so a check can tell it from words.
 * @param {string | null | undefined} code
 */
export function codeText(code) {
  return h("span", { class: "hub-code", lang: "en", content: true }, code ?? "?");
}

/**
 * How far a worker is: by road (minutes and km) when the ranking had travel times, else straight-line km.
 * @param {{ distanceM: number, travelTimeS?: number | null, roadDistanceM?: number | null }} d
 */
export function distanceWords(d) {
  if (d.travelTimeS !== null && d.travelTimeS !== undefined) {
    const min = Math.max(1, Math.round(d.travelTimeS / 60));
    return t("dispatch.travel", { min, km: ((d.roadDistanceM ?? d.distanceM) / 1000).toFixed(1) });
  }
  return km(d.distanceM);
}

/** @param {{ worker: string, workerCode: string }} p */
function workerName(p) {
  return content(`${p.worker} (${p.workerCode})`);
}

/**
 * `user:<name>` → the name (as content).
 * @param {string} actor
 */
function actorName(actor) {
  return content(actor.startsWith("user:") ? actor.slice(5) : actor);
}

/**
 * "崔艳 did not answer in time; " before a reason that follows it.
 * @param {AfterParams} p
 * @returns {Leaf[]}
 */
function afterWords(p) {
  if (!p.after) return [];
  const worker = p.afterWorker;
  /** @type {Reason} */
  const before =
    p.after === "offer_declined"
      ? { code: "offer_declined", params: { worker, note: p.afterNote } }
      : { code: p.after, params: { worker } };
  return [...reasonWords(before), t("reason.then")];
}

/** @param {RankedParams} p */
function basisWords(p) {
  /** @type {Reason} */
  const basis = /** @type {Reason} */ ({ code: p.basis, params: p });
  return reasonWords(basis);
}

/** @param {DistanceParams & { promotedWorker?: string }} p @param {string} key */
function firstWords(p, key) {
  return p.promotedWorker
    ? tNodes(`${key}.second`, { where: distanceWords(p), promoted: content(p.promotedWorker) })
    : tNodes(key, { where: distanceWords(p) });
}

/** @param {0 | 1} sos @param {0 | 1} night */
function careNeeded(sos, night) {
  if (sos) return t("reason.care.sos");
  return night ? t("reason.care.night") : "";
}

/** @type {{ readonly [K in ReasonCode]: (p: ReasonParams[K]) => Leaf[] }} */
const WORDS = {
  text: (p) => [foreignText(p.text)],
  nearest_free: (p) => firstWords(p, "reason.nearest_free"),
  fastest_free: (p) => firstWords(p, "reason.fastest_free"),
  own_grid_preferred: (p) =>
    tNodes("reason.own_grid_preferred", {
      extra: km(p.extraM),
      nearest: content(p.nearestWorker),
      preference: km(p.gridPreferenceM),
      where: distanceWords(p),
    }),
  next_free: (p) => tNodes("reason.next_free", { where: distanceWords(p) }),
  no_route: (p) => tNodes("reason.no_route", { where: distanceWords(p) }),
  busy_after_free: (p) => tNodes("reason.busy_after_free", { id: p.busyAlarmId, where: distanceWords(p) }),
  all_busy: (p) => tNodes("reason.all_busy", { id: p.busyAlarmId, where: distanceWords(p) }),
  offer_ranked: (p) => [
    ...afterWords(p),
    ...tNodes("reason.offer_ranked", {
      rank: p.rank,
      worker: workerName(p),
      grid: t(p.sameGrid ? "reason.grid.same" : "reason.grid.other"),
      basis: basisWords(p),
    }),
  ],
  offer_by_operator: (p) => [
    ...tNodes("reason.offer_by_operator", { operator: content(p.operator), worker: workerName(p) }),
    p.rank === undefined ? t("reason.unranked") : t("reason.rank", { n: p.rank }),
    p.onDuty ? null : t("reason.offDuty"),
    p.busyAlarmId === undefined ? null : t("reason.busyOn", { id: p.busyAlarmId }),
  ],
  suggested: (p) =>
    tNodes("reason.suggested", {
      worker: workerName(p),
      grid: t(p.sameGrid ? "reason.grid.same" : "reason.grid.other"),
      basis: basisWords(p),
    }),
  no_worker_to_ask: (p) => [...afterWords(p), t("reason.no_worker_to_ask")],
  all_workers_asked: (p) => [...afterWords(p), t("reason.all_workers_asked", { n: p.ranked })],
  offer_timed_out: (p) =>
    p.worker ? tNodes("reason.offer_timed_out.who", { worker: content(p.worker) }) : [t("reason.offer_timed_out")],
  offer_declined: (p) => [
    ...(p.worker ? tNodes("reason.offer_declined.who", { worker: content(p.worker) }) : [t("reason.offer_declined")]),
    ...(p.note ? tNodes("reason.saying", { note: content(p.note, "note-text") }) : []),
  ],
  went_off_duty: (p) =>
    p.worker ? tNodes("reason.went_off_duty.who", { worker: content(p.worker) }) : [t("reason.went_off_duty")],
  offer_withdrawn_alarm_closed: () => [t("reason.offer_withdrawn_alarm_closed")],
  offer_withdrawn_reassigned: (p) => tNodes("reason.offer_withdrawn_reassigned", { actor: actorName(p.actor) }),
  worker_removed: () => [t("reason.worker_removed")],
  worker_became_busy: (p) => [t("reason.worker_became_busy", { id: p.busyAlarmId })],
  ranking_provisional: () => [t("reason.ranking_provisional")],
  routing_failed: (p) => tNodes("reason.routing_failed", { error: foreignText(p.error) }),
  clinic_nearest: (p) => [
    t("reason.clinic_nearest", { km: km(p.distanceM), care: careNeeded(p.sos, p.night) }),
    p.closerClosed > 0 ? t("reason.clinic.closerClosed", { n: p.closerClosed }) : null,
    p.closerLackingCare > 0 ? t("reason.clinic.closerLackingCare", { n: p.closerLackingCare }) : null,
  ],
  clinic_none: (p) => [t("reason.clinic_none", { care: careNeeded(p.sos, p.night) })],
  alarm_unlocated: () => [t("reason.alarm_unlocated")],
  household_without_position: (p) => tNodes("reason.household_without_position", { household: content(p.household) }),
  household_without_grid: (p) => tNodes("reason.household_without_grid", { household: content(p.household) }),
  grid_without_worker: (p) => [t("reason.grid_without_worker", { id: p.gridId })],
  household_unknown: () => [t("reason.household_unknown")],
  no_relatives: () => [t("reason.no_relatives")],
  device_unbound: (p) => tNodes("reason.device_unbound", { device: content(p.deviceId) }),
  caller_withheld: () => [t("reason.caller_withheld")],
  caller_unknown: (p) => tNodes("reason.caller_unknown", { caller: content(p.caller) }),
  service_grid_worker: (p) => [
    ...tNodes("reason.service_grid_worker", { worker: workerName(p) }),
    p.onDuty ? null : t("reason.gridNobodyOnDuty"),
    p.distanceM === undefined ? null : `, ${km(p.distanceM)}`,
  ],
  service_assigned_by_operator: (p) => [
    ...tNodes("reason.service_assigned_by_operator", { operator: content(p.operator), worker: workerName(p) }),
    t(p.sameGrid ? "reason.grid.sameTail" : "reason.grid.otherTail"),
    p.onDuty ? null : t("reason.offDuty"),
  ],
  alarm_closed: (p) => [
    p.status === "resolved" || p.status === "cancelled"
      ? t(`reason.alarm_closed.${p.status}`)
      : t("reason.alarm_closed"),
  ],
  cancelled_on_device: () => [t("reason.cancelled_on_device")],
  test_completed: (p) =>
    tNodes(p.trigger ? `reason.test_completed.${p.trigger}` : "reason.test_completed", {
      request: content(p.requestId),
    }),
  manual_test_completed: (p) => tNodes("reason.manual_test_completed", { request: content(p.requestId) }),
  relative_contact_failed: (p) =>
    tNodes(`reason.relative_contact_failed.${p.channel === "voice" ? "voice" : "sms"}`, {
      relative: content(p.relative),
    }),
  relative_answered_unconfirmed: (p) =>
    tNodes("reason.relative_answered_unconfirmed", { relative: content(p.relative) }),
  nobody_confirmed_in_time: (p) => [t("reason.nobody_confirmed_in_time", { s: p.seconds })],
  call_not_confirmed_in_time: (p) => [t("reason.call_not_confirmed_in_time", { s: p.seconds })],
  relative_confirmed: (p) =>
    tNodes(`reason.relative_confirmed.${p.via === "keypad" ? "keypad" : "sms"}`, { relative: content(p.relative) }),
  relative_reached_by_center: (p) => tNodes("reason.relative_reached_by_center", { relative: content(p.relative) }),
  device_reported_offline: () => [t("reason.device_reported_offline")],
  device_online: () => [t("reason.device_online")],
  device_heard_from: () => [t("reason.device_heard_from")],
  battery_recovered: (p) => [t("reason.battery_recovered", { n: p.battery })],
  device_revoked: () => [t("reason.device_revoked")],
};

/** Every code the console words (a test holds it against the contract's REASON_CODES). */
export const WORDED_CODES = /** @type {readonly ReasonCode[]} */ (Object.keys(WORDS));

/**
 * Reads a reason as the hub sent or stored it: a known code with flat params as it is; an older
 * hub's sentence, or anything this console cannot read, as `text` (shown as it came).
 * The console's twin of the contract's `reasonOf` (it loads nothing from outside dashboard/).
 * @param {unknown} value
 * @returns {Reason | null}
 */
export function reasonOf(value) {
  if (value === null || value === undefined) return null;
  const parsed = typeof value === "string" ? parseObject(value) : value;
  if (isReason(parsed)) return parsed;
  return { code: "text", params: { text: typeof value === "string" ? value : JSON.stringify(value) } };
}

/** JSON.parse, saying what it gives: anything at all, to be narrowed. @type {(text: string) => unknown} */
const parseJson = JSON.parse;

/** @param {string} text */
function parseObject(text) {
  if (!text.startsWith("{")) return null;
  try {
    return parseJson(text);
  } catch {
    return null;
  }
}

/**
 * @param {unknown} value
 * @returns {value is Reason}
 */
function isReason(value) {
  if (typeof value !== "object" || value === null) return false;
  const { code, params } = /** @type {{ code?: unknown, params?: unknown }} */ (value);
  if (typeof code !== "string" || !Object.hasOwn(WORDS, code)) return false;
  if (typeof params !== "object" || params === null || Array.isArray(params)) return false;
  /** @type {unknown[]} */
  const values = Object.values(params);
  return values.every((v) => typeof v === "string" || typeof v === "number");
}

/**
 * The words of a reason (anything the hub sent where a reason belongs; null → nothing).
 * A reason whose params do not fit its words (a hub of another version) shows as the hub's data.
 * @param {unknown} value
 * @returns {Leaf[]}
 */
export function reasonWords(value) {
  const reason = reasonOf(value);
  if (!reason) return [];
  const words = /** @type {(p: ReasonParams[ReasonCode]) => Leaf[]} */ (WORDS[reason.code]);
  try {
    return words(reason.params);
  } catch {
    return [foreignText(JSON.stringify(reason))];
  }
}

/**
 * The reason as one element (null for none), for a card or a timeline line.
 * @param {unknown} value
 * @param {string} [cls]
 */
export function reasonEl(value, cls = "reason-text") {
  const words = reasonWords(value);
  return words.length ? h("span", { class: cls }, ...words) : null;
}

/**
 * The reason as plain text, for a tooltip.
 * @param {unknown} value
 */
export function reasonPlain(value) {
  return reasonEl(value)?.textContent ?? "";
}
