// @ts-check
// Renders the current assignment (an open offer, or the alarm the worker accepted)
// into the card, and keeps the offer countdown ticking. Built with the DOM API only:
// names, addresses and notes come from the registry and must never become markup.
// Registry text is marked data-content so language checks can tell it from UI text.

/** @import { Assignment, ResidentHealth } from "../../protocol/console/index.ts" */

import { centerZone } from "../center-time.js";
import { serverNow } from "../clock.js";
import { h, telLink } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { navLinks } from "./nav-links.js";

/**
 * The resident as the card shows them: the assignment's, with the health data once the
 * page has fetched it (app.js, one audited fetch per alarm).
 * @typedef {NonNullable<Assignment["resident"]> & { health?: ResidentHealth }} ShownResident
 */
/** The assignment as the card shows it. @typedef {Omit<Assignment, "resident"> & { resident: ShownResident | null }} ShownAssignment */

/** Below this many seconds the countdown turns red. */
const URGENT_S = 30;

/** @param {string} expiresAt */
export function secondsLeft(expiresAt) {
  return Math.max(0, Math.ceil((Date.parse(expiresAt) - serverNow()) / 1000));
}

/** @param {number} secs */
function mmss(secs) {
  return `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, "0")}`;
}

/** @param {string} iso */
function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return new Intl.DateTimeFormat(getLang(), {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: centerZone(),
  }).format(d);
}

/**
 * Updates every countdown in `root`; returns true when an offer has just run out.
 * @param {ParentNode} root
 */
export function tickCountdown(root) {
  let expired = false;
  for (const el of root.querySelectorAll(".countdown[data-expires]")) {
    if (!(el instanceof HTMLElement)) continue;
    const left = secondsLeft(el.dataset.expires ?? "");
    el.dataset.urgent = String(left <= URGENT_S);
    el.dataset.expired = String(left === 0);
    el.textContent = left > 0 ? t("offer.countdown", { time: mmss(left) }) : t("offer.expired");
    if (left === 0) expired = true;
  }
  return expired;
}

/**
 * @param {string} labelKey
 * @param {string | null | undefined} value registry text; no row without it
 * @param {{ cls?: string, warn?: boolean }} [options] warn: shown as a warning (allergies)
 */
function field(labelKey, value, { cls, warn } = {}) {
  if (!value) return null;
  return h(
    "div",
    { class: `field ${cls ?? ""}`, dataset: warn ? { warn: "true" } : undefined },
    h("dt", {}, t(labelKey)),
    h("dd", { content: true }, value),
  );
}

/** @param {Assignment["alarm"]} alarm */
function navigation(alarm) {
  const links = navLinks({
    lat: alarm.lat,
    lng: alarm.lng,
    householdCode: alarm.householdCode,
    address: alarm.address,
    geoUri: alarm.geoUri,
    osmUrl: alarm.mapUrl,
  });
  return links ?? h("p", { class: "muted" }, t("where.noMap"));
}

/** @param {ShownResident} resident */
function healthSection(resident) {
  const box = h("section", { class: "health", "aria-labelledby": "health-heading" });
  box.append(h("h3", { id: "health-heading" }, t("health.heading")));
  if (!resident.health) {
    // Assigned: the page is fetching it (one audited view). Offered: not yours to see yet.
    const loading = Boolean(resident.healthUrl);
    box.append(
      h(
        "p",
        { class: loading ? "muted loading" : "muted withheld" },
        t(loading ? "health.loading" : "health.withheld"),
      ),
    );
    return box;
  }
  const { conditions, medications, allergies, mobility } = resident.health;
  const rows = [
    field("health.conditions", conditions),
    field("health.medications", medications),
    field("health.allergies", allergies, { warn: true }),
    field("health.mobility", mobility),
  ].filter(Boolean);
  box.append(rows.length ? h("dl", { class: "fields" }, rows) : h("p", { class: "muted" }, t("health.none")));
  return box;
}

/**
 * Replaces the card's content with `assignment` (never null here).
 * @param {HTMLElement} card
 * @param {ShownAssignment} assignment
 */
export function renderCard(card, assignment) {
  const { state, offer, alarm, resident } = assignment;
  card.dataset.alarmId = String(alarm.id);
  card.dataset.kind = alarm.kind;
  if (offer) card.dataset.offerId = String(offer.id);
  else delete card.dataset.offerId;

  const head = h(
    "header",
    { class: "card-head" },
    h("span", { class: `badge state state-${state}` }, t(`state.${state}`)),
    h("span", { class: `badge kind kind-${alarm.kind}` }, t(`kind.${alarm.kind}`)),
    h("span", { class: "alarm-no" }, t("card.alarmNo", { id: alarm.id, time: clock(alarm.receivedAt) })),
  );
  const parts = [head];
  if (offer) {
    parts.push(h("p", { class: "countdown", dataset: { expires: offer.expiresAt }, role: "timer" }));
    if (offer.distanceM !== null) {
      parts.push(h("p", { class: "distance" }, t("offer.distance", { km: (offer.distanceM / 1000).toFixed(1) })));
    }
  }
  if (resident) {
    parts.push(
      h(
        "section",
        { class: "resident" },
        h("h2", { class: "res-name", content: true }, resident.name),
        h(
          "p",
          { class: "res-facts" },
          t("resident.facts", { age: resident.age, sex: t(`sex.${resident.sex}`) }),
          resident.phone ? " · " : "",
          resident.phone ? telLink(resident.phone) : "",
        ),
      ),
    );
  } else {
    parts.push(h("p", { class: "muted" }, t("resident.unknown")));
  }
  parts.push(
    h(
      "section",
      { class: "where" },
      h("p", { class: "address", content: true }, alarm.address || t("where.unknown")),
      alarm.householdCode
        ? h("p", { class: "muted household" }, t("where.household", { code: alarm.householdCode }))
        : "",
      navigation(alarm),
    ),
  );
  const access = [field("access.keyHolder", alarm.keyHolder), field("access.notes", alarm.accessNotes)].filter(Boolean);
  parts.push(
    h(
      "section",
      { class: "access" },
      h("h3", {}, t("access.heading")),
      access.length ? h("dl", { class: "fields" }, access) : h("p", { class: "muted" }, t("access.none")),
    ),
  );
  if (resident) parts.push(healthSection(resident));

  card.replaceChildren(...parts);
  tickCountdown(card);
}
