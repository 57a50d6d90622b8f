// @ts-check
// The worker's service requests (the non-emergency `service` press): each one
// assigned to this worker, with the address, how to get in and a Done button.
// Refreshed with every poll of the page; the list is rebuilt only when what the
// hub says changed, so a note being typed survives the polls. Registry text is
// marked data-content, as on the assignment card.

/** @import { ServiceRequestView } from "../../protocol/console/index.ts" */

import { centerZone } from "../center-time.js";
import { byId, h } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { describe } from "./actions.js";
import { api } from "./api.js";
import { showFeedback } from "./feedback.js";
import { navLinks } from "./nav-links.js";

const $ = byId;
/** @type {ServiceRequestView[]} */
let items = [];
let shownKey = "";
let seq = 0;

/** Asks the hub for this worker's open requests; failures are left to the page's own poll banner. */
export async function refreshServiceRequests() {
  const mine = ++seq;
  try {
    const { serviceRequests } = await api.serviceRequests();
    if (mine === seq) show(serviceRequests);
  } catch {
    // The assignment poll shows the connection banner and handles a lost session.
  }
}

/** Forgets the list (sign-out: nothing of one login may linger for the next). */
export function clearServiceRequests() {
  seq += 1;
  show([]);
}

/** Re-render after a language switch. */
export function rerenderServiceRequests() {
  shownKey = "";
  show(items);
}

/** @param {ServiceRequestView[]} list */
function show(list) {
  items = list;
  const key = JSON.stringify(list);
  if (key === shownKey) return;
  shownKey = key;
  $("service-requests").hidden = list.length === 0;
  $("service-list").replaceChildren(...list.map(item));
}

/** @param {string} iso */
function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  /** @type {Intl.DateTimeFormatOptions} */
  const opts = {
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: centerZone(),
  };
  return new Intl.DateTimeFormat(getLang(), opts).format(d);
}

/**
 * @param {string} labelKey
 * @param {string | null | undefined} value registry text; no row without it
 */
function field(labelKey, value) {
  if (!value) return null;
  return h("div", { class: "field" }, h("dt", {}, t(labelKey)), h("dd", { content: true }, value));
}

/** @param {ServiceRequestView} request */
function item(request) {
  const home = request.household;
  const note = h("textarea", {
    rows: 2,
    maxlength: 2000,
    id: `service-note-${request.id}`,
    placeholder: t("service.notePlaceholder"),
  });
  const button = h(
    "button",
    { type: "button", class: "btn btn-big btn-primary", dataset: { serviceDone: String(request.id) } },
    t("service.done"),
  );
  button.addEventListener("click", () => done(request, note, button));
  const located = home && home.lat !== null && home.lng !== null;
  const access = [field("access.keyHolder", home?.keyHolder), field("access.notes", home?.accessNotes)].filter(Boolean);
  return h(
    "li",
    { class: "service-item card", dataset: { requestId: String(request.id), status: request.status } },
    h(
      "header",
      { class: "card-head" },
      h("span", { class: "badge kind kind-service" }, t("kind.service")),
      h("span", { class: "alarm-no" }, t("service.card", { id: request.id, time: clock(request.receivedAt) })),
    ),
    h("p", { class: "muted" }, t("service.hint")),
    request.residentName ? h("p", { class: "res-name", content: true }, request.residentName) : null,
    h("p", { class: "address", content: true }, home?.address || t("where.unknown")),
    home ? h("p", { class: "muted household" }, t("where.household", { code: home.code })) : null,
    located
      ? navLinks({
          lat: home.lat,
          lng: home.lng,
          householdCode: home.code,
          address: home.address,
          geoUri: `geo:${home.lat},${home.lng}?q=${home.lat},${home.lng}`,
        })
      : null,
    access.length ? h("dl", { class: "fields" }, access) : null,
    h("label", { for: note.id }, h("span", {}, t("service.note")), note),
    button,
  );
}

/**
 * @param {ServiceRequestView} request
 * @param {HTMLTextAreaElement} note
 * @param {HTMLButtonElement} button
 */
async function done(request, note, button) {
  button.disabled = true;
  try {
    await api.serviceDone(request.id, note.value.trim());
    showFeedback("ok", () => t("service.doneOk", { id: request.id }));
  } catch (err) {
    showFeedback("error", () => describe(err));
    button.disabled = false;
  }
  await refreshServiceRequests();
}
