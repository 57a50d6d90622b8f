// @ts-check
// One translated line for each timeline event's detail. The hub's details are for machines
// (ids, nested workers, coded reasons); the operator needs "offered to 崔艳 (KL-W001), rank 1,
// nearest free on-duty worker, 0.8 km". Every event type the hub writes has its summary:
// the map's type (Summaries<AlarmEventType>) fails the typecheck when one is missing.
// A detail of another shape (a row written by an older hub) that a summary cannot read
// shows as the hub's data, marked as such, rather than breaking the timeline.

/** @import { AlarmDetail, AlarmEventType } from "../protocol/console/index.ts" */
/** @import { Leaf } from "./dom.js" */
/** @import { Summaries } from "./event-summary-kit.js" */

import { alarmSummaries } from "./event-summary-alarm.js";
import { dispatchSummaries } from "./event-summary-dispatch.js";
import { summaryOf } from "./event-summary-kit.js";
import { relativeSummaries } from "./event-summary-relatives.js";

export { purposeText } from "./event-summary-kit.js";

/** One event as the wire carries it (its detail typed by `AlarmEvent` once its type is known). @typedef {AlarmDetail["events"][number]} TimelineEvent */

/** @type {Summaries<AlarmEventType>} */
const SUMMARIES = { ...alarmSummaries, ...dispatchSummaries, ...relativeSummaries };

/**
 * Nodes for the event's detail (empty when there is nothing to add to its name).
 * @param {TimelineEvent} event
 * @returns {Leaf[]}
 */
export function eventSummary(event) {
  return summaryOf(SUMMARIES, event);
}
