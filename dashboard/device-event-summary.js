// @ts-check
// One translated line for each event of a device's history (device health page): which
// fault opened and what raised it, why it cleared, and how a test press went. The mapped
// type fails the typecheck on a device event type without its summary.

/** @import { DeviceEventDetails, DeviceEventType, DeviceHealth, FaultOpened } from "../protocol/console/index.ts" */
/** @import { Leaf } from "./dom.js" */

import { localTime } from "./dom.js";
import { line, summaryOf } from "./event-summary-kit.js";
import { t, tMaybe } from "./i18n.js";
import { codeText, content, reasonWords } from "./reasons.js";

/** @param {string} kind */
function kindText(kind) {
  return tMaybe(`dev.kind.${kind}`) ?? codeText(kind);
}

/**
 * What raised a fault, by its kind.
 * @param {FaultOpened} d
 * @returns {Leaf[]}
 */
function raisedBy(d) {
  switch (d.kind) {
    case "offline":
      return reasonWords(d.reason);
    case "silent":
      return [
        d.lastSeenAt ? t("dev.ev.lastSeen", { time: localTime(d.lastSeenAt) }) : t("dev.never"),
        t("dev.ev.silentAfter", { s: d.silentAfterS }),
      ];
    case "low_battery":
      return [t("dev.ev.battery", { n: d.battery, threshold: d.thresholdPercent })];
    case "test_failed":
      return [
        t(`dev.trigger.${d.trigger}`),
        content(d.requestId),
        t("dev.ev.deadline", { time: localTime(d.deadline) }),
      ];
    default:
      return [];
  }
}

/** @type {{ readonly [K in DeviceEventType]: (d: DeviceEventDetails[K]) => Leaf[] }} */
const SUMMARIES = {
  fault_opened: (d) => line(kindText(d.kind), raisedBy(d)),
  fault_cleared: (d) => line(kindText(d.kind), reasonWords(d.reason)),
  test_requested: (d) =>
    line(t(`dev.trigger.${d.trigger}`), content(d.requestId), t("dev.ev.deadline", { time: localTime(d.deadline) })),
  test_answered: (d) => line(content(d.requestId), t("ev.alarmId", { id: d.alarmId })),
  test_completed: (d) =>
    line("requestId" in d ? content(d.requestId) : t("dev.trigger.manual"), t("ev.alarmId", { id: d.alarmId })),
  test_failed: (d) => line(content(d.requestId), t("dev.ev.deadline", { time: localTime(d.deadline) })),
};

/**
 * Nodes for a device event's detail; a detail an older hub wrote differently shows as its data.
 * @param {DeviceHealth["events"][number]} event
 * @returns {Leaf[]}
 */
export function deviceEventSummary(event) {
  return summaryOf(SUMMARIES, event);
}
