// @ts-check
// The alarm detail's dispatch card: who the hub ranked and why, whom it asked
// (every offer, with its outcome), the clinic and why, and a loud warning when
// nobody is left to ask. Rebuilt from each AlarmDetail; the "dispatch to…"
// control (dispatch-control.js) is a separate, persistent part of the card.
//
// The hub's reasons (`reason`, `clinicReason`, `rankingNote`, the ranking's and
// offers' notes) are coded; reasons.js words them in the operator's language.

/** @import { AlarmDetail, AlarmStatus, DispatchDetail, OfferView, UnacceptedAlarmStatus } from "../protocol/console/index.ts" */

import { h, localTime, telLink } from "./dom.js";
import { t } from "./i18n.js";
import { distanceWords, reasonEl, reasonPlain } from "./reasons.js";

/** A worker as the card names one: from the ranking, an offer, or a search. @typedef {{ id: number, name?: string | null, code?: string | null }} WorkerRef */

/**
 * Alarm states in which a worker may still be asked (the hub's OFFERABLE_STATUSES, the
 * contract's UNACCEPTED_STATUSES): a copy, since the console cannot import protocol/ at run
 * time, typed so that the typecheck fails when the two disagree.
 * @type {{ readonly [S in AlarmStatus]: S extends UnacceptedAlarmStatus ? true : false }}
 */
const OFFERABLE = {
  unassigned: true,
  offered: true,
  accepted: false,
  on_scene: false,
  resolved: false,
  followed_up: false,
  cancelled: false,
};

/** @param {Pick<AlarmDetail, "kind" | "status" | "household">} a */
export function canDispatch(a) {
  // A service call is routed through its service request (re-assign on the service card), never offered.
  return a.kind !== "service" && OFFERABLE[a.status] && a.household !== null;
}

/**
 * @param {AlarmDetail} a
 * @returns {OfferView | null}
 */
export function openOffer(a) {
  return a.dispatch?.offers.find((o) => o.status === "offered") ?? null;
}

/**
 * True when the cascade ran out of workers and nothing was offered since: an operator must act.
 * @param {AlarmDetail} a
 */
export function isExhausted(a) {
  if (!OFFERABLE[a.status] || openOffer(a)) return false;
  const events = a.events ?? [];
  /** @param {string} type */
  const last = (type) => events.findLastIndex((e) => e.type === type);
  const exhausted = last("dispatch_exhausted");
  return exhausted !== -1 && exhausted > last("offer_sent");
}

/** @param {number | null | undefined} distanceM */
export function km(distanceM) {
  return distanceM === null || distanceM === undefined
    ? "—"
    : t("detail.distance", { km: (distanceM / 1000).toFixed(1) });
}

/**
 * `system` or `user:<name>` → who, for "sent by …".
 * @param {string | null | undefined} actor
 */
export function byWhom(actor) {
  if (!actor || actor === "system") return t("event.system");
  return actor.startsWith("user:") ? actor.slice(5) : actor;
}

