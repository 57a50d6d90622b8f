// Alarm detail panel: resident, relatives, dispatch suggestion, SMS, timeline,
// and the acknowledge / resolve actions. The action form lives in index.html and
// is never rebuilt, so a note being typed survives live refreshes of the panel.

import { api } from "./api.js";
import { h, kindBadge, km, localTime, statusBadge, telLink } from "./dom.js";
import { t, tMaybe } from "./i18n.js";
import * as queue from "./queue.js";

const $ = (id) => document.getElementById(id);
let currentId = null;
let current = null; // last AlarmDetail shown
let refreshTimer = null;
let loadSeq = 0; // drops responses to requests that a newer one has superseded

export function initDetail() {
  $("detail-close").addEventListener("click", closeDetail);
  $("btn-ack").addEventListener("click", () => acknowledge(currentId));
  $("outcome").addEventListener("change", syncButtons);
  $("detail-actions").addEventListener("submit", (ev) => {
    ev.preventDefault();
    resolve();
  });
}

export function currentDetailId() {
  return currentId;
}

export async function openDetail(id) {
  if (id !== currentId) {
    $("detail-actions").reset();
    current = null;
    $("detail-body").replaceChildren(h("p", { class: "muted" }, t("detail.loading")));
  }
  currentId = id;
  document.body.classList.add("with-detail");
  $("detail").hidden = false;
  showError(null);
  await load();
}

export function closeDetail() {
  currentId = null;
  current = null;
  document.body.classList.remove("with-detail");
  $("detail").hidden = true;
}

/** A push touched `id`: refetch (debounced, since one press produces a burst of events). */
export function alarmChanged(id) {
  if (id !== currentId) return;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(load, 250);
}

async function load() {
  const id = currentId;
  const seq = ++loadSeq;
  try {
    const { alarm } = await api.alarm(id);
    if (seq !== loadSeq || id !== currentId) return;
    current = alarm;
    render();
  } catch (err) {
    if (seq === loadSeq) showError(err);
  }
}

/** Acknowledge alarm `id` (from the button or the `a` shortcut). */
export async function acknowledge(id) {
  if (id === null) return;
  try {
    const { alarm } = await api.acknowledge(id);
    queue.upsert(alarm);
    if (id === currentId) await load();
  } catch (err) {
    // The shortcut can fire with the panel closed; the error must still be seen.
    if (id !== currentId) await openDetail(id);
    showError(err);
  }
}

async function resolve() {
  const id = currentId;
  const outcome = $("outcome").value;
  if (id === null || !outcome) return;
  $("btn-resolve").disabled = true;
  try {
    const { alarm } = await api.resolve(id, outcome, $("note").value.trim());
    queue.upsert(alarm);
    $("detail-actions").reset();
    await load();
  } catch (err) {
    showError(err);
  } finally {
    syncButtons();
  }
}

export function showError(err) {
  const box = $("detail-error");
  if (!err) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const text =
    (err.code === "NETWORK" && t("error.network")) || tMaybe(`error.${err.code}`) || err.message || t("error.generic");
  box.replaceChildren(
    h("strong", {}, `${t("error.generic")}: `),
    h("span", {}, text),
    // The raw code helps when an operator phones support about it.
    h("code", { class: "err-code" }, ` [${err.code}${err.status ? ` · ${err.status}` : ""}]`),
  );
  box.hidden = false;
}

function syncButtons() {
  const status = current?.status;
  // Hidden rather than disabled once acknowledged: the status line already says who did it,
  // and the freed space keeps the timeline visible at 768px.
  $("btn-ack").hidden = status !== "received";
  $("btn-resolve").disabled = !current || status === "resolved" || !$("outcome").value;
  // Nothing is left to do on a resolved alarm: drop the form instead of greying it out.
  $("detail-actions").hidden = status === "resolved";
}

/** Re-render after a language switch. */
export function rerender() {
  if (current) render();
}

