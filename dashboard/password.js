// @ts-check
// The console's two ways to the change-password form (password-form.js):
// - required: an account whose password an administrator set (or the first
//   start generated) sees only this card after signing in, until it has its own;
// - voluntary: "Change password" in the top bar opens it in a dialog, for anyone.

/** @import { SessionUser } from "../protocol/console/index.ts" */

import { byId } from "./dom.js";
import { onLangChange, t } from "./i18n.js";
import { passwordForm } from "./password-form.js";
import { changeOwnPassword } from "./users-api.js";

/** @type {ReturnType<typeof passwordForm> | null} */
let required = null;

onLangChange(() => required?.relabel());

/**
 * Fills the required-change card (#password-view); `onDone(user)` once the password is the person's own.
 * @param {(user: SessionUser) => void} onDone
 */
export function showRequired(onDone) {
  required = passwordForm({ t, submit: changeOwnPassword, onDone, idPrefix: "pw-required" });
  byId("password-form-slot").replaceChildren(required.el);
  required.focus();
}

export function clearRequired() {
  required = null;
  document.getElementById("password-form-slot")?.replaceChildren();
}

/**
 * The dialog from the top bar; resolves when it closes.
 * @returns {Promise<void>}
 */
export function openDialog() {
  return new Promise((resolve) => {
    const dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog pw-dialog";
    dialog.id = "password-dialog";
    dialog.setAttribute("aria-labelledby", "password-dialog-title");
    const title = document.createElement("h2");
    title.id = "password-dialog-title";
    title.textContent = t("password.title");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn btn-big";
    cancel.id = "password-cancel";
    cancel.textContent = t("password.cancel");
    cancel.addEventListener("click", () => dialog.close());
    const form = passwordForm({
      t,
      submit: changeOwnPassword,
      idPrefix: "pw-own",
      extra: cancel,
      onDone: () => {
        const done = document.createElement("p");
        done.id = "password-done";
        done.setAttribute("role", "status");
        done.textContent = t("password.done");
        const ok = document.createElement("button");
        ok.type = "button";
        ok.className = "btn btn-primary btn-big";
        ok.id = "password-ok";
        ok.textContent = t("password.ok");
        ok.addEventListener("click", () => dialog.close());
        dialog.replaceChildren(title, done, ok);
        ok.focus();
      },
    });
    dialog.append(title, form.el);
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve();
    });
    document.body.append(dialog);
    dialog.showModal();
    form.focus();
  });
}