/** @param {WorkerRef} worker */
function workerLabel(worker) {
  const code = worker.code ? ` (${worker.code})` : "";
  return h("span", { class: "wname", content: true }, `${worker.name ?? `#${worker.id}`}${code}`);
}

export function exhaustedAlert() {
  return h(
    "div",
    { class: "dispatch-exhausted", role: "alert" },
    h("strong", {}, t("dispatch.exhausted.title")),
    " ",
    h("span", {}, t("dispatch.exhausted.body")),
  );
}

/** @param {DispatchDetail} d */
function metricLine(d) {
  if (!d.metric) return null;
  const parts = [t(`dispatch.metric.${d.metric}`)];
  if (d.refinement === "pending") parts.push(t("dispatch.refinement.pending"));
  if (d.refinement === "failed") parts.push(t("dispatch.refinement.failed"));
  return h("p", { class: "muted metric" }, parts.join(" · "), d.rankingNote ? " · " : null, reasonEl(d.rankingNote));
}

/**
 * @param {AlarmDetail} a
 * @param {{ onPick: (worker: WorkerRef) => void }} handlers
 */
function rankingList(a, { onPick }) {
  const d = a.dispatch;
  if (!d.ranking.length) return h("p", { class: "muted" }, t("dispatch.ranking.none"));
  const open = openOffer(a);
  /** @param {number} workerId */
  const lastOfferFor = (workerId) => d.offers.findLast((o) => o.worker.id === workerId) ?? null;
  const offerable = canDispatch(a);
  return h(
    "ol",
    { class: "ranking" },
    d.ranking.map((r) => {
      const offer = lastOfferFor(r.workerId);
      const current = open?.worker.id === r.workerId || (a.worker?.id === r.workerId && !offerable);
      return h(
        "li",
        {
          class: `rank-row${current ? " rank-current" : ""}`,
          dataset: {
            workerId: String(r.workerId),
            rank: String(r.rank),
            busy: String(r.busy),
            current: String(current),
          },
        },
        h("span", { class: "rank-pos" }, `#${r.rank}`),
        workerLabel({ id: r.workerId, name: r.name, code: r.code }),
        h("span", { class: "dist" }, distanceWords(r)),
        h(
          "span",
          { class: `badge grid-flag${r.sameGrid ? " same-grid" : ""}` },
          t(r.sameGrid ? "dispatch.grid.same" : "dispatch.grid.other"),
        ),
        r.busy
          ? h(
              "span",
              { class: "badge busy" },
              r.busyWithAlarmId ? t("dispatch.busyOn", { id: r.busyWithAlarmId }) : t("dispatch.busy"),
            )
          : null,
        offer
          ? h("span", { class: `badge offer-state offer-${offer.status}` }, t(`dispatch.offer.${offer.status}`))
          : null,
        offerable && !current
          ? h(
              "button",
              {
                type: "button",
                class: "btn btn-small pick",
                onclick: () => onPick({ id: r.workerId, name: r.name, code: r.code }),
              },
              t("dispatch.pick"),
            )
          : null,
        h("span", { class: "reason", title: reasonPlain(r.reason) }, t(`dispatch.reasonCode.${r.reasonCode}`)),
      );
    }),
  );
}

/** @param {AlarmDetail} a */
function chosenLine(a) {
  const d = a.dispatch;
  const latest = d.offers.at(-1) ?? null;
  if (!a.worker && !latest) {
    const key = a.kind === "sos" ? "dispatch.chosen.none" : "dispatch.chosen.suggestionOnly";
    return h(
      "div",
      { class: "chosen" },
      h("p", { class: "muted" }, t(key)),
      d.reason ? h("p", {}, reasonEl(d.reason)) : null,
    );
  }
  const worker = a.worker ?? latest?.worker;
  const how =
    latest && latest.offeredBy !== "system"
      ? t("dispatch.chosen.byHand", { who: byWhom(latest.offeredBy) })
      : latest
        ? t("dispatch.chosen.byRank", { n: latest.rank })
        : "";
  return h(
    "div",
    { class: "chosen" },
    h(
      "p",
      {},
      h("span", { class: "role" }, t("dispatch.chosen.label")),
      " ",
      worker ? workerLabel(worker) : t("detail.none"),
      a.worker ? [" ", h("span", { class: "dist" }, km(a.worker.distanceM)), " ", telLink(a.worker.phone)] : null,
      how ? h("span", { class: "muted" }, ` · ${how}`) : null,
    ),
    d.reason
      ? h("p", { class: "why" }, h("span", { class: "role" }, t("dispatch.why")), " ", reasonEl(d.reason))
      : null,
  );
}

/** @param {DispatchDetail} d */
function progressLine(d) {
  /** @type {[string, string | null][]} */
  const all = [
    ["dispatch.at.offered", d.offeredAt],
    ["dispatch.at.accepted", d.acceptedAt],
    ["dispatch.at.onScene", d.onSceneAt],
  ];
  const steps = all.filter(([, at]) => at);
  if (!steps.length) return null;
  return h("p", { class: "progress" }, steps.map(([key, at]) => t(key, { time: localTime(at) })).join(" · "));
}

/** @param {AlarmDetail} a */
function offerSteps(a) {
  const offers = a.dispatch.offers;
  if (!offers.length) return h("p", { class: "muted" }, t("dispatch.offers.none"));
  return h(
    "ol",
    { class: "offer-steps" },
    offers.map((o) =>
      h(
        "li",
        {
          class: `offer offer-${o.status}`,
          dataset: { status: o.status, workerId: String(o.worker.id), offerId: String(o.id) },
        },
        h("span", { class: `badge offer-state offer-${o.status}` }, t(`dispatch.offer.${o.status}`)),
        workerLabel(o.worker),
        h(
          "span",
          { class: "muted" },
          o.rank > 0 ? t("dispatch.offer.rank", { n: o.rank }) : t("dispatch.offer.unranked"),
        ),
        h(
          "span",
          { class: "when" },
          t("dispatch.offer.sent", { time: localTime(o.offeredAt), who: byWhom(o.offeredBy) }),
        ),
        o.status === "offered"
          ? h("span", { class: "when deadline" }, t("dispatch.offer.expires", { time: localTime(o.expiresAt) }))
          : o.respondedAt
            ? h("span", { class: "when" }, t(`dispatch.offer.at.${o.status}`, { time: localTime(o.respondedAt) }))
            : null,
        o.note ? reasonEl(o.note, "reason-text note") : null,
      ),
    ),
  );
}

/** @param {AlarmDetail} a */
function clinicBlock(a) {
  const c = a.clinic;
  return h(
    "div",
    { class: "clinic" },
    h(
      "p",
      {},
      c
        ? [
            h("span", { class: "name", content: true }, c.name),
            " ",
            h("span", { class: "dist" }, km(c.distanceM)),
            " ",
            telLink(c.phone),
          ]
        : h("span", { class: "muted" }, t("detail.none")),
    ),
    a.dispatch.clinicReason
      ? h(
          "p",
          { class: "why" },
          h("span", { class: "role" }, t("dispatch.why")),
          " ",
          reasonEl(a.dispatch.clinicReason),
        )
      : null,
  );
}

/**
 * Everything in the card except the persistent "dispatch to…" control.
 * @param {AlarmDetail} a
 * @param {{ onPick: (worker: WorkerRef) => void }} handlers
 * @returns {(HTMLElement | null)[]}
 */
export function dispatchInfo(a, { onPick }) {
  if (!a.dispatch) return [h("p", { class: "muted" }, t("detail.none"))];
  return [
    isExhausted(a) ? exhaustedAlert() : null,
    chosenLine(a),
    progressLine(a.dispatch),
    h("h4", {}, t("dispatch.ranking.title")),
    metricLine(a.dispatch),
    rankingList(a, { onPick }),
    h("h4", {}, t("dispatch.offers.title")),
    offerSteps(a),
    h("h4", {}, t("dispatch.clinic.title")),
    clinicBlock(a),
  ];
}
