// @ts-check
// Timeline summaries of what reached people: the relatives' cascade (texts, calls, replies),
// the family's progress texts, and each SMS or call of the outbox with Twilio's answer.
// Provider errors are shown as they came (marked English): they are not ours to translate.

/** @import { RelativeRef } from "../protocol/console/index.ts" */
/** @import { Summaries } from "./event-summary-kit.js" */

import { localTime } from "./dom.js";
import { channelText, data, line, providerStatus, purposeText } from "./event-summary-kit.js";
import { t, tMaybe } from "./i18n.js";
import { codeText, content, foreignText, reasonWords } from "./reasons.js";

/**
 * A relative by name and priority: "王芳 (no. 1)".
 * @param {RelativeRef | { name: string } | null | undefined} r
 */
function relative(r) {
  if (!r) return null;
  return "priority" in r ? [content(r.name), t("ev.priority", { n: r.priority })] : content(r.name);
}

/** @param {"sms" | "keypad" | "operator_call" | string} via */
function viaText(via) {
  return tMaybe(`ev.via.${via}`) ?? codeText(via);
}

/**
 * @type {Summaries<
 *   | "relatives_not_notified" | "relatives_wave_sent" | "relative_call_placed" | "relative_call_completed"
 *   | "relative_contact_failed" | "relative_confirmed" | "relative_replied" | "relatives_unreachable"
 *   | "relatives_cascade_stopped" | "relative_calls_cancelled" | "family_updated" | "clinic_stood_down"
 *   | "sms_sent" | "call_sent" | "sms_failed" | "call_failed" | "delivery_status" | "call_hung_up"
 *   | "call_hangup_failed"
 * >}
 */
export const relativeSummaries = {
  relatives_not_notified: (d) => line(reasonWords(d.reason)),
  relatives_wave_sent: (d) =>
    line(
      t("ev.wave", { n: d.wave }),
      d.relatives?.length ? content(d.relatives.map((r) => r.name).join(", ")) : null,
      d.deadlineAt ? t("ev.confirmBy", { time: localTime(d.deadlineAt) }) : null,
      d.after ? [t("ev.after"), ...reasonWords(d.after)] : null,
    ),
  relative_call_placed: (d) =>
    line(relative(d.relative), d.deadlineAt ? t("ev.confirmBy", { time: localTime(d.deadlineAt) }) : null, [
      t("ev.after"),
      ...reasonWords(d.after),
    ]),
  relative_call_completed: (d) => line(relative(d.relative), channelText(d.channel), providerStatus(d.status)),
  relative_contact_failed: (d) =>
    line(
      relative(d.relative),
      channelText(d.channel),
      "error" in d ? foreignText(d.error) : null,
      "status" in d ? providerStatus(d.status) : null,
    ),
  relative_confirmed: (d) =>
    line(
      relative(d.relative),
      viaText(d.via),
      d.reply ? content(d.reply, "note-text") : null,
      d.alreadyConfirmedBy ? [t("ev.alreadyConfirmedBy"), content(d.alreadyConfirmedBy.name)] : null,
      d.cascadeStopped ? t("ev.cascadeStopped") : null,
    ),
  relative_replied: (d) =>
    line(relative(d.relative), viaText(d.via), d.reply ? content(d.reply, "note-text") : t("ev.noKey")),
  relatives_unreachable: (d) =>
    line(t("ev.unreachableCounts", { texted: d.texted, called: d.called }), [t("ev.after"), ...reasonWords(d.after)]),
  relatives_cascade_stopped: (d) => line(reasonWords(d.reason), t("ev.atStep", { n: d.step })),
  relative_calls_cancelled: (d) =>
    line(
      reasonWords(d.reason),
      (d.calls ?? []).flatMap((c, i) => [
        i === 0 ? "" : t("ev.listNext"),
        content(c.relative.name),
        c.placed ? t("ev.callHungUp") : t("ev.callWithdrawn"),
      ]),
    ),
  family_updated: (d) =>
    line(
      tMaybe(`family.step.${d.step}`) ?? codeText(d.step),
      d.relatives?.length ? content(d.relatives.map((r) => r.name).join(", ")) : null,
    ),
  clinic_stood_down: (d) => line(data(d.to)),
  sms_sent: (d) => line(data(d.to), purposeText(d.purpose)),
  call_sent: (d) => line(data(d.to), purposeText(d.purpose)),
  sms_failed: (d) => line(data(d.to), purposeText(d.purpose), foreignText(d.error)),
  call_failed: (d) => line(data(d.to), purposeText(d.purpose), foreignText(d.error)),
  delivery_status: (d) =>
    line(
      channelText(d.channel),
      data(d.to),
      purposeText(d.purpose),
      providerStatus(d.status),
      d.errorCode ? t("ev.providerError", { code: d.errorCode }) : null,
    ),
  call_hung_up: (d) =>
    line(data(d.to), purposeText(d.purpose), t(d.result === "already_ended" ? "ev.alreadyEnded" : "ev.hungUp")),
  call_hangup_failed: (d) => line(data(d.to), purposeText(d.purpose), foreignText(d.error)),
};
