// @ts-check
// One translated line for a timeline event's detail, for the event types that
// dispatch and SMS delivery write. The hub's detail objects are for machines
// (ids, nested workers); the operator needs "offered to 崔艳 (KL-W001), rank 1".
// Returns null for a type it does not know: the timeline then falls back to
// plain key=value pairs, so a new event type is never hidden.

/** @import { AlarmDetail } from "../protocol/console/index.ts" */
/** @import { WorkerRef } from "./dispatch-card.js" */
/** @import { Child, Leaf } from "./dom.js" */

import { hubText, km } from "./dispatch-card.js";
import { h, localTime } from "./dom.js";
import { t, tMaybe } from "./i18n.js";

/** @typedef {AlarmDetail["events"][number]} TimelineEvent */

/**
 * The fields of the hub's event details that a summary below reads. The contract leaves an
 * event's detail free-form (each event type writes its own object, for machines first), so
 * every field is optional here, a summary reads only its own type's, and each has a
 * fallback for a field that is missing.
 * @typedef {{
 *   ranking?: readonly unknown[], metric?: string, note?: string, reason?: string, why?: string,
 *   clinic?: { name?: string }, distanceM?: number | null, notified?: boolean,
 *   worker?: WorkerRef | null, rank?: number, expiresAt?: string, skipped?: readonly unknown[],
 *   ranked?: number, asked?: number, step?: string, relatives?: readonly { name: string }[],
 *   to?: string, purpose?: string, outcome?: string, source?: string, pressCount?: number,
 *   household?: string, remembered?: string, name?: string, target?: string, status?: string,
 *   durationS?: number | null, mark?: string, stage?: string, text?: string, dueAt?: string,
 *   visitedAt?: string,
 * }} EventDetail
 */

/** @param {WorkerRef | null | undefined} worker */
function who(worker) {
  if (!worker) return null;
  const name = worker.name ?? `#${worker.id}`;
  return h("span", { class: "wname", content: true }, worker.code ? `${name} (${worker.code})` : name);
}

/**
 * @param {...Child} parts
 * @returns {Leaf[]}
 */
function line(...parts) {
  return parts.flat().filter((p) => p !== null && p !== undefined && p !== "");
}

/**
 * SMS purposes are "worker", "clinic", "worker_stand_down" or "relative:<priority>".
 * @param {string | null | undefined} purpose
 */
export function purposeText(purpose) {
  const [kind, n] = String(purpose).split(":");
  if (kind === "relative") return t("sms.purpose.relative", { n: n ?? "?" });
  return tMaybe(`sms.purpose.${kind}`) ?? String(purpose);
}

