// @ts-check
// The open-alarm queue: the one store of AlarmSummary rows (keyed by id, so a
// reload after reconnect or a push for a known alarm replaces, never duplicates)
// and its rendering. The order is queue-order.js's; a row is queue-row.js's.
//
// Rows are keyed by alarm id and rebuilt only when their alarm changed: with a
// thousand open alarms, rebuilding every row on each push would cost the
// operator a visible stall (and the scroll position) several times a second.

/** @import { AlarmSummary } from "../protocol/console/index.ts" */

import { getLang } from "./i18n.js";
import { compareAlarms, isClosed, progress } from "./queue-order.js";
import { dispatchState, rowEl, tickRow } from "./queue-row.js";

export { dispatchState, isClosed };

/** @type {Map<number, AlarmSummary>} */
const alarms = new Map();
// Ids seen resolved. Status only moves forward, so a late push or list snapshot
// that still shows one of these as open is stale and must not resurrect the row.
/** @type {Set<number>} */
const gone = new Set();
// Rows re-alerted by an escalation, flashing until this time (ms): see flash().
/** @type {Map<number, number>} */
const flashUntil = new Map();
/** @type {number | null} */
let selectedId = null;
/** @type {HTMLElement | null} */
let listEl = null;
/**
 * The row built for an alarm, reused while nothing it shows changed.
 * @typedef {{ json: string, ctx: string, flashing: boolean, el: HTMLElement }} BuiltRow
 */
/** @type {Map<number, BuiltRow>} */
const built = new Map();
/** @type {WeakMap<AlarmSummary, string>} */
const jsonOf = new WeakMap(); // summary object → its JSON, computed once
/** Bumped when something every row shows changes (deadlines loaded); forces a rebuild. */
let epoch = 0;
// For the bench and tests: how long the last render took, and how many rows it rebuilt; all renders' time.
/** @type {{ renders: number, lastRenderMs: number, lastBuilt: number, totalMs: number, log: { ms: number, built: number, rows: number }[] }} */
const stats = { renders: 0, lastRenderMs: 0, lastBuilt: 0, totalMs: 0, log: [] };
/** @type {(id: number) => void} */
let onOpen = () => {};

/**
 * @param {HTMLElement} el
 * @param {{ onRowOpen: (id: number) => void }} handlers
 */
export function initQueue(el, { onRowOpen }) {
  listEl = el;
  onOpen = onRowOpen;
  Object.assign(window, { anxinQueue: stats });
  // One delegated listener for every row, reused or new.
  el.addEventListener("click", (ev) => {
    if (!(ev.target instanceof Element)) return;
    const row = ev.target.closest(".row[data-id]");
    if (!(row instanceof HTMLElement) || ev.target.closest("a")) return;
    const id = Number(row.dataset.id);
    select(id);
    onOpen(id);
  });
}

/**
 * Replace the whole queue with the server's list (initial load and every reconnect).
 * @param {readonly AlarmSummary[]} list
 */
export function replaceAll(list) {
  alarms.clear();
  for (const a of list) {
    if (isClosed(a)) gone.add(a.id);
    else if (!gone.has(a.id)) alarms.set(a.id, a);
  }
  render();
}

/**
 * Apply one returned AlarmSummary (an action's answer). Resolved alarms leave the open queue.
 * @param {AlarmSummary} alarm
 */
export function upsert(alarm) {
  upsertMany([alarm]);
}

/**
 * Apply a frame of pushed AlarmSummaries, in order, then render once.
 * @param {readonly AlarmSummary[]} list
 */
export function upsertMany(list) {
  for (const alarm of list) {
    const prev = alarms.get(alarm.id);
    // Pushes can overtake HTTP responses; never let an older state overwrite a newer one.
    if (gone.has(alarm.id) || (prev && progress(prev) > progress(alarm))) continue;
    if (isClosed(alarm)) {
      gone.add(alarm.id);
      alarms.delete(alarm.id);
    } else alarms.set(alarm.id, alarm);
  }
  render();
}

/**
 * Unacknowledged means no operator has taken it yet, whatever dispatch has done
 * meanwhile: the sound must keep going until a person in the command center acts.
 * @param {Pick<AlarmSummary, "status" | "acknowledgedAt">} alarm
 */
export function isUnacknowledged(alarm) {
  return !isClosed(alarm) && !alarm.acknowledgedAt;
}

