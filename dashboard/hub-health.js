// @ts-check
// The hub's own health, as operators must see it. While the hub's database refuses
// writes (disk full, read-only, failing), no new alarm can be stored: presses are
// not getting through, though every button keeps retrying. A red banner on every
// page says so, in words, until the hub reports that writes work again.
//
// The state comes from /health (no login; the hub probes with a real committed
// write at most every few seconds) whenever the live connection opens, and from
// the `storage` push whenever it changes. A console that was away asks again.

/** @import { WriteCheck } from "../protocol/console/index.ts" */

import { t } from "./i18n.js";

/** @type {HTMLElement | null} */
let banner = null;
/** @type {WriteCheck} */
let check = { ok: true, code: null, checkedAt: "" };

/** @param {HTMLElement} el */
export function initHubHealth(el) {
  banner = el;
}

/** Asks /health; an unreachable hub is the realtime banner's business, not this one's. */
export async function refresh() {
  try {
    const res = await fetch("/health", { headers: { accept: "application/json" } });
    /** @type {unknown} */
    const body = await res.json();
    // Its `databaseWrite` is the contract's WriteCheck, but the answer may be a proxy's page: read field by field.
    if (isRecord(body) && isRecord(body.databaseWrite)) show(body.databaseWrite);
  } catch {
    // Network error or a proxy's page: keep what is shown.
  }
}

/**
 * A `storage` frame from the live connection.
 * @param {WriteCheck} next
 */
export function pushed(next) {
  show(next);
}

export function reset() {
  check = { ok: true, code: null, checkedAt: "" };
  rerender();
}

export function rerender() {
  if (!banner) return;
  banner.hidden = check.ok;
  banner.textContent = check.ok ? "" : t("health.dbWrite", { code: check.code ?? "?" });
  // Read by tests and by anyone's CSS: ok | failed.
  document.body.dataset.dbWrite = check.ok ? "ok" : "failed";
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === "object" && value !== null;
}

/** @param {Readonly<Record<string, unknown>>} next a write check, from a frame (typed) or /health (read field by field) */
function show(next) {
  const checkedAt = typeof next.checkedAt === "string" ? next.checkedAt : "";
  // A /health answer computed before a push may arrive after it: the older result never wins.
  if (checkedAt < check.checkedAt) return;
  check = { ok: next.ok === true, code: typeof next.code === "string" ? next.code : null, checkedAt };
  rerender();
}
