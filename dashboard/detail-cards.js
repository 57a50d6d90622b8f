// @ts-check
// The alarm detail panel's read-only cards, each built afresh from one AlarmDetail
// (detail.js decides when to render them and owns the acknowledge / resolve actions;
// the dispatch card lives in dispatch-card.js).

/** @import { AlarmDetail } from "../protocol/console/index.ts" */
/** @import { Child } from "./dom.js" */
/** @import { TimelineEvent } from "./event-summary.js" */

import { h, localTime, telLink } from "./dom.js";
import { eventSummary, purposeText } from "./event-summary.js";
import { t, tMaybe } from "./i18n.js";
import { unplacedOrLocating } from "./queue-row.js";
import { codeText, content, foreignText, tNodes } from "./reasons.js";
import { healthBlock } from "./resident-health.js";

/**
 * @param {string} titleKey
 * @param {...Child} children
 */
function section(titleKey, ...children) {
  return h("section", { class: "card" }, h("h3", {}, t(titleKey)), ...children);
}

/** @param {AlarmDetail} a */
export function statusLine(a) {
  /** @type {HTMLParagraphElement[]} */
  const lines = [];
  if (a.acknowledgedAt)
    lines.push(h("p", {}, t("detail.ackedBy", { who: a.acknowledgedBy ?? "?", time: localTime(a.acknowledgedAt) })));
  if (a.resolvedAt) {
    const outcome = a.outcome ? ` · ${t(`outcome.${a.outcome}`)}` : "";
    lines.push(
      h("p", {}, t("detail.resolvedBy", { who: a.resolvedBy ?? "?", time: localTime(a.resolvedAt) }) + outcome),
    );
  }
  // A failed pipeline stage means part of the automatic help (SMS, dispatch…) may be missing.
  if (a.stageError)
    lines.push(h("p", { class: "stage-error" }, `${t("detail.stageError")}: `, foreignText(a.stageError)));
  return h("div", { class: "status-line" }, lines);
}

/**
 * Where the alarm came from: the button, or the number that called.
 * @param {AlarmDetail} a
 */
function origin(a) {
  return a.source === "voice"
    ? field("detail.caller", a.caller ?? t("caller.withheld"))
    : field("detail.device", a.deviceId);
}

/**
 * @param {string} labelKey
 * @param {string | null} value
 * @param {boolean} [isContent]
 * @param {boolean} [wide]
 */
function field(labelKey, value, isContent = true, wide = false) {
  return [h("dt", {}, t(labelKey)), h("dd", { content: isContent, class: wide ? "wide" : null }, value ?? "—")];
}

/**
 * An initials avatar where a photo would go: the hub keeps no photos, and a face-sized
 * mark still helps an operator keep two open alarms apart. CJK names show the given
 * name (the last two characters), others the first and last initials.
 * @param {string | null | undefined} name
 */
export function avatar(name) {
  const clean = (name ?? "").trim();
  const words = clean.split(/\s+/).filter(Boolean);
  const cjk = /[\u3400-\u9fff]/.test(clean);
  const letters = cjk
    ? [...clean.replace(/\s+/g, "")].slice(-2).join("")
    : words.length > 1
      ? `${words[0]?.[0] ?? ""}${words.at(-1)?.[0] ?? ""}`
      : clean.slice(0, 2);
  let hash = 0;
  for (const ch of clean) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return h(
    "div",
    {
      class: "avatar",
      role: "img",
      "aria-label": t("resident.photo"),
      title: t("resident.photo"),
      style: { "--hue": hash },
    },
    h("span", { content: true }, letters.toUpperCase() || "?"),
  );
}

