// @ts-check
// The worker's buttons: accept or decline an offer, report arrival, close the alarm.
// Each press disables every action button until the hub answers (a double tap must
// not send twice), then says what happened and asks the hub for the new state.

/** @import { AlarmOutcome } from "../../protocol/console/index.ts" */
/** @import { ShownAssignment } from "./assignment.js" */

import { byId } from "../dom.js";
import { ApiError } from "../http.js";
import { t, tMaybe } from "../i18n.js";
import { api } from "./api.js";
import { hideFeedback, showFeedback } from "./feedback.js";

/**
 * What the buttons need from the page: the assignment on screen, a fresh poll, and
 * word that an offer was answered here (sms-link.js forgets it).
 * @typedef {{
 *   current: () => ShownAssignment | null,
 *   refresh: () => Promise<void>,
 *   answered: (offerId: number) => void,
 * }} ActionContext
 */

const $ = byId;
/** Set by initActions, which also attaches every handler that reads it. @type {ActionContext} */
let ctx;
/** Offers and alarms this page itself answered: their disappearance is expected, not news. @type {Set<string>} */
const answered = new Set();

/**
 * The hub's refusal in the worker's language when known, else its own words; the code always.
 * @param {unknown} err
 */
export function describe(err) {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.code === "NETWORK") return t("error.network");
  return `${tMaybe(`error.${err.code}`) ?? err.message} [${err.code}]`;
}

/** @param {boolean} busy */
function setBusy(busy) {
  for (const b of document.querySelectorAll("[data-action]")) if (b instanceof HTMLButtonElement) b.disabled = busy;
  document.body.dataset.busy = String(busy);
}

/**
 * @param {() => Promise<unknown>} work
 * @param {string} okKey
 */
async function run(work, okKey) {
  setBusy(true);
  hideFeedback();
  try {
    await work();
    showFeedback("ok", () => t(okKey));
  } catch (err) {
    showFeedback("error", () => describe(err));
  } finally {
    setBusy(false);
    await ctx.refresh();
  }
}

function accept() {
  const offer = ctx.current()?.offer;
  if (!offer) return;
  return run(async () => {
    await api.accept(offer.id);
    answered.add(`offer:${offer.id}`);
    ctx.answered(offer.id);
  }, "feedback.accepted");
}

function startDecline() {
  $("decline-form").hidden = false;
  $("offer-actions").hidden = true;
  $("action-bar").hidden = true;
  $("decline-reason", HTMLTextAreaElement).focus();
}

function cancelDecline() {
  $("decline-form").hidden = true;
  ctx.refresh();
}

/** @param {SubmitEvent} ev */
function decline(ev) {
  ev.preventDefault();
  const offer = ctx.current()?.offer;
  if (!offer) return;
  const reason = $("decline-reason", HTMLTextAreaElement).value.trim();
  return run(async () => {
    await api.decline(offer.id, reason);
    answered.add(`offer:${offer.id}`);
    ctx.answered(offer.id);
    $("decline-reason", HTMLTextAreaElement).value = "";
    $("decline-form").hidden = true;
  }, "feedback.declined");
}

function arrived() {
  const alarm = ctx.current()?.alarm;
  if (!alarm) return;
  return run(() => api.arrived(alarm.id), "feedback.arrived");
}

/** @param {SubmitEvent} ev */
function resolve(ev) {
  ev.preventDefault();
  const alarm = ctx.current()?.alarm;
  const form = $("resolve-form", HTMLFormElement);
  if (!alarm || !form.reportValidity()) return;
  const radios = form.elements.namedItem("outcome");
  // The form's radios carry the contract's outcomes (index.html); reportValidity made sure one is picked.
  const outcome = /** @type {AlarmOutcome} */ (radios instanceof RadioNodeList ? radios.value : "");
  const noteField = $("resolve-note", HTMLTextAreaElement);
  const note = noteField.value.trim();
  // `required` takes a note of only spaces; the hub would refuse it. Say so at the field, send nothing.
  if (!note) {
    noteField.setCustomValidity(t("resolve.noteBlank"));
    noteField.reportValidity();
    return;
  }
  return run(async () => {
    await api.resolve(alarm.id, outcome, note);
    answered.add(`alarm:${alarm.id}`);
    form.reset();
  }, "feedback.resolved");
}

/**
 * Says so when an offer arrives, runs out or is withdrawn, or the command center closes the alarm.
 * @param {ShownAssignment | null} before
 * @param {ShownAssignment | null} after
 */
export function noticeChange(before, after) {
  const sameOffer = before?.offer && after?.offer?.id === before.offer.id;
  const sameAlarm = before && after && after.alarm.id === before.alarm.id;
  if (after?.offer && !sameOffer) {
    // Phones in a pocket: buzz for a new offer (ignored where vibration is unsupported).
    navigator.vibrate?.([400, 150, 400, 150, 400]);
    showFeedback("info", () => t("feedback.newOffer"));
    return;
  }
  if (before?.offer && !sameOffer && !answered.has(`offer:${before.offer.id}`)) {
    const { id } = before.offer;
    showFeedback("error", () => t("feedback.offerGone", { id }));
  } else if (before && !before.offer && !sameAlarm && !answered.has(`alarm:${before.alarm.id}`)) {
    showFeedback("info", () => t("feedback.alarmClosed", { id: before.alarm.id }));
  }
}

/** @param {ActionContext} context */
export function initActions(context) {
  ctx = context;
  document.addEventListener("click", (ev) => {
    const button = ev.target instanceof Element ? ev.target.closest("[data-action]") : null;
    const action = button instanceof HTMLElement ? button.dataset.action : undefined;
    if (action === "accept") accept();
    else if (action === "decline") startDecline();
    else if (action === "arrived") arrived();
  });
  $("decline-form").addEventListener("submit", decline);
  $("decline-cancel").addEventListener("click", cancelDecline);
  $("resolve-form").addEventListener("submit", resolve);
  $("resolve-note").addEventListener("input", () => $("resolve-note", HTMLTextAreaElement).setCustomValidity(""));
}
