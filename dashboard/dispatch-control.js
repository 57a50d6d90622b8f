// @ts-check
// "Dispatch to…": the operator picks a worker, from the ranking or by searching
// on-duty workers, confirms, and the hub offers the alarm to that worker
// (withdrawing any open offer). Built once and kept across live refreshes of the
// detail panel, so a search being typed or a pending confirmation survives the
// pushes a busy alarm produces.

/** @import { AlarmDetail, AlarmSummary } from "../protocol/console/index.ts" */
/** @import { WorkerSearchReply } from "./api.js" */
/** @import { WorkerRef } from "./dispatch-card.js" */
/** @import { ApiError } from "./http.js" */

import { api } from "./api.js";
import { canDispatch, openOffer } from "./dispatch-card.js";
import { h } from "./dom.js";
import { asApiError } from "./http.js";
import { t, tMaybe } from "./i18n.js";

const SEARCH_DEBOUNCE_MS = 250;

/**
 * The line under the control, redrawn in the current language: what was sent, or why not.
 * @typedef {{ ok: true, key: string, vars: { name: string } } | { ok: false, err: ApiError }} Note
 */

/** @param {{ onDispatched: (summary: AlarmSummary) => void }} handlers */
export function createDispatchControl({ onDispatched }) {
  /** @type {AlarmDetail | null} */
  let alarm = null;
  /** @type {WorkerRef | null} */
  let pending = null; // worker awaiting confirmation
  /** @type {number | undefined} */
  let searchTimer;
  let searchSeq = 0;
  /** @type {Note | null} */
  let note = null;

  const input = h("input", {
    type: "search",
    id: "dispatch-search",
    autocomplete: "off",
    "aria-describedby": "dispatch-msg",
  });
  const labelText = h("span", {}, "");
  const label = h("label", { for: "dispatch-search" }, labelText, input);
  const results = h("ul", { class: "dispatch-results", id: "dispatch-results" });
  const question = h("p", { class: "question" });
  const yes = h("button", { type: "button", class: "btn btn-primary", id: "dispatch-confirm" });
  const no = h("button", { type: "button", class: "btn", id: "dispatch-cancel" });
  const confirmBox = h(
    "div",
    { class: "dispatch-confirm", role: "alertdialog", hidden: true },
    question,
    h("div", { class: "buttons" }, yes, no),
  );
  const message = h("p", { class: "dispatch-msg", id: "dispatch-msg", role: "status" });
  const title = h("h4", {}, "");
  const el = h("div", { class: "dispatch-to", id: "dispatch-to" }, title, label, results, confirmBox, message);

  input.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, SEARCH_DEBOUNCE_MS);
  });
  yes.addEventListener("click", send);
  no.addEventListener("click", () => {
    pending = null;
    renderConfirm();
  });

  async function search() {
    const q = input.value.trim();
    const seq = ++searchSeq;
    if (!q) {
      results.replaceChildren();
      return;
    }
    try {
      const page = await api.onDutyWorkers(q);
      if (seq !== searchSeq) return;
      results.replaceChildren(
        ...(page.items.length ? page.items.map(resultRow) : [h("li", { class: "muted" }, t("dispatch.search.none"))]),
      );
    } catch (err) {
      if (seq === searchSeq) showMessage(err);
    }
  }

  /** @param {WorkerSearchReply["items"][number]} w */
  function resultRow(w) {
    return h(
      "li",
      { dataset: { workerId: String(w.id) } },
      h("span", { class: "wname", content: true }, `${w.name} (${w.code})`),
      w.grid ? h("span", { class: "muted", content: true }, w.grid.name) : null,
      h(
        "button",
        { type: "button", class: "btn btn-small pick", onclick: () => ask({ id: w.id, name: w.name, code: w.code }) },
        t("dispatch.pick"),
      ),
    );
  }

  /**
   * Ask the operator to confirm sending `worker` (from the ranking or the search).
   * @param {WorkerRef} worker
   */
  function ask(worker) {
    pending = worker;
    note = null;
    renderMessage();
    renderConfirm();
    yes.focus();
  }

  async function send() {
    if (!pending || !alarm) return;
    const worker = pending;
    yes.disabled = true;
    try {
      const reply = await api.dispatch(alarm.id, worker.id);
      pending = null;
      input.value = "";
      results.replaceChildren();
      note = { ok: true, key: "dispatch.done", vars: { name: `${worker.name} (${worker.code})` } };
      renderMessage();
      onDispatched(reply.alarm);
    } catch (err) {
      showMessage(err);
    } finally {
      yes.disabled = false;
      renderConfirm();
    }
  }

  /** @param {unknown} err */
  function showMessage(err) {
    note = { ok: false, err: asApiError(err) };
    renderMessage();
  }

  function renderMessage() {
    if (!note) {
      message.textContent = "";
      return;
    }
    message.className = `dispatch-msg ${note.ok ? "ok" : "error"}`;
    if (note.ok) {
      // The worker's name is registry data inside a translated sentence: marked as such.
      const [before, after = ""] = t(note.key).split("{name}");
      message.replaceChildren(before, h("span", { content: true }, note.vars.name), after);
      return;
    }
    const { err } = note;
    const known = (err.code === "NETWORK" && t("error.network")) || tMaybe(`error.${err.code}`);
    message.textContent = `${t("error.generic")}: ${known || err.message} [${err.code}]`;
  }

  function renderConfirm() {
    confirmBox.hidden = !pending;
    yes.textContent = t("dispatch.confirmYes");
    no.textContent = t("dispatch.confirmNo");
    if (!pending || !alarm) return;
    const open = openOffer(alarm);
    const parts = [t("dispatch.confirm", { name: `${pending.name} (${pending.code ?? pending.id})`, id: alarm.id })];
    if (open && open.worker.id !== pending.id)
      parts.push(t("dispatch.confirmWithdraw", { name: open.worker.name ?? "?" }));
    question.textContent = parts.join(" ");
  }

  return {
    el,
    ask,
    /**
     * A new AlarmDetail (or a language switch): refresh labels and whether dispatching is possible.
     * @param {AlarmDetail | null} a
     */
    setAlarm(a) {
      if (a?.id !== alarm?.id) {
        pending = null;
        input.value = "";
        results.replaceChildren();
        note = null;
      }
      alarm = a;
      el.hidden = !a || !canDispatch(a);
      title.textContent = t("dispatch.to.title");
      labelText.textContent = t("dispatch.search.label");
      input.placeholder = t("dispatch.search.placeholder");
      for (const b of results.querySelectorAll("button.pick")) b.textContent = t("dispatch.pick");
      for (const li of results.querySelectorAll("li.muted")) li.textContent = t("dispatch.search.none");
      renderConfirm();
      renderMessage();
    },
  };
}
