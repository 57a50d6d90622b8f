// The worker's buttons: accept or decline an offer, report arrival, close the alarm.
// Each press disables every action button until the hub answers (a double tap must
// not send twice), then says what happened and asks the hub for the new state.

import { t, tMaybe } from "../i18n.js";
import { api } from "./api.js";
import { hideFeedback, showFeedback } from "./feedback.js";

const $ = (id) => document.getElementById(id);
let ctx = null;
/** Offers and alarms this page itself answered: their disappearance is expected, not news. */
const answered = new Set();

/** The hub's refusal in the worker's language when known, else its own words; the code always. */
export function describe(err) {
  if (err.code === "NETWORK") return t("error.network");
  return `${tMaybe(`error.${err.code}`) ?? err.message} [${err.code}]`;
}

function setBusy(busy) {
  for (const b of document.querySelectorAll("[data-action]")) b.disabled = busy;
  document.body.dataset.busy = String(busy);
}

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
  $("decline-reason").focus();
}

function cancelDecline() {
  $("decline-form").hidden = true;
  ctx.refresh();
}

function decline(ev) {
  ev.preventDefault();
  const offer = ctx.current()?.offer;
  if (!offer) return;
  const reason = $("decline-reason").value.trim();
  return run(async () => {
    await api.decline(offer.id, reason);
    answered.add(`offer:${offer.id}`);
    ctx.answered(offer.id);
    $("decline-reason").value = "";
    $("decline-form").hidden = true;
  }, "feedback.declined");
}

function arrived() {
  const alarm = ctx.current()?.alarm;
  if (!alarm) return;
  return run(() => api.arrived(alarm.id), "feedback.arrived");
}

function resolve(ev) {
  ev.preventDefault();
  const alarm = ctx.current()?.alarm;
  const form = $("resolve-form");
  if (!alarm || !form.reportValidity()) return;
  const outcome = form.elements.outcome.value;
  const note = $("resolve-note").value.trim();
  return run(async () => {
    await api.resolve(alarm.id, outcome, note);
    answered.add(`alarm:${alarm.id}`);
    form.reset();
  }, "feedback.resolved");
}

/** Says so when an offer arrives, runs out or is withdrawn, or the command center closes the alarm. */
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
    showFeedback("error", () => t("feedback.offerGone", { id: before.offer.id }));
  } else if (before && !before.offer && !sameAlarm && !answered.has(`alarm:${before.alarm.id}`)) {
    showFeedback("info", () => t("feedback.alarmClosed", { id: before.alarm.id }));
  }
}

export function initActions(context) {
  ctx = context;
  document.addEventListener("click", (ev) => {
    const action = ev.target.closest?.("[data-action]")?.dataset.action;
    if (action === "accept") accept();
    else if (action === "decline") startDecline();
    else if (action === "arrived") arrived();
  });
  $("decline-form").addEventListener("submit", decline);
  $("decline-cancel").addEventListener("click", cancelDecline);
  $("resolve-form").addEventListener("submit", resolve);
}
