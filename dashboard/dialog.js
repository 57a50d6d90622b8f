// @ts-check
// A modal confirmation for actions that cannot be undone (revoking a button,
// removing a relative). A native <dialog>: it traps focus, Esc cancels, and the
// console's single-key shortcuts stay off while it is open (see app.js).

import { h } from "./dom.js";
import { t } from "./i18n.js";

/**
 * Resolves true when the operator confirms, false on cancel or Esc.
 * @param {{ title: string, body?: string | null, confirmText?: string | null, danger?: boolean }} question
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ title, body, confirmText, danger = false }) {
  return new Promise((resolve) => {
    const yes = h(
      "button",
      { type: "button", class: `btn btn-big ${danger ? "btn-danger" : "btn-primary"}`, id: "confirm-yes" },
      confirmText ?? t("reg.confirm.yes"),
    );
    const no = h("button", { type: "button", class: "btn btn-big", id: "confirm-no" }, t("reg.confirm.no"));
    const dialog = h(
      "dialog",
      { class: `confirm-dialog${danger ? " danger" : ""}`, "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title" }, title),
      body ? h("p", {}, body) : null,
      h("div", { class: "buttons" }, no, yes),
    );
    let answer = false;
    yes.addEventListener("click", () => {
      answer = true;
      dialog.close();
    });
    no.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    // Cancel is the safe default: Enter on an unexpected dialog must not destroy anything.
    no.focus();
  });
}
