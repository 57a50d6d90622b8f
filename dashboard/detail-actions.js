// @ts-check
// The detail panel's notes and follow-up visit. A note can be added at any time,
// on an open or a closed alarm; a resolved alarm gets its follow-up visit planned
// (PUT follow-up-plan) and recorded (POST follow-up → followed_up). Everything
// here is built once and kept across the panel's live re-renders, like the
// dispatch card, so text being typed survives the pushes other consoles cause.

/** @import { AlarmDetail, AlarmSummary, OverdueEntry, OverdueList } from "../protocol/console/index.ts" */
/** @import { TimelineEvent } from "./event-summary.js" */

import { centerWallTime, centerWallToIso, centerZone } from "./center-time.js";
import { h } from "./dom.js";
import { asApiError, request } from "./http.js";
import { getLang, t, tMaybe } from "./i18n.js";

/** An action's answer: the alarm as it is now. @typedef {{ alarm: AlarmSummary }} AlarmReply */

/**
 * @param {number} id
 * @param {string} what
 */
const alarmPath = (id, what) => `/api/alarms/${encodeURIComponent(id)}/${what}`;

/**
 * Date and time, always with the date: a visit is days away, not minutes.
 * @param {string | null | undefined} iso
 */
export function dateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  /** @type {Intl.DateTimeFormatOptions} */
  const opts = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(getLang(), { ...opts, hourCycle: "h23", timeZone: centerZone() }).format(d);
}

/** A `datetime-local` input's value for a moment, on the center's clock (center-time.js). */
const inputValue = centerWallTime;

/**
 * The input's wall-clock time, read on the center's clock, as the UTC ISO string the hub stores; null when unset.
 * @param {HTMLInputElement} input
 */
function isoOf(input) {
  return centerWallToIso(input.value);
}

/** @param {unknown} caught */
function errorText(caught) {
  const err = asApiError(caught);
  if (err.code === "NETWORK") return t("error.network");
  return tMaybe(`error.${err.code}`) ?? err.message ?? t("error.generic");
}

/**
 * @param {HTMLElement} box
 * @param {string | null} text
 */
function showError(box, text) {
  box.textContent = text ?? "";
  box.hidden = !text;
}

/**
 * @param {string} key
 * @param {HTMLElement} control
 */
const label = (key, control) => h("label", { for: control.id }, h("span", { "data-i18n": key }), control);

/**
 * The due date a follow-up plan on the timeline set, or null for any other event.
 * @param {TimelineEvent} e
 * @returns {string | null}
 */
function plannedDueOf(e) {
  if (e.type !== "follow_up_planned" || typeof e.detail !== "object" || e.detail === null) return null;
  const dueAt = "dueAt" in e.detail ? e.detail.dueAt : null;
  return typeof dueAt === "string" && dueAt ? dueAt : null;
}

/**
 * `onChanged(summary)` runs after each successful action, so the panel and the
 * queue re-read the alarm without waiting for the push.
 * @param {{ onChanged: (summary: AlarmSummary) => void }} handlers
 */
