// @ts-check
// The resolve dialog behind the `r` shortcut: the outcome is a required choice
// (keys 1, 2, 3 or a click), with an optional note. A native <dialog>: it traps
// focus, Esc cancels, and the console's single-key shortcuts are off while it is open.

/** @import { AlarmSummary } from "../protocol/console/index.ts" */

import { api } from "./api.js";
import { h } from "./dom.js";
import { asApiError } from "./http.js";
import { t, tMaybe } from "./i18n.js";

/** @typedef {NonNullable<AlarmSummary["outcome"]>} Outcome */

/** @type {readonly Outcome[]} */
const OUTCOMES = ["real", "false_alarm", "test"];

/**
 * Resolves with the resolved AlarmSummary, or null when cancelled.
 * @param {number} alarmId
 * @returns {Promise<AlarmSummary | null>}
 */
export function resolveDialog(alarmId) {
  return new Promise((resolve) => {
    const choices = OUTCOMES.map((outcome, i) =>
      h(
        "label",
        { class: "outcome-choice" },
        h("input", { type: "radio", name: "resolve-outcome", value: outcome }),
        h("kbd", {}, String(i + 1)),
        " ",
        t(`outcome.${outcome}`),
      ),
    );
    const note = h("textarea", {
      id: "resolve-note",
      rows: 2,
      maxlength: 500,
      placeholder: t("detail.notePlaceholder"),
    });
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const ok = h("button", { type: "submit", class: "btn btn-big btn-resolve", id: "resolve-yes", disabled: true });
    ok.textContent = t("resolve.confirm");
    const cancel = h("button", { type: "button", class: "btn btn-big", id: "resolve-no" }, t("resolve.cancel"));
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", { id: "resolve-title" }, t("resolve.title", { id: alarmId })),
      h("p", { class: "muted" }, t("resolve.hint")),
      h("fieldset", { class: "outcomes" }, h("legend", {}, t("detail.outcome")), ...choices),
      h("label", { class: "note", for: "resolve-note" }, h("span", {}, t("detail.note")), note),
      error,
      h("div", { class: "buttons" }, cancel, ok),
    );
    const dialog = h("dialog", { class: "confirm-dialog resolve-dialog", "aria-labelledby": "resolve-title" }, form);
    /** @type {AlarmSummary | null} */
    let result = null;
    /** The outcome picked, or null before one is. @returns {Outcome | null} */
    const chosen = () => {
      const checked = form.querySelector('input[name="resolve-outcome"]:checked');
      return OUTCOMES.find((outcome) => checked instanceof HTMLInputElement && checked.value === outcome) ?? null;
    };
    form.addEventListener("change", () => {
      ok.disabled = !chosen();
    });
    // Number keys pick the outcome, except while typing the note.
    dialog.addEventListener("keydown", (ev) => {
      const i = Number(ev.key) - 1;
      const input = choices[i]?.querySelector("input");
      if (ev.target === note || !(i >= 0 && i < OUTCOMES.length) || !input) return;
      ev.preventDefault();
      input.checked = true;
      ok.disabled = false;
      ok.focus();
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const outcome = chosen();
      if (!outcome) return;
      ok.disabled = true;
      try {
        const { alarm } = await api.resolve(alarmId, outcome, note.value.trim());
        result = alarm;
        dialog.close();
      } catch (err) {
        const { code, message } = asApiError(err);
        error.textContent = `${t("error.generic")}: ${tMaybe(`error.${code}`) ?? message} [${code}]`;
        error.hidden = false;
        ok.disabled = false;
      }
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    choices[0]?.querySelector("input")?.focus();
  });
}
