// @ts-check
// The alarm detail's service request card, for a `service` press: the request's
// status, its worker, when and by whom it was assigned, done or cancelled, and
// the operator's actions (assign / re-assign to a worker, mark done).
//
// The card element is kept per request across live refreshes of the panel: only
// its read-only part is rebuilt, so a worker being picked or a note being typed
// survives the pushes. The candidates are asked of the hub once per request, in
// the router's own order (the household's grid first, on duty, nearest).

/**
 * @import {
 *   ActiveServiceStatus,
 *   AlarmDetail,
 *   ServiceAssignRequest,
 *   ServiceCandidates,
 *   ServiceCandidateView,
 *   ServiceDoneRequest,
 *   ServiceRequestReply,
 *   ServiceRequestStatus,
 *   ServiceRequestView,
 * } from "../protocol/console/index.ts"
 */

import { byWhom, km } from "./dispatch-card.js";
import { h, localTime, telLink } from "./dom.js";
import { request } from "./http.js";
import { t } from "./i18n.js";

/**
 * Service request states in which someone still has to act (the contract's
 * ACTIVE_SERVICE_STATUSES): a copy, since the console cannot import protocol/ at run time,
 * typed so that the typecheck fails when the two disagree.
 * @type {{ readonly [S in ServiceRequestStatus]: S extends ActiveServiceStatus ? true : false }}
 */
const ACTIVE = { open: true, assigned: true, done: false, cancelled: false };
/**
 * @param {number} id
 * @param {string} action
 */
const path = (id, action) => `/api/service-requests/${encodeURIComponent(id)}/${action}`;
const serviceApi = {
  /**
   * @param {number} id
   * @returns {Promise<ServiceCandidates>}
   */
  candidates: (id) => request("GET", path(id, "candidates")),
  /**
   * @param {number} id
   * @param {number} workerId
   * @returns {Promise<ServiceRequestReply>}
   */
  assign: (id, workerId) => {
    /** @type {ServiceAssignRequest} */
    const body = { workerId };
    return request("POST", path(id, "assign"), body);
  },
  /**
   * @param {number} id
   * @param {string} note
   * @returns {Promise<ServiceRequestReply>}
   */
  done: (id, note) => {
    /** @type {ServiceDoneRequest} */
    const body = note ? { note } : {};
    return request("POST", path(id, "done"), body);
  },
};

/** What the card's actions need. @typedef {{ reload: () => Promise<void>, showError: (err: unknown) => void }} CardHandlers */
/**
 * The one card on screen, kept per request.
 * @typedef {{
 *   requestId: number,
 *   status: ServiceRequestStatus | null,
 *   workerId: number | null,
 *   candidates: ServiceCandidateView[] | null,
 *   el: HTMLElement,
 *   title: HTMLElement,
 *   info: HTMLElement,
 *   form: HTMLElement,
 *   select: HTMLSelectElement,
 *   note: HTMLInputElement,
 *   assign: HTMLButtonElement,
 *   done: HTMLButtonElement,
 * }} ServiceCardState
 */

/** @type {ServiceCardState | null} */
let card = null;

/**
 * [] for alarms without a service request, else the card; `reload` refetches the detail.
 * @param {AlarmDetail} alarm
 * @param {CardHandlers} handlers
 * @returns {HTMLElement[]}
 */
export function serviceCard(alarm, { reload, showError }) {
  const sr = alarm.serviceRequest;
  if (!sr) return [];
  if (card?.requestId !== sr.id) card = build(sr.id, { reload, showError });
  card.status = sr.status;
  card.workerId = sr.worker?.id ?? null;
  card.el.dataset.status = sr.status;
  card.title.textContent = t("service.title", { id: sr.id });
  card.info.replaceChildren(...info(sr));
  card.form.hidden = !ACTIVE[sr.status];
  renderActions(card);
  return [card.el];
}

/**
 * @param {number} requestId
 * @param {CardHandlers} handlers
 * @returns {ServiceCardState}
 */