/** @type {Readonly<Record<string, (d: EventDetail) => Leaf[] | null>>} */
const SUMMARIES = {
  dispatch_ranked: (d) =>
    line(t("ev.ranked", { n: d.ranking?.length ?? 0 }), " · ", d.metric ? t(`dispatch.metric.${d.metric}`) : ""),
  dispatch_refined: (d) =>
    line(d.metric ? t(`dispatch.metric.${d.metric}`) : "", d.note ? [" · ", hubText(d.note)] : null),
  clinic_selected: (d) =>
    line(
      h("span", { class: "wname", content: true }, d.clinic?.name ?? "?"),
      " · ",
      km(d.distanceM),
      d.notified ? [" · ", t("ev.clinicNotified")] : null,
      d.reason ? [" · ", hubText(d.reason)] : null,
    ),
  clinic_unavailable: (d) => line(hubText(d.reason)),
  offer_sent: (d) =>
    line(
      who(d.worker),
      " · ",
      d.rank !== undefined && d.rank > 0 ? t("dispatch.offer.rank", { n: d.rank }) : t("dispatch.offer.unranked"),
      d.distanceM !== null && d.distanceM !== undefined ? [" · ", km(d.distanceM)] : null,
      d.expiresAt ? [" · ", t("dispatch.offer.expires", { time: localTime(d.expiresAt) })] : null,
      d.skipped?.length ? [" · ", t("ev.skipped", { n: d.skipped.length })] : null,
    ),
  offer_accepted: (d) => line(who(d.worker)),
  offer_declined: (d) => line(who(d.worker), d.reason ? [" · ", h("span", { content: true }, d.reason)] : null),
  offer_timed_out: (d) => line(who(d.worker)),
  offer_withdrawn: (d) => line(who(d.worker), d.why ? [" · ", tMaybe(`ev.withdrawn.${d.why}`) ?? d.why] : null),
  dispatch_exhausted: (d) =>
    line(
      h("strong", {}, t("ev.exhaustedAct")),
      " · ",
      t("ev.exhaustedCounts", { ranked: d.ranked ?? 0, asked: d.asked ?? 0 }),
    ),
  on_scene: (d) => line(who(d.worker)),
  // Which update the texted relatives got, and who they are.
  family_updated: (d) =>
    line(
      tMaybe(`family.step.${d.step}`) ?? d.step ?? "",
      d.relatives?.length
        ? [" · ", h("span", { class: "wname", content: true }, d.relatives.map((r) => r.name).join(", "))]
        : null,
    ),
  clinic_stood_down: (d) => line(h("span", { content: true }, d.to ?? "")),
  sms_sent: (d) => line(h("span", { content: true }, d.to ?? ""), " · ", purposeText(d.purpose)),
  sms_failed: (d) =>
    line(
      h("span", { content: true }, d.to ?? ""),
      " · ",
      purposeText(d.purpose),
      d.reason ? [" · ", hubText(d.reason)] : null,
    ),
  resolved: (d) =>
    line(
      d.outcome ? t(`outcome.${d.outcome}`) : "",
      d.worker ? [" · ", who(d.worker)] : null,
      d.note ? [" · ", h("span", { content: true }, d.note)] : null,
    ),
  // A call to the center (issue 14): which number rang, who took it, or why nobody did.
  received: (d) => (d.source === "voice" ? line(t("ev.byPhone")) : null),
  pressed_again: (d) =>
    d.source === "voice"
      ? line(t("ev.byPhone"), d.pressCount ? [" · ", t("ev.pressCount", { n: d.pressCount })] : null)
      : null,
  placed: (d) =>
    line(
      t("ev.placedAt", { code: d.household ?? "?" }),
      d.remembered ? [" · ", tMaybe(`ev.remembered.${d.remembered}`) ?? d.remembered] : null,
    ),
  callback_placed: (d) =>
    line(h("span", { class: "wname", content: true }, d.name ?? ""), " · ", tMaybe(`call.target.${d.target}`) ?? ""),
  callback_status: (d) =>
    line(
      h("span", { class: "wname", content: true }, d.name ?? ""),
      " · ",
      tMaybe(`call.status.${d.status}`) ?? d.status ?? "",
      // The hub leaves the duration out until the call ended (never null here, unlike call_ended).
      d.durationS !== null && d.durationS !== undefined ? [" · ", t("call.durationS", { s: d.durationS })] : null,
    ),
  callback_marked: (d) =>
    line(h("span", { class: "wname", content: true }, d.name ?? ""), " · ", tMaybe(`call.mark.${d.mark}`) ?? ""),
  call_ended: (d) =>
    line(
      tMaybe(`call.status.${d.status}`) ?? d.status ?? "",
      d.durationS !== null && d.durationS !== undefined ? [" · ", t("call.durationS", { s: d.durationS })] : null,
    ),
  call_answered: (d) => line(tMaybe(`ev.callStage.${d.stage}`) ?? ""),
  call_unanswered: (d) => line(tMaybe(`ev.callWhy.${d.why}`) ?? d.why ?? ""),
  // Operators' own words, shown as typed (the author is the event's actor, beside it).
  note_added: (d) => line(h("span", { class: "note-text", content: true }, d.text ?? "")),
  follow_up_planned: (d) => line(d.dueAt ? t("ev.dueAt", { time: localTime(d.dueAt) }) : ""),
  followed_up: (d) =>
    line(
      d.visitedAt ? t("ev.visitedAt", { time: localTime(d.visitedAt) }) : "",
      d.note ? [" · ", h("span", { content: true }, d.note)] : null,
    ),
};

/**
 * Nodes for the event's detail, or null when this type has no translated summary.
 * @param {TimelineEvent} event
 */
export function eventSummary(event) {
  const fn = SUMMARIES[event.type];
  if (!fn || !event.detail || typeof event.detail !== "object") return null;
  return fn(/** @type {EventDetail} */ (event.detail));
}
