// @ts-check
// Alarm detail panel: resident and map side by side, relatives, dispatch, SMS,
// timeline, and the acknowledge / resolve bar at the bottom (index.html, never
// rebuilt; resolving asks for the outcome in the resolve dialog, as the r key does).
// The dispatch card is kept across live refreshes (its "dispatch to…" search); notes
// and the follow-up visit live in detail-actions.js, kept likewise, so text being
// typed survives them.

/** @import { AlarmDetail, AlarmSummary } from "../protocol/console/index.ts" */

import { api } from "./api.js";
import { callsCard } from "./calls-card.js";
import { createDetailActions } from "./detail-actions.js";
import { relativesCard, residentCard, smsCard, statusLine, timelineCard } from "./detail-cards.js";
import { dispatchInfo, isExhausted } from "./dispatch-card.js";
import { createDispatchControl } from "./dispatch-control.js";
import { ackBadge, byId, h, kindBadge, statusBadge } from "./dom.js";
import { asApiError } from "./http.js";
import { t, tMaybe } from "./i18n.js";
import { detailMap } from "./map-detail.js";
import { createPlaceCard } from "./place-card.js";
import * as queue from "./queue.js";
import { resolveDialog } from "./resolve-dialog.js";
import { serviceCard } from "./service-card.js";

/**
 * The alarm's map card (map-detail.js, kept across renders): its type, declared here until
 * that module is typechecked itself.
 * @type {(alarm: AlarmDetail) => HTMLElement}
 */
const mapCard = detailMap;

/**
 * The parts of the panel built once (initDetail) and kept across renders: the dispatch card
 * and its "dispatch to…" control, notes and the follow-up visit (detail-actions.js), and the
 * card that places an unlocated alarm by hand (place-card.js). See render().
 * @typedef {{
 *   dispatchControl: ReturnType<typeof createDispatchControl>,
 *   dispatchCardEl: HTMLElement,
 *   dispatchTitle: HTMLElement,
 *   dispatchInfoEl: HTMLElement,
 *   actions: ReturnType<typeof createDetailActions>,
 *   placeCard: ReturnType<typeof createPlaceCard>,
 * }} KeptParts
 */

/** @type {number | null} */
let currentId = null;
/** @type {AlarmDetail | null} */
let current = null; // last AlarmDetail shown
/** @type {number | undefined} */
let refreshTimer;
let loadSeq = 0; // drops responses to requests that a newer one has superseded
/** @type {KeptParts | null} */
let built = null;

/** The kept parts; the panel is used only after initDetail (app.js's boot). */
function parts() {
  if (!built) throw new Error("detail.js: initDetail() has not run");
  return built;
}

/** An action changed an alarm: the queue shows its answer, the panel re-reads it if open. @param {AlarmSummary} summary */
function changed(summary) {
  queue.upsert(summary);
  if (summary.id === currentId) load();
}

export function initDetail() {
  const dispatchControl = createDispatchControl({ onDispatched: changed });
  const dispatchInfoEl = h("div", { class: "dispatch-info" });
  const dispatchTitle = h("h3", {}, "");
  const dispatchCardEl = h(
    "section",
    { class: "card dispatch-card", id: "dispatch-card" },
    dispatchTitle,
    dispatchInfoEl,
    dispatchControl.el,
  );
  const actions = createDetailActions({ onChanged: changed });
  const placeCard = createPlaceCard({ onPlaced: changed });
  built = { dispatchControl, dispatchCardEl, dispatchTitle, dispatchInfoEl, actions, placeCard };
  // Beside the acknowledge/resolve buttons: a note can be added whatever the alarm's state.
  byId("detail-actions").after(actions.noteForm);
  byId("detail-close").addEventListener("click", closeDetail);
  byId("btn-ack").addEventListener("click", () => acknowledge(currentId));
  byId("btn-resolve").addEventListener("click", () => resolve(currentId));
}

export function currentDetailId() {
  return currentId;
}

/** @param {number} id */
export async function openDetail(id) {
  if (id !== currentId) {
    const { dispatchControl, actions, placeCard } = parts();
    current = null;
    dispatchControl.setAlarm(null);
    actions.setAlarm(null);
    placeCard.setAlarm(null);
    byId("detail-body").replaceChildren(h("p", { class: "muted" }, t("detail.loading")));
  }
  currentId = id;
  document.body.classList.add("with-detail");
  byId("detail").hidden = false;
  showError(null);
  await load();
}

export function closeDetail() {
  currentId = null;
  current = null;
  built?.dispatchControl.setAlarm(null);
  built?.actions.setAlarm(null);
  document.body.classList.remove("with-detail");
  byId("detail").hidden = true;
}

