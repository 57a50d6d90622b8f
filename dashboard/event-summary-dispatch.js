// @ts-check
// Timeline summaries of the dispatch and service-request events: who was asked, why,
// who was passed over, which clinic; every reason in the operator's words (reasons.js).

/** @import { SkippedWorker } from "../protocol/console/index.ts" */
/** @import { Leaf } from "./dom.js" */
/** @import { Summaries } from "./event-summary-kit.js" */

import { h, km, localTime } from "./dom.js";
import { line, who } from "./event-summary-kit.js";
import { t } from "./i18n.js";
import { content, reasonWords } from "./reasons.js";

/** @param {number | null | undefined} distanceM */
function distance(distanceM) {
  return distanceM === null || distanceM === undefined ? null : km(distanceM);
}

/**
 * "passed over: KL-W004 (busy on alarm #12), …"
 * @param {readonly SkippedWorker[] | undefined} skipped
 * @returns {Leaf[]}
 */
function skippedWords(skipped) {
  if (!skipped?.length) return [];
  /** @type {Leaf[]} */
  const out = [t("ev.skipped", { n: skipped.length })];
  skipped.forEach((s, i) => {
    out.push(i === 0 ? t("ev.listStart") : t("ev.listNext"), content(s.code), " (", ...reasonWords(s.why), ")");
  });
  return out;
}

/**
 * @type {Summaries<
 *   | "dispatch_impossible" | "dispatch_ranked" | "dispatch_refined" | "clinic_selected" | "clinic_unavailable"
 *   | "offer_sent" | "offer_accepted" | "offer_declined" | "offer_timed_out" | "offer_withdrawn"
 *   | "dispatch_exhausted" | "on_scene" | "service_request_opened" | "service_request_not_routed"
 *   | "service_request_assigned" | "service_request_done" | "service_request_cancelled"
 * >}
 */
export const dispatchSummaries = {
  dispatch_impossible: (d) => line(reasonWords(d.reason)),
  dispatch_ranked: (d) =>
    line(
      t("ev.ranked", { n: d.ranking?.length ?? 0 }),
      t(`dispatch.metric.${d.metric}`),
      d.refinement === "pending" ? t("dispatch.refinement.pending") : null,
    ),
  dispatch_refined: (d) => line(t(`dispatch.metric.${d.metric}`), reasonWords(d.note)),
  clinic_selected: (d) =>
    line(
      content(d.clinic?.name),
      distance(d.distanceM),
      d.notified ? t("ev.clinicNotified") : t("ev.clinicNotNotified"),
      d.healthDataDisclosed ? t("ev.healthDataDisclosed") : null,
      reasonWords(d.reason),
    ),
  clinic_unavailable: (d) => line(reasonWords(d.reason)),
  offer_sent: (d) =>
    line(
      who(d.worker),
      d.rank > 0 ? t("dispatch.offer.rank", { n: d.rank }) : t("dispatch.offer.unranked"),
      distance(d.distanceM),
      d.expiresAt ? t("dispatch.offer.expires", { time: localTime(d.expiresAt) }) : null,
      reasonWords(d.reason),
      skippedWords(d.skipped),
    ),
  offer_accepted: (d) => line(who(d.worker)),
  offer_declined: (d) => line(who(d.worker), reasonWords(d.reason)),
  offer_timed_out: (d) => line(who(d.worker), d.expiresAt ? t("ev.expiredAt", { time: localTime(d.expiresAt) }) : null),
  offer_withdrawn: (d) => line(who(d.worker), t(`ev.withdrawn.${d.why === "reassigned" ? "reassigned" : "resolved"}`)),
  dispatch_exhausted: (d) =>
    line(
      h("strong", {}, t("ev.exhaustedAct")),
      t("ev.exhaustedCounts", { ranked: d.ranked ?? 0, asked: d.asked ?? 0 }),
      reasonWords(d.reason),
      skippedWords(d.skipped),
    ),
  on_scene: (d) => line(who(d.worker)),
  service_request_opened: (d) =>
    line(t("ev.request", { id: d.requestId }), d.gridId === null ? t("ev.noGrid") : t("ev.gridId", { id: d.gridId })),
  service_request_not_routed: (d) => line(t("ev.request", { id: d.requestId }), reasonWords(d.reason)),
  service_request_assigned: (d) =>
    line(
      t("ev.request", { id: d.requestId }),
      who(d.worker),
      d.previousWorker ? [t("ev.insteadOf"), who(d.previousWorker)] : null,
      distance(d.distanceM),
      reasonWords(d.reason),
    ),
  service_request_done: (d) =>
    line(
      t("ev.request", { id: d.requestId }),
      who(d.worker),
      "note" in d && d.note ? content(d.note, "note-text") : null,
      "reason" in d ? reasonWords(d.reason) : null,
    ),
  service_request_cancelled: (d) => line(t("ev.request", { id: d.requestId }), who(d.worker), reasonWords(d.reason)),
};
