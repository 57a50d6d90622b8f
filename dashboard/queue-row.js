// @ts-check
// One row of the live queue, built from an AlarmSummary. Every state is shown in
// words as well as colour (a colour-blind operator, a washed-out wall display):
// the acknowledgement and dispatch badges, "pressed 3×", the deadline's "left" or "overdue".

/** @import { AlarmSummary } from "../protocol/console/index.ts" */
/** @import { DeadlineStage } from "./queue-order.js" */

import { serverNow } from "./clock.js";
import { ackBadge, ageClock, h, kindBadge, localTime } from "./dom.js";
import { t } from "./i18n.js";
import { stageDeadline } from "./queue-order.js";

/** Below this many seconds left, the deadline turns amber: time to act, not yet late. */
const SOON_S = 60;

/** @typedef {"none" | "offered" | "exhausted" | "accepted" | "on_scene"} DispatchState */
/** @typedef {"ok" | "soon" | "over"} DeadlineLevel */

/**
 * offered | accepted | on_scene from the status and the current worker; an
 * offered alarm with no current worker means every ranked worker was asked
 * or passed over (dispatch_exhausted), so an operator must pick someone.
 * @param {Pick<AlarmSummary, "status" | "worker">} a
 * @returns {DispatchState}
 */
export function dispatchState(a) {
  if (a.status === "offered") return a.worker ? "offered" : "exhausted";
  if (a.status === "accepted") return "accepted";
  if (a.status === "on_scene") return "on_scene";
  return "none";
}

/**
 * The acknowledgement state (has an operator taken it?) and, beside it, the
 * dispatch state (whom the hub asked, who accepted, who is there). They are
 * separate because an SOS is offered to a worker before anyone acknowledges it.
 * @param {AlarmSummary} a
 * @param {boolean} unacked
 */
function stateBadges(a, unacked) {
  const ack = ackBadge(!unacked);
  // A missed deadline is shown in words too, not only by the louder tone.
  const escalated = a.escalation > 0 ? h("span", { class: "badge esc" }, t("esc.badge", { n: a.escalation })) : null;
  const dispatch = dispatchState(a);
  if (dispatch === "none") return [ack, escalated];
  const badge = h("span", { class: `badge dispatch dispatch-${dispatch}` }, t(`queue.dispatch.${dispatch}`));
  if (a.worker && dispatch !== "exhausted")
    badge.append(" ", h("span", { class: "wname", content: true }, a.worker.name));
  return [ack, escalated, badge];
}

/**
 * "Ack: 00:42 left" / "Ack: overdue 01:10", and its colour class.
 * @param {string} stage the deadline's stage (DeadlineStage; read back from a row's data-stage too)
 * @param {number} at ms since the epoch
 * @returns {{ text: string, level: DeadlineLevel }}
 */
export function deadlineView(stage, at) {
  const leftS = Math.floor((at - serverNow()) / 1000);
  const over = leftS < 0;
  const time = ageClock(new Date(serverNow() - Math.abs(leftS) * 1000).toISOString());
  const text = t(over ? "deadline.over" : "deadline.left", { stage: t(`deadline.${stage}`), time });
  return { text, level: over ? "over" : leftS <= SOON_S ? "soon" : "ok" };
}

/** @param {AlarmSummary} a */
function deadlineEl(a) {
  const d = stageDeadline(a);
  if (!d) return null;
  const { text, level } = deadlineView(d.stage, d.at);
  return h("span", { class: `deadline deadline-${level}`, dataset: { stage: d.stage, at: String(d.at), level } }, text);
}

/**
 * A call's household is found when the call is stored: a voice alarm without one stays unplaced (its
 * caller shown, for an operator to place by hand), where a button's alarm is still being located.
 * @param {Pick<AlarmSummary, "source" | "household" | "caller">} a
 */
export function unplacedOrLocating(a) {
  if (a.source !== "voice" || a.household) return h("span", { class: "locating" }, t("locating"));
  const caller = a.caller ?? t("caller.withheld");
  return h("span", { class: "locating unplaced", content: true }, t("caller.unplaced", { caller }));
}

/**
 * @param {AlarmSummary} a
 * @param {{ unacked: boolean, selected: boolean, flashing: boolean }} state
 */
export function rowEl(a, { unacked, selected, flashing }) {
  const located = a.household !== null && a.resident !== null;
  const resident = a.resident
    ? [
        h("span", { class: "name", content: true }, a.resident.name),
        " ",
        h("span", { class: "years" }, t("age.years", { n: a.resident.age })),
      ]
    : [unplacedOrLocating(a)];
  const where = a.household
    ? [
        h("span", { class: "addr", content: true }, a.household.address),
        a.household.gridName
          ? h("span", { class: "grid", content: true }, a.household.gridName)
          : h("span", { class: "grid" }, t("noGrid")),
      ]
    : // A call's alarm is not being located: its caller ID matched no household, so an operator places it.
      [h("span", { class: "locating" }, t(a.source === "voice" ? "caller.placeByHand" : "locating"))];
  const presses =
    (a.priority ?? "normal") !== "normal"
      ? h("span", { class: `badge prio prio-${a.priority}` }, t("priority.presses", { n: a.pressCount }))
      : null;
  return h(
    "div",
    {
      class: `row row-${a.status} row-kind-${a.kind}${flashing ? " row-reflash" : ""}`,
      role: "option",
      "aria-selected": String(selected),
      dataset: {
        id: String(a.id),
        status: a.status,
        unacked: String(unacked),
        dispatch: dispatchState(a),
        kind: a.kind,
        priority: a.priority ?? "normal",
        located: String(located),
        escalation: String(a.escalation ?? 0),
      },
    },
    h("span", { class: "c-kind" }, kindBadge(a.kind), presses),
    h("span", { class: "c-resident" }, resident),
    h("span", { class: "c-where" }, where),
    h("span", { class: "c-state" }, ...stateBadges(a, unacked)),
    h("span", { class: "c-received" }, h("time", { datetime: a.receivedAt }, localTime(a.receivedAt))),
    h(
      "span",
      { class: "c-age" },
      h("span", { class: "clock", dataset: { since: a.receivedAt } }, ageClock(a.receivedAt)),
      deadlineEl(a),
    ),
    h(
      "span",
      { class: "c-ack" },
      a.acknowledgedBy ? h("span", { class: "ack-by", content: true }, a.acknowledgedBy) : t("ackBy.none"),
    ),
  );
}

/**
 * Every second: the clocks and deadlines change, nothing else, so rows are not rebuilt.
 * @param {HTMLElement} listEl
 */
export function tickRow(listEl) {
  for (const el of listEl.querySelectorAll(".clock[data-since]")) {
    if (el instanceof HTMLElement) el.textContent = ageClock(el.dataset.since ?? "");
  }
  for (const el of listEl.querySelectorAll(".deadline[data-at]")) {
    if (!(el instanceof HTMLElement)) continue;
    const { text, level } = deadlineView(el.dataset.stage ?? "", Number(el.dataset.at));
    el.textContent = text;
    if (el.dataset.level !== level) {
      el.dataset.level = level;
      el.className = `deadline deadline-${level}`;
    }
  }
}
