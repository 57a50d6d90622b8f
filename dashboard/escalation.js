// @ts-check
// Which sound the waiting alarms call for, and when an alarm escalated.
//
// The hub raises an alarm's `escalation` each time it misses a deadline (no
// acknowledgement in time, again every re-alert period; nobody on scene). A
// rise is a fresh emergency for the command center even if someone muted the
// tone a minute ago, so the console compares each summary with the highest
// level it has seen for that alarm and re-alerts on a rise.

/** @import { AlarmSummary } from "../protocol/console/index.ts" */
/** @import { Level } from "./sound.js" */

import { flash, isClosed } from "./queue.js";
import * as sound from "./sound.js";

/** How long a re-alerted row (and the title) flash after an escalation. */
const FLASH_MS = 10_000;
/** @type {Map<number, number>} */
const seen = new Map(); // alarm id → highest escalation this console has seen
let flashUntil = 0;

/**
 * The pattern for the unacknowledged alarms: "escalated" once any missed a
 * deadline; "normal" for an SOS, or a call pressed again (priority high or
 * urgent); "service" for service calls; "none" with nothing waiting (test alarms never sound).
 * @param {Iterable<Pick<AlarmSummary, "kind" | "escalation" | "priority">>} unacknowledged
 * @returns {Level}
 */
export function alertLevel(unacknowledged) {
  /** @type {Level} */
  let level = "none";
  for (const a of unacknowledged) {
    // Test alarms (scheduled or drilled) close themselves within a second or two; sounding them
    // many times a day would teach operators to ignore the tone. The queue still shows them.
    if (a.kind === "test") continue;
    if ((a.escalation ?? 0) >= 1) return "escalated";
    if (a.kind === "sos" || (a.priority ?? "normal") !== "normal") level = "normal";
    else if (level === "none") level = "service";
  }
  return level;
}

/**
 * Records the summary's escalation; true when it rose above what this console
 * had seen for that alarm. The first sighting is not a rise (a console that
 * just opened has not "missed" anything; the loud pattern plays anyway), but a
 * rise noticed through the reload after a reconnect is.
 * @param {AlarmSummary} alarm
 */
export function observe(alarm) {
  if (isClosed(alarm)) {
    seen.delete(alarm.id);
    return false;
  }
  const level = alarm.escalation ?? 0;
  const before = seen.get(alarm.id);
  if (before === undefined || level > before) seen.set(alarm.id, level);
  return before !== undefined && level > before;
}

/**
 * Alarms whose escalation rose: the mute ends, the tone starts over loud, their rows flash.
 * @param {readonly number[]} ids
 */
export function reAlert(ids) {
  if (ids.length === 0) return;
  flashUntil = Date.now() + FLASH_MS;
  flash(ids, FLASH_MS);
  sound.reAlert();
}

/** True for a while after a re-alert: the title flashes the escalation flag. */
export function reAlerting() {
  return flashUntil > Date.now();
}

/** Forget everything (logout): the next operator starts from the hub's state. */
export function reset() {
  seen.clear();
  flashUntil = 0;
}