/**
 * A push touched `id`: refetch (debounced, since one press produces a burst of events).
 * @param {number} id
 */
export function alarmChanged(id) {
  if (id !== currentId) return;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(load, 250);
}

async function load() {
  const id = currentId;
  // The debounced refresh of a panel closed meanwhile: nothing to read.
  if (id === null) return;
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

/**
 * Acknowledge alarm `id` (from the button or the `a` shortcut).
 * @param {number | null} id
 */
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

/**
 * Resolve alarm `id` (the button, or the `r` shortcut): the dialog asks for the outcome and a note,
 * and shows its own errors; nothing changes when the operator cancels it.
 * @param {number | null} id
 */
export async function resolve(id) {
  if (id === null) return;
  const alarm = await resolveDialog(id);
  if (alarm) changed(alarm);
}

/**
 * Says why the last action or read failed; null clears it.
 * @param {unknown} failure
 */
export function showError(failure) {
  const box = byId("detail-error");
  if (!failure) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const err = asApiError(failure);
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
  // Hidden rather than disabled once acknowledged: the status line already says who did it.
  byId("btn-ack").hidden = !current || !queue.isUnacknowledged(current);
  // Nothing is left to do on a resolved alarm: drop the buttons instead of greying them out.
  byId("detail-actions").hidden = !current || queue.isClosed(current);
}

/** Re-render after a language switch. */
export function rerender() {
  if (current) render();
}

function render() {
  const a = current;
  if (!a) return;
  const { dispatchControl, dispatchCardEl, dispatchTitle, dispatchInfoEl, actions, placeCard } = parts();
  // The acknowledgement and the response are two facts, so two badges; and what the resident's
  // button shows now, so an operator on the phone knows what the resident is looking at.
  const ack = queue.isClosed(a) ? [] : [ackBadge(Boolean(a.acknowledgedAt)), " "];
  const button = t("button.shows", { state: t(`button.${a.buttonState}`) });
  byId("detail-title").replaceChildren(
    kindBadge(a.kind),
    " ",
    `#${a.id}`,
    " ",
    ...ack,
    statusBadge(a.status),
    " ",
    h("span", { class: "button-state", dataset: { state: a.buttonState } }, button),
  );
  dispatchTitle.textContent = t("dispatch.title");
  dispatchCardEl.classList.toggle("exhausted", isExhausted(a));
  dispatchInfoEl.replaceChildren(
    ...dispatchInfo(a, { onPick: (worker) => dispatchControl.ask(worker) }).filter((el) => el !== null),
  );
  dispatchControl.setAlarm(a);
  actions.setAlarm(a);
  placeCard.setAlarm(a);
  // Every card but the dispatch and follow-up cards is rebuilt. Those are never detached,
  // since detaching would drop the focus and the text of their fields.
  const body = byId("detail-body");
  const followUp = actions.followUpCard(); // resolved alarms: the visit is the work left, so it goes on top
  /** @type {(Element | null)[]} */
  const kept = [dispatchCardEl, followUp, placeCard.el];
  for (const child of [...body.children]) if (!kept.includes(child)) child.remove();
  if (followUp && body.firstElementChild !== followUp) body.prepend(followUp);
  // An alarm nobody can be sent to until it is placed: placing it is the work, so it goes on top.
  if (placeCard.wanted(a)) {
    if (body.firstElementChild !== placeCard.el) body.prepend(placeCard.el);
  } else placeCard.el.remove();
  if (!dispatchCardEl.isConnected) body.append(dispatchCardEl);
  // With nobody left to ask, the dispatch card (and its warning) moves to the top.
  const resident = residentCard(a);
  if (isExhausted(a)) {
    dispatchCardEl.before(statusLine(a));
    dispatchCardEl.after(resident, relativesCard(a), smsCard(a), timelineCard(a));
  } else {
    dispatchCardEl.before(statusLine(a), resident, relativesCard(a));
    dispatchCardEl.after(smsCard(a), timelineCard(a));
  }
  dispatchCardEl.before(...serviceCard(a, { reload: load, showError }));
  // Calling back sits right under who the resident and the relatives are; with nobody left to ask,
  // under the dispatch card, which then comes first.
  const calls = callsCard(a, { reload: load, showError });
  if (calls && isExhausted(a)) dispatchCardEl.after(calls);
  else if (calls) dispatchCardEl.before(calls);
  // Beside the resident card (detail.css): who and where are on screen together without scrolling.
  resident.after(mapCard(a)); // kept across renders, like the dispatch card
  syncButtons();
}