function render() {
  const a = current;
  $("detail-title").replaceChildren(kindBadge(a.kind), " ", `#${a.id}`, " ", statusBadge(a.status));
  $("detail-body").replaceChildren(
    statusLine(a),
    residentCard(a),
    relativesCard(a),
    dispatchCard(a),
    smsCard(a),
    timelineCard(a),
  );
  syncButtons();
}

function section(titleKey, ...children) {
  return h("section", { class: "card" }, h("h3", {}, t(titleKey)), ...children);
}

function statusLine(a) {
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
    lines.push(
      h("p", { class: "stage-error" }, `${t("detail.stageError")}: `, h("span", { content: true }, a.stageError)),
    );
  return h("div", { class: "status-line" }, lines);
}

function field(labelKey, value, isContent = true, wide = false) {
  return [h("dt", {}, t(labelKey)), h("dd", { content: isContent, class: wide ? "wide" : null }, value ?? "—")];
}

function residentCard(a) {
  if (!a.resident || !a.household) {
    return section(
      "detail.resident",
      h("p", { class: "locating" }, t("locating")),
      h("dl", { class: "facts" }, field("detail.device", a.deviceId)),
    );
  }
  return section(
    "detail.resident",
    h(
      "dl",
      { class: "facts" },
      field("detail.name", a.resident.name),
      field("detail.age", t("age.years", { n: a.resident.age }), false),
      field("detail.sex", t(`sex.${a.resident.sex}`), false),
      field("detail.household", a.household.code),
      field("detail.address", a.household.address, true, true),
      a.household.gridName ? field("detail.grid", a.household.gridName) : field("detail.grid", t("noGrid"), false),
      field("detail.device", a.deviceId),
    ),
  );
}

function relativesCard(a) {
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

function dispatchCard(a) {
  const person = (labelKey, p) =>
    h(
      "li",
      {},
      h("span", { class: "role" }, t(labelKey)),
      p
        ? [
            h("span", { class: "name", content: true }, p.name),
            h("span", { class: "dist" }, km(p.distanceM)),
            telLink(p.phone),
          ]
        : h("span", { class: "muted" }, t("detail.none")),
    );
  return section(
    "detail.dispatch",
    h("ul", { class: "people" }, person("detail.worker", a.worker), person("detail.clinic", a.clinic)),
  );
}

function smsCard(a) {
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
          h("span", { class: "purpose" }, purposeLabel(m.purpose)),
          h("span", { class: "muted" }, t("detail.sms.attempts", { n: m.attempts })),
          m.lastError ? h("span", { class: "sms-error", content: true }, m.lastError) : null,
        ),
      ),
    ),
  );
}

function timelineCard(a) {
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
          h("span", { class: "ev-type" }, tMaybe(`event.${e.type}`) ?? e.type),
          actorEl(e.actor),
          e.detail ? h("span", { class: "ev-detail", content: true }, summarize(e.detail)) : null,
        ),
      ),
    ),
  );
}

/** The hub writes actors as "system", "device:<id>" or "user:<username>". */
function actorEl(actor) {
  if (!actor || actor === "system") return h("span", { class: "actor" }, t("event.system"));
  const [kind, ...rest] = actor.split(":");
  const who = rest.join(":");
  if (kind === "user" && who) return h("span", { class: "actor", content: true }, who);
  if (kind === "device" && who) return h("span", { class: "actor" }, t("event.device", { id: who }));
  return h("span", { class: "actor", content: true }, actor);
}

/** SMS purposes are "worker" or "relative:<priority>". */
function purposeLabel(purpose) {
  const [kind, n] = String(purpose).split(":");
  if (kind === "relative") return t("sms.purpose.relative", { n: n ?? "?" });
  return tMaybe(`sms.purpose.${kind}`) ?? purpose;
}

/** One line from an event's free-form detail object: scalar fields only, as key=value. */
function summarize(detail) {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && typeof v !== "object")
    .map(([k, v]) => (k === "outcome" ? t(`outcome.${v}`) : `${k}=${v}`))
    .join(" · ");
}