export function clear() {
  alarms.clear();
  gone.clear();
  flashUntil.clear();
  selectedId = null;
  render(); // removes every built row: none is in `alarms` any more
}

/** Something every row shows changed (the hub's deadlines arrived): rebuild all rows. */
export function invalidate() {
  epoch += 1;
  render();
}

/** The queue's order: see queue-order.js. */
export function sorted() {
  return [...alarms.values()].sort(compareAlarms);
}

export function unackedCount() {
  let n = 0;
  for (const a of alarms.values()) if (isUnacknowledged(a)) n += 1;
  return n;
}

/** @param {number} id */
export function has(id) {
  return alarms.has(id);
}

export function size() {
  return alarms.size;
}

export function topUnacked() {
  return sorted().find(isUnacknowledged) ?? null;
}

export function getSelected() {
  return selectedId;
}

/** @param {number} id */
export function select(id) {
  selectedId = id;
  if (!listEl) return;
  for (const row of listEl.querySelectorAll(".row[data-id]")) {
    if (!(row instanceof HTMLElement)) continue;
    const on = Number(row.dataset.id) === id;
    row.setAttribute("aria-selected", String(on));
    if (on) row.scrollIntoView({ block: "nearest" });
  }
}

/**
 * Move the selection by `delta` rows (j/k, arrows); starts at the top when nothing is selected.
 * @param {number} delta
 */
export function moveSelection(delta) {
  const ids = sorted().map((a) => a.id);
  const i = selectedId === null ? -1 : ids.indexOf(selectedId);
  const next = ids[i === -1 ? 0 : Math.min(ids.length - 1, Math.max(0, i + delta))];
  if (next !== undefined) select(next);
}

export function render() {
  const list = listEl;
  if (!list) return;
  const started = performance.now();
  const rows = sorted();
  if (selectedId !== null && !alarms.has(selectedId)) selectedId = null;
  const ctx = `${getLang()}|${epoch}`;
  let rebuilt = 0;
  for (const [id, entry] of built) {
    if (!alarms.has(id)) {
      entry.el.remove();
      built.delete(id);
    }
  }
  const els = rows.map((a) => {
    let json = jsonOf.get(a);
    if (json === undefined) {
      json = JSON.stringify(a);
      jsonOf.set(a, json);
    }
    const flashing = (flashUntil.get(a.id) ?? 0) > Date.now();
    const entry = built.get(a.id);
    if (entry && entry.json === json && entry.ctx === ctx && entry.flashing === flashing) {
      // Written only when it changes: thousands of same-value writes per render still cost style work.
      const on = String(a.id === selectedId);
      if (entry.el.getAttribute("aria-selected") !== on) entry.el.setAttribute("aria-selected", on);
      return entry.el;
    }
    rebuilt += 1;
    const el = rowEl(a, { unacked: isUnacknowledged(a), selected: a.id === selectedId, flashing });
    entry?.el.replaceWith(el);
    built.set(a.id, { json, ctx, flashing, el });
    return el;
  });
  // Move only rows that are out of place, so an unchanged queue touches nothing.
  let cursor = list.firstElementChild;
  for (const el of els) {
    if (el === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(el, cursor);
  }
  document.body.dataset.unacked = String(unackedCount());
  stats.renders += 1;
  stats.lastBuilt = rebuilt;
  stats.lastRenderMs = performance.now() - started;
  stats.totalMs += stats.lastRenderMs;
  stats.log = [...stats.log.slice(-19), { ms: stats.lastRenderMs, built: rebuilt, rows: els.length }];
  document.dispatchEvent(new CustomEvent("anxin:queue"));
}

/**
 * Makes the alarms' rows flash for `ms` (an escalation re-alert), with one render; rows are rebuilt, so the flag lives here.
 * @param {readonly number[]} ids
 * @param {number} ms
 */
export function flash(ids, ms) {
  const until = Date.now() + ms;
  for (const id of ids) flashUntil.set(id, until);
  render();
  setTimeout(() => {
    let ended = false;
    for (const id of ids) {
      if ((flashUntil.get(id) ?? 0) > Date.now()) continue;
      if (flashUntil.delete(id)) ended = true;
    }
    if (ended) render();
  }, ms + 50);
}

/** Called every second: only the clocks and deadlines change, so rows are not rebuilt (that would reset hover/scroll). */
export function tickClocks() {
  if (listEl) tickRow(listEl);
}
