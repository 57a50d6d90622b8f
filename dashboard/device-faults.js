// @ts-check
// The open device faults: one store (keyed by fault id) fed by the list
// (`GET /api/devices/faults?open=true`, on login and every reconnect, since
// frames may have been missed) and by `device_faults` frames. A fault is not an
// emergency: this store never touches the alarm queue or its sound. Every
// change fires `anxin:faults` on document for the page, the nav badge and the
// strip on the alarms page.

/** @import { DeviceFault, DeviceFaultList, FaultKind } from "../protocol/console/index.ts" */

import { request } from "./http.js";

/** low_battery is work for a technician (a maintenance task), the rest say a device may not call for help. @type {ReadonlySet<FaultKind>} */
export const MAINTENANCE_KINDS = new Set(["low_battery"]);
/** Every kind, in the order the strip above the queue names them. @type {readonly FaultKind[]} */
export const FAULT_KINDS = ["offline", "silent", "test_failed", "low_battery"];

/** @type {Map<number, DeviceFault>} */
const open = new Map();
// Ids seen cleared: a fault never reopens (a new cause opens a new row), so a
// list fetched before the clear must not bring one back.
/** @type {Set<number>} */
const cleared = new Set();
let seq = 0;

export async function reload() {
  const mine = ++seq;
  /** @type {DeviceFaultList} */
  const { faults } = await request("GET", "/api/devices/faults?open=true&limit=1000");
  if (mine !== seq) return; // a logout or a newer reload overtook this one
  open.clear();
  for (const f of faults) if (!cleared.has(f.id) && f.clearedAt === null) open.set(f.id, f);
  changed();
}

/**
 * Apply a frame of pushed faults, then announce the change once: opened → listed, cleared → gone.
 * @param {readonly DeviceFault[]} faults
 */
export function applyAll(faults) {
  for (const fault of faults) {
    if (fault.clearedAt !== null) {
      cleared.add(fault.id);
      open.delete(fault.id);
    } else if (!cleared.has(fault.id)) open.set(fault.id, fault);
  }
  changed();
}

export function clear() {
  seq += 1;
  open.clear();
  cleared.clear();
  changed();
}

/**
 * Oldest first: the longest-standing fault is the one most overdue for a visit.
 * @param {DeviceFault} a
 * @param {DeviceFault} b
 */
function byAge(a, b) {
  const dt = Date.parse(a.openedAt) - Date.parse(b.openedAt);
  return dt !== 0 ? dt : a.id - b.id;
}

export function faults() {
  return [...open.values()].filter((f) => !MAINTENANCE_KINDS.has(f.kind)).sort(byAge);
}

export function maintenance() {
  return [...open.values()].filter((f) => MAINTENANCE_KINDS.has(f.kind)).sort(byAge);
}

export function size() {
  return open.size;
}

/** Open faults per kind, every kind present (0 when none). */
export function countsByKind() {
  /** @type {Record<FaultKind, number>} */
  const counts = { offline: 0, silent: 0, test_failed: 0, low_battery: 0 };
  for (const f of open.values()) counts[f.kind] += 1;
  return counts;
}

function changed() {
  document.dispatchEvent(new CustomEvent("anxin:faults"));
}
