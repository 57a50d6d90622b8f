// @ts-check
// The resident card's health data, key holder and access notes
// (GET /api/alarms/:id/resident), fetched once per opened alarm. The detail panel
// re-renders on every push for its alarm, and every answer carrying health data is
// an audited "health data viewed": fetching on each render would fill the audit log
// with views nobody made (the worker page had exactly that bug once).
//
// Only the open alarm's answer is kept, and only while the panel stays open:
// closing it (also on logout, which closes the panel) drops the data, so a later
// opening is a new, audited view and the next login never sees the last one's data.

/** @import { AlarmResidentReply, AlarmResidentView } from "../protocol/console/index.ts" */
/** @import { ApiError } from "./http.js" */

import { h } from "./dom.js";
import { asApiError, request } from "./http.js";
import { t } from "./i18n.js";

/**
 * One opened alarm's answer: loading, there (`data`), or failed (`error`).
 * @typedef {{
 *   status: "loading" | "ok" | "error",
 *   data: AlarmResidentView | null,
 *   error: ApiError | null,
 *   promise: Promise<void> | null,
 * }} Entry
 */

/** @type {Map<number, Entry>} */
const cache = new Map(); // alarmId → its entry
let fetches = 0;
/** @type {MutationObserver | null} */
let observer = null;

/** Exposed for tests: how many times the hub was asked (each a possible audit row). */
Object.assign(window, {
  anxinResidentHealth: {
    get fetches() {
      return fetches;
    },
    cached: () => [...cache.keys()],
  },
});

function watchPanel() {
  const panel = document.getElementById("detail");
  if (observer || !panel) return;
  // oldValue null: `hidden` was just added, so the panel closed, even if it reopened since.
  observer = new MutationObserver((records) => {
    if (records.some((r) => r.oldValue === null)) cache.clear();
  });
  observer.observe(panel, { attributes: true, attributeFilter: ["hidden"], attributeOldValue: true });
}

/**
 * The entry for `alarmId`, fetching it only if this opening of the panel has not yet.
 * @param {number} alarmId
 * @returns {Entry}
 */
export function residentHealth(alarmId) {
  watchPanel();
  const known = cache.get(alarmId);
  if (known) return known;
  cache.clear(); // another alarm opened in the panel: the previous one's data goes
  /** @type {Entry} */
  const entry = { status: "loading", data: null, error: null, promise: null };
  fetches += 1;
  /** @type {Promise<AlarmResidentReply>} */
  const answer = request("GET", `/api/alarms/${encodeURIComponent(alarmId)}/resident`);
  entry.promise = answer.then(
    ({ resident }) => {
      entry.status = "ok";
      entry.data = resident;
    },
    (/** @type {unknown} */ err) => {
      entry.status = "error";
      entry.error = asApiError(err);
      // A failure showed nothing and audited nothing: the next render may try again.
      if (cache.get(alarmId) === entry) cache.delete(alarmId);
    },
  );
  cache.set(alarmId, entry);
  return entry;
}

// What people type for "no allergies"; the demo district and many records say 无. Shown as
// written, but not raised in red: a red row must mean something to avoid.
const NONE_WORDS = new Set(["无", "没有", "无过敏", "无已知过敏", "none", "no", "n/a", "nkda", "-", "—"]);

/** @param {string | null} value */
function noted(value) {
  const text = value?.trim().toLowerCase() ?? "";
  return text !== "" && !NONE_WORDS.has(text);
}

/**
 * @param {string} labelKey
 * @param {string | null} value
 * @param {string | null} [cls]
 */
function row(labelKey, value, cls = null) {
  const empty = value === null || value === undefined || value.trim() === "";
  const dataset = { field: labelKey.slice("resident.".length) };
  return [
    h("dt", { class: cls }, t(labelKey)),
    empty
      ? h("dd", { class: "wide muted", dataset }, t("resident.none"))
      : h("dd", { class: `wide ${cls ?? ""}`.trim(), content: true, dataset }, value),
  ];
}

/**
 * @param {HTMLElement} el
 * @param {Entry} entry
 */
function fill(el, entry) {
  el.dataset.state = entry.status;
  if (entry.status === "loading") return el.replaceChildren(h("p", { class: "muted" }, t("resident.loading")));
  if (entry.status === "error") {
    return el.replaceChildren(
      h("p", { class: "form-error" }, `${t("resident.error")} `, h("code", {}, `[${entry.error?.code ?? "?"}]`)),
    );
  }
  const r = entry.data;
  if (!r) return; // "ok" comes with its data
  const hasAllergies = !r.healthRedacted && noted(r.allergies);
  el.classList.toggle("has-allergies", hasAllergies);
  const rows = [
    ...(r.healthRedacted
      ? []
      : [
          row("resident.conditions", r.conditions),
          row("resident.medications", r.medications),
          row("resident.allergies", r.allergies, hasAllergies ? "allergy-alert" : null),
          row("resident.mobility", r.mobility),
        ]),
    row("resident.keyHolder", r.keyHolder),
    row("resident.accessNotes", r.accessNotes),
  ];
  const dl = h("dl", { class: "facts" }, ...rows);
  if (r.healthRedacted) el.replaceChildren(h("p", { class: "muted redacted" }, t("resident.redacted")), dl);
  else el.replaceChildren(dl);
}

/**
 * The health and access block for alarm `alarmId`: filled at once from the cache,
 * or when the one fetch answers (if this copy of the card is still on screen).
 * @param {number} alarmId
 */
export function healthBlock(alarmId) {
  const entry = residentHealth(alarmId);
  const el = h("div", { class: "resident-health" });
  fill(el, entry);
  if (entry.status === "loading") entry.promise?.then(() => el.isConnected && fill(el, entry));
  return el;
}