/** @param {AlarmDetail} a */
export function residentCard(a) {
  if (!a.resident || !a.household) {
    return section("detail.resident", h("p", {}, unplacedOrLocating(a)), h("dl", { class: "facts" }, origin(a)));
  }
  // Health data and the key holder come from their own, audited request, once per opened
  // alarm (resident-health.js), not from the detail that every push re-reads.
  return h(
    "section",
    { class: "card resident-card" },
    h("h3", {}, t("detail.resident")),
    h(
      "div",
      { class: "resident-top" },
      avatar(a.resident.name),
      h(
        "dl",
        { class: "facts" },
        field("detail.name", a.resident.name),
        field("detail.age", t("age.years", { n: a.resident.age }), false),
        field("detail.sex", t(`sex.${a.resident.sex}`), false),
        field("detail.household", a.household.code),
        field("detail.address", a.household.address, true, true),
        a.household.gridName ? field("detail.grid", a.household.gridName) : field("detail.grid", t("noGrid"), false),
        origin(a),
      ),
    ),
    healthBlock(a.id),
  );
}

/** @param {AlarmDetail} a */
export function relativesCard(a) {
  if (!a.relatives?.length) return section("detail.relatives", h("p", { class: "muted" }, t("detail.relatives.none")));
  const rows = [...a.relatives].sort((x, y) => x.priority - y.priority);
  return section(
    "detail.relatives",
    h(
      "ul",
      { class: "people" },
      rows.map((r) =>
        h(
          "li",
          {},
          h("span", { class: "prio" }, t("detail.priority", { n: r.priority })),
          h("span", { class: "name", content: true }, r.name),
          h("span", { class: "relation", content: true }, r.relation),
          telLink(r.phone),
        ),
      ),
    ),
  );
}

/** @param {AlarmDetail} a */
export function smsCard(a) {
  if (!a.sms?.length) return section("detail.sms", h("p", { class: "muted" }, t("detail.sms.none")));
  return section(
    "detail.sms",
    h(
      "ul",
      { class: "sms" },
      a.sms.map((m) =>
        h(
          "li",
          { class: `sms-${m.status}` },
          h("span", { class: `badge sms-state sms-state-${m.status}` }, t(`sms.${m.status}`)),
          h("span", { class: "to", content: true }, m.to),
          h("span", { class: "purpose" }, purposeText(m.purpose)),
          h("span", { class: "muted" }, t("detail.sms.attempts", { n: m.attempts })),
          m.lastError ? h("span", { class: "sms-error", content: true }, m.lastError) : null,
        ),
      ),
    ),
  );
}

/** @param {AlarmDetail} a */
export function timelineCard(a) {
  const events = [...(a.events ?? [])].sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
  return section(
    "detail.timeline",
    h(
      "ol",
      { class: "timeline" },
      events.map((e) =>
        h(
          "li",
          { class: `ev ev-${e.type}` },
          h("time", { datetime: e.at }, localTime(e.at)),
          tMaybe(`event.${e.type}`) !== null
            ? h("span", { class: "ev-type" }, t(`event.${e.type}`))
            : h("span", { class: "ev-type" }, codeText(e.type)),
          actorEl(e.actor),
          detailEl(e),
        ),
      ),
    ),
  );
}

/**
 * The hub writes actors as "system", "device:<id>", "user:<username>", "caller:<E.164|withheld>" or "phone:<E.164>".
 * @param {string} actor
 */
function actorEl(actor) {
  if (!actor || actor === "system") return h("span", { class: "actor" }, t("event.system"));
  const [kind, ...rest] = actor.split(":");
  const who = rest.join(":");
  if (kind === "user" && who) return h("span", { class: "actor", content: true }, who);
  if (kind === "device" && who) return h("span", { class: "actor" }, tNodes("event.device", { id: content(who) }));
  if (kind === "caller") {
    const text = who === "withheld" ? t("event.callerWithheld") : t("event.caller", { number: who });
    return h("span", { class: "actor", content: true }, text);
  }
  if (kind === "phone" && who) return h("span", { class: "actor", content: true }, t("event.phone", { number: who }));
  return h("span", { class: "actor", content: true }, actor);
}

/**
 * The event's translated summary (see event-summary.js).
 * @param {TimelineEvent} e
 */
function detailEl(e) {
  const summary = eventSummary(e);
  return summary.length ? h("span", { class: "ev-detail" }, summary) : null;
}
