// @ts-check
// Timeline summaries of the alarm's own life: how it came in (a press or a call), where
// it was placed, what operators did, the deadlines it missed, and calls to and from the center.

/** @import { Summaries } from "./event-summary-kit.js" */

import { localTime } from "./dom.js";
import { line, stageText, who } from "./event-summary-kit.js";
import { t, tMaybe } from "./i18n.js";
import { codeText, content, foreignText, reasonWords, tNodes } from "./reasons.js";

/** @param {number | null | undefined} s */
function duration(s) {
  return s === null || s === undefined ? null : t("call.durationS", { s });
}

/**
 * @type {Summaries<
 *   | "received" | "pressed_again" | "cancel_requested" | "located" | "unlocated" | "stage_skipped"
 *   | "stage_failed" | "placed" | "acknowledged" | "note_added" | "resolved" | "cancelled"
 *   | "follow_up_planned" | "followed_up" | "escalated" | "overdue" | "call_answered" | "call_unanswered"
 *   | "call_ended" | "callback_placed" | "callback_status" | "callback_marked"
 * >}
 */
export const alarmSummaries = {
  received: (d) =>
    "source" in d
      ? line(t("ev.byPhone"), d.candidates?.length ? t("ev.candidates", { n: d.candidates.length }) : null)
      : line(
          t(`kind.${d.kind}`),
          t("ev.battery", { n: d.battery }),
          d.attempt > 1 ? t("ev.attempt", { n: d.attempt }) : null,
        ),
  pressed_again: (d) =>
    line("source" in d ? t("ev.byPhone") : null, d.pressCount ? t("ev.pressCount", { n: d.pressCount }) : null),
  cancel_requested: (d) =>
    line(
      t("ev.cancelNeedsOperator"),
      d.otherDevices?.length ? [t("ev.otherDevices"), content(d.otherDevices.join(", "))] : null,
    ),
  located: (d) => line(content(d.household), content(d.address), content(d.resident), content(d.grid)),
  unlocated: (d) => line(reasonWords(d.reason)),
  stage_skipped: (d) => line(stageText(d.stage), reasonWords(d.reason)),
  stage_failed: (d) =>
    line(stageText(d.stage), (d.code ? tMaybe(`error.${d.code}`) : null) ?? foreignText(d.error), t("ev.willRetry")),
  placed: (d) =>
    line(
      tNodes("ev.placedAt", { code: content(d.household) }),
      d.remembered ? t(`ev.remembered.${d.remembered}`) : null,
    ),
  acknowledged: () => [],
  // Operators' own words, shown as typed (the author is the event's actor, beside it).
  note_added: (d) => line(content(d.text, "note-text")),
  resolved: (d) =>
    line(
      t(`outcome.${d.outcome}`),
      "worker" in d ? who(d.worker) : null,
      "note" in d && d.note ? content(d.note, "note-text") : null,
      "serviceRequestId" in d ? t("ev.request", { id: d.serviceRequestId }) : null,
      "reason" in d ? reasonWords(d.reason) : null,
    ),
  cancelled: (d) =>
    line(
      t(`outcome.${d.outcome}`),
      "reason" in d ? [...reasonWords(d.reason), t("ev.afterSeconds", { s: Math.round(d.elapsedMs / 1000) })] : null,
      "note" in d && d.note ? content(d.note, "note-text") : null,
    ),
  follow_up_planned: (d) => line(t("ev.dueAt", { time: localTime(d.dueAt) })),
  followed_up: (d) => line(t("ev.visitedAt", { time: localTime(d.visitedAt) }), content(d.note, "note-text")),
  escalated: (d) =>
    line(
      t(d.kind === "arrival" ? "ev.escalated.arrival" : "ev.escalated.ack", { s: d.deadlineS }),
      t("ev.level", { n: d.level }),
      d.notified ? t(`ev.notified.${d.notified}`) : t("ev.notifiedNobody"),
    ),
  overdue: (d) =>
    line(
      t(d.kind === "follow_up" ? "ev.overdue.follow_up" : "ev.overdue.resolution", { time: localTime(d.dueAt) }),
      t("ev.level", { n: d.level }),
    ),
  call_answered: (d) => line(t(`ev.callStage.${d.stage}`)),
  call_unanswered: (d) => line(t(`ev.callWhy.${d.why}`), d.stage ? t(`ev.callStage.${d.stage}`) : null),
  call_ended: (d) => line(tMaybe(`call.status.${d.status}`) ?? codeText(d.status), duration(d.durationS)),
  callback_placed: (d) => line(content(d.name), t(`call.target.${d.target}`)),
  callback_status: (d) =>
    line(
      content(d.name),
      tMaybe(`call.status.${d.status}`) ?? codeText(d.status),
      // The hub leaves the duration out until the call ended.
      duration(d.durationS),
    ),
  callback_marked: (d) => line(content(d.name), t(`call.mark.${d.mark}`)),
};