function build(requestId, { reload, showError }) {
  const select = h("select", { id: "service-worker", name: "workerId" });
  const assign = h("button", { type: "button", class: "btn btn-primary", id: "service-assign" });
  const note = h("input", { id: "service-note", name: "note", maxlength: 2000, autocomplete: "off" });
  const done = h("button", { type: "button", class: "btn btn-resolve", id: "service-done" });
  /**
   * @param {string} forId
   * @param {string} key
   * @param {HTMLElement} control
   */
  const label = (forId, key, control) => h("label", { for: forId }, h("span", { dataset: { i18nKey: key } }), control);
  const form = h(
    "div",
    { class: "service-actions" },
    h("div", { class: "service-row" }, label("service-worker", "service.reassign", select), assign),
    h("div", { class: "service-row" }, label("service-note", "service.doneNote", note), done),
  );
  const info = h("div", { class: "service-info" });
  const title = h("h3", {}, "");
  const el = h("section", { class: "card service-card", id: "service-card" }, title, info, form);
  /** @type {ServiceCardState} */
  const state = {
    requestId,
    status: null,
    workerId: null,
    candidates: null,
    el,
    title,
    info,
    form,
    select,
    note,
    assign,
    done,
  };
  /** @param {() => Promise<unknown>} work */
  const act = async (work) => {
    assign.disabled = true;
    done.disabled = true;
    try {
      await work();
      showError(null);
      await reload();
    } catch (err) {
      showError(err);
    } finally {
      renderActions(state);
    }
  };
  assign.addEventListener("click", () => act(() => serviceApi.assign(requestId, Number(select.value))));
  done.addEventListener("click", () =>
    act(async () => {
      await serviceApi.done(requestId, note.value.trim());
      note.value = "";
    }),
  );
  serviceApi
    .candidates(requestId)
    .then(({ workers }) => {
      state.candidates = workers;
      renderActions(state);
    })
    .catch(showError);
  return state;
}

/** @param {ServiceRequestView} sr */
function info(sr) {
  const rows = [
    h(
      "p",
      { class: "service-status" },
      h("span", { class: `badge service-state service-${sr.status}` }, t(`service.status.${sr.status}`)),
      sr.grid
        ? [
            " ",
            h(
              "span",
              { class: "muted" },
              t("service.grid"),
              " ",
              h("span", { content: true }, sr.grid.name ?? `#${sr.grid.id}`),
            ),
          ]
        : null,
    ),
    h(
      "p",
      { class: "service-worker" },
      h("span", { class: "role" }, t("service.worker")),
      " ",
      sr.worker
        ? [
            h("span", { class: "wname", content: true }, `${sr.worker.name} (${sr.worker.code})`),
            " ",
            telLink(sr.worker.phone),
          ]
        : h("span", { class: "muted" }, t("service.noWorker")),
    ),
  ];
  /** @type {[string, string | null, string | null][]} */
  const steps = [
    ["service.assignedAt", sr.assignedAt, sr.assignedBy],
    ["service.doneAt", sr.doneAt, sr.doneBy],
    ["service.cancelledAt", sr.cancelledAt, sr.cancelledBy],
  ];
  for (const [key, at, by] of steps) {
    if (at) rows.push(h("p", { class: "muted" }, t(key, { time: localTime(at), who: byWhom(by) })));
  }
  if (sr.note) {
    rows.push(h("p", {}, h("span", { class: "role" }, t("service.note")), " ", h("span", { content: true }, sr.note)));
  }
  return rows;
}

/** @param {ServiceCandidateView} w */
function candidateText(w) {
  return [
    `${w.name} (${w.code})`,
    t(w.sameGrid ? "service.candidate.sameGrid" : "service.candidate.otherGrid"),
    t(w.onDuty ? "service.candidate.onDuty" : "service.candidate.offDuty"),
    w.distanceM === null ? null : km(w.distanceM),
  ]
    .filter(Boolean)
    .join(" · ");
}

/**
 * Labels in the current language, and the worker choice: what the operator picked stays, else the best other worker.
 * @param {ServiceCardState} state
 */
function renderActions(state) {
  if (state !== card) return;
  const { select, candidates, assign, done } = state;
  for (const span of state.el.querySelectorAll("[data-i18n-key]")) {
    if (span instanceof HTMLElement) span.textContent = t(span.dataset.i18nKey ?? "");
  }
  assign.textContent = t(state.status === "open" ? "service.assign" : "service.reassignButton");
  done.textContent = t("service.markDone");
  done.hidden = state.status !== "assigned";
  done.disabled = false;
  if (!candidates) {
    select.replaceChildren(h("option", { value: "" }, t("service.loading")));
    select.disabled = true;
    assign.disabled = true;
    return;
  }
  const picked = select.value;
  const others = candidates.filter((w) => w.id !== state.workerId);
  select.replaceChildren(
    ...others.map((w) =>
      h(
        "option",
        { value: w.id, dataset: { sameGrid: String(w.sameGrid), onDuty: String(w.onDuty) } },
        candidateText(w),
      ),
    ),
  );
  select.value = others.some((w) => String(w.id) === picked) ? picked : String(others[0]?.id ?? "");
  select.disabled = others.length === 0;
  assign.disabled = !select.value;
}
