// The alarm detail's service request card, for a `service` press: the request's
// status, its worker, when and by whom it was assigned, done or cancelled, and
// the operator's actions (assign / re-assign to a worker, mark done).
//
// The card element is kept per request across live refreshes of the panel: only
// its read-only part is rebuilt, so a worker being picked or a note being typed
// survives the pushes. The candidates are asked of the hub once per request, in
// the router's own order (the household's grid first, on duty, nearest).

import { byWhom, km } from "./dispatch-card.js";
import { h, localTime, telLink } from "./dom.js";
import { request } from "./http.js";
import { t } from "./i18n.js";

const ACTIVE = new Set(["open", "assigned"]);
const path = (id, action) => `/api/service-requests/${encodeURIComponent(id)}/${action}`;
const serviceApi = {
  candidates: (id) => request("GET", path(id, "candidates")),
  assign: (id, workerId) => request("POST", path(id, "assign"), { workerId }),
  done: (id, note) => request("POST", path(id, "done"), note ? { note } : {}),
};

/** The one card on screen: { requestId, status, workerId, candidates, el, info, form, select, note, assign, done }. */
let card = null;

/** [] for alarms without a service request, else the card; `reload` refetches the detail. */
export function serviceCard(alarm, { reload, showError }) {
  const sr = alarm.serviceRequest;
  if (!sr) return [];
  if (card?.requestId !== sr.id) card = build(sr.id, { reload, showError });
  card.status = sr.status;
  card.workerId = sr.worker?.id ?? null;
  card.el.dataset.status = sr.status;
  card.el.firstChild.textContent = t("service.title", { id: sr.id });
  card.info.replaceChildren(...info(sr));
  card.form.hidden = !ACTIVE.has(sr.status);
  renderActions(card);
  return [card.el];
}

function build(requestId, { reload, showError }) {
  const select = h("select", { id: "service-worker", name: "workerId" });
  const assign = h("button", { type: "button", class: "btn btn-primary", id: "service-assign" });
  const note = h("input", { id: "service-note", name: "note", maxlength: 2000, autocomplete: "off" });
  const done = h("button", { type: "button", class: "btn btn-resolve", id: "service-done" });
  const label = (forId, key, control) => h("label", { for: forId }, h("span", { dataset: { i18nKey: key } }), control);
  const form = h(
    "div",
    { class: "service-actions" },
    h("div", { class: "service-row" }, label("service-worker", "service.reassign", select), assign),
    h("div", { class: "service-row" }, label("service-note", "service.doneNote", note), done),
  );
  const info = h("div", { class: "service-info" });
  const el = h("section", { class: "card service-card", id: "service-card" }, h("h3", {}, ""), info, form);
  const state = {
    requestId,
    status: null,
    workerId: null,
    candidates: null,
    el,
    info,
    form,
    select,
    note,
    assign,
    done,
  };
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

/** Labels in the current language, and the worker choice: what the operator picked stays, else the best other worker. */
function renderActions(state) {
  if (state !== card) return;
  const { select, candidates, assign, done } = state;
  for (const span of state.el.querySelectorAll("[data-i18n-key]")) span.textContent = t(span.dataset.i18nKey);
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