export function createDetailActions({ onChanged }) {
  /** @type {AlarmDetail | null} */
  let alarm = null;
  /** @type {OverdueEntry | null} */
  let overdue = null; // the hub's overdue entry for this alarm's follow-up, if any
  let overdueSeq = 0;

  const noteText = h("textarea", {
    id: "note-text",
    rows: 2,
    maxlength: 1000,
    "data-i18n-placeholder": "actions.notePlaceholder",
  });
  const noteError = h("p", { id: "note-error", class: "form-error", role: "alert", hidden: true });
  const noteBtn = h("button", { id: "btn-note", type: "submit", class: "btn", "data-i18n": "actions.noteAdd" });
  const noteForm = h(
    "form",
    { id: "note-form", class: "note-form" },
    h("div", { class: "note-row" }, label("actions.note", noteText), noteBtn),
    noteError,
  );

  const state = h("p", { class: "fu-state" });
  const dueInput = h("input", { id: "fu-due", type: "datetime-local", required: true });
  const planBtn = h("button", { id: "btn-fu-plan", type: "submit", class: "btn", "data-i18n": "actions.plan" });
  const planForm = h("form", { id: "fu-plan-form", class: "fu-form" }, label("actions.dueAt", dueInput), planBtn);
  const visitNote = h("textarea", {
    id: "fu-note",
    rows: 2,
    maxlength: 2000,
    "data-i18n-placeholder": "actions.visitNotePlaceholder",
  });
  const visitedInput = h("input", { id: "fu-visited", type: "datetime-local", required: true });
  const recordBtn = h("button", {
    id: "btn-fu-record",
    type: "submit",
    class: "btn btn-primary",
    "data-i18n": "actions.record",
  });
  const recordForm = h(
    "form",
    { id: "fu-record-form", class: "fu-form" },
    h("div", { class: "fu-visit-note" }, label("actions.visitNote", visitNote)),
    label("actions.visitedAt", visitedInput),
    recordBtn,
  );
  const fuError = h("p", { id: "fu-error", class: "form-error", role: "alert", hidden: true });
  const card = h(
    "section",
    { class: "card follow-up-card", id: "follow-up-card" },
    h("h3", { "data-i18n": "actions.followUp" }),
    state,
    planForm,
    recordForm,
    fuError,
  );

  /**
   * Runs one action: inline error on failure, `done` and a re-read on success.
   * @param {HTMLButtonElement} button
   * @param {HTMLElement} errorBox
   * @param {(id: number) => Promise<AlarmReply>} call
   * @param {() => void} done
   */
  async function act(button, errorBox, call, done) {
    const id = alarm?.id;
    if (id === undefined) return;
    button.disabled = true;
    try {
      const reply = await call(id);
      showError(errorBox, null);
      // The operator may have opened another alarm meanwhile: leave that one's forms alone.
      if (alarm?.id === id) done();
      onChanged(reply.alarm);
    } catch (err) {
      showError(errorBox, errorText(err));
    } finally {
      button.disabled = false;
    }
  }

  noteForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = noteText.value.trim();
    if (!text) return showError(noteError, t("actions.textRequired"));
    act(
      noteBtn,
      noteError,
      (id) => request("POST", alarmPath(id, "notes"), { text }),
      () => {
        noteText.value = "";
      },
    );
  });
  planForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const dueAt = isoOf(dueInput);
    if (!dueAt) return showError(fuError, t("actions.timeRequired"));
    act(
      planBtn,
      fuError,
      (id) => request("PUT", alarmPath(id, "follow-up-plan"), { dueAt }),
      () => {},
    );
  });
  recordForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const note = visitNote.value.trim();
    const visitedAt = isoOf(visitedInput);
    if (!note) return showError(fuError, t("actions.textRequired"));
    if (!visitedAt) return showError(fuError, t("actions.timeRequired"));
    act(
      recordBtn,
      fuError,
      (id) => request("POST", alarmPath(id, "follow-up"), { note, visitedAt }),
      () => {
        visitNote.value = "";
      },
    );
  });

  function fillText() {
    for (const root of [noteForm, card]) {
      for (const el of root.querySelectorAll("[data-i18n]")) {
        if (el instanceof HTMLElement) el.textContent = t(el.dataset.i18n ?? "");
      }
      for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
        if (el instanceof HTMLTextAreaElement) el.placeholder = t(el.dataset.i18nPlaceholder ?? "");
      }
    }
  }

  /**
   * The latest planned due date: the summary has none, the timeline has every plan.
   * @param {AlarmDetail} a
   */
  function plannedDue(a) {
    const plans = (a.events ?? []).map(plannedDueOf).filter((dueAt) => dueAt !== null);
    return plans.at(-1) ?? null;
  }

  function renderState() {
    if (!alarm) return;
    if (alarm.status === "followed_up") {
      state.replaceChildren(t("actions.visited", { time: dateTime(alarm.followedUpAt) }));
      return;
    }
    const due = plannedDue(alarm);
    const flag =
      overdue && h("span", { class: "badge fu-overdue" }, t("actions.overdue", { time: dateTime(overdue.dueAt) }));
    state.replaceChildren(
      h("span", { class: "fu-due" }, due ? t("actions.due", { time: dateTime(due) }) : t("actions.dueNone")),
      ...(flag ? [flag] : []),
    );
    card.classList.toggle("overdue", Boolean(overdue));
  }

  /**
   * The hub decides what is overdue (its clock, and the default due date of a real alarm).
   * @param {number} id
   */
  async function loadOverdue(id) {
    const seq = ++overdueSeq;
    try {
      /** @type {OverdueList} */
      const list = await request("GET", "/api/alarms/overdue");
      if (seq !== overdueSeq || alarm?.id !== id) return;
      overdue = list.overdue.find((o) => o.kind === "follow_up" && o.alarm.id === id) ?? null;
      renderState();
    } catch {
      // Only the flag is missing; the due date and the forms still work.
    }
  }

  return {
    noteForm,
    /**
     * Shows `a` (an AlarmDetail), or nothing for null.
     * @param {AlarmDetail | null} a
     */
    setAlarm(a) {
      if (a?.id !== alarm?.id) {
        // Another alarm: nothing typed for the previous one may be posted to it.
        for (const el of [noteText, visitNote, dueInput]) el.value = "";
        visitedInput.value = inputValue(new Date());
        for (const box of [noteError, fuError]) showError(box, null);
        overdue = null;
      }
      alarm = a;
      noteForm.hidden = !a;
      if (!a) return card.remove();
      fillText();
      const due = plannedDue(a);
      if (due && !dueInput.value) dueInput.value = inputValue(new Date(due));
      const resolved = a.status === "resolved";
      planForm.hidden = !resolved;
      recordForm.hidden = !resolved;
      if (resolved) loadOverdue(a.id);
      else overdue = null;
      renderState();
    },
    /** The follow-up card, for `detail.js` to place in the rebuilt body; null when the alarm has no visit to plan. */
    followUpCard() {
      return alarm && (alarm.status === "resolved" || alarm.status === "followed_up") ? card : null;
    },
  };
}
