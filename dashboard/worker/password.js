// @ts-check
// The worker's own password on the phone page, with the console's form
// (../password-form.js): required after signing in with a password an
// administrator set (the worker API answers AUTH_PASSWORD_CHANGE_REQUIRED until
// then), and on request from the "Change password" button, in a dialog.

import { byId } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { passwordForm } from "../password-form.js";
import { api } from "./api.js";

const $ = byId;
/** The required-change form while it is shown. @type {ReturnType<typeof passwordForm> | null} */
let required = null;

onLangChange(() => required?.relabel());

/**
 * Fills the required-change card (#password-view); `onDone()` once the password is the worker's own.
 * @param {() => void} onDone
 */
export function showRequired(onDone) {
  required = passwordForm({ t, submit: api.changePassword, onDone, idPrefix: "pw-required" });
  $("password-form-slot").replaceChildren(required.el);
  required.focus();
}

export function clearRequired() {
  required = null;
  $("password-form-slot").replaceChildren();
}

export function openDialog() {
  const dialog = document.createElement("dialog");
  dialog.className = "pw-dialog panel";
  dialog.id = "password-dialog";
  const title = document.createElement("h2");
  title.textContent = t("password.title");
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "btn btn-big";
  cancel.id = "password-cancel";
  cancel.textContent = t("password.cancel");
  cancel.addEventListener("click", () => dialog.close());
  const form = passwordForm({
    t,
    submit: api.changePassword,
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
      ok.textContent = t("password.ok");
      ok.addEventListener("click", () => dialog.close());
      dialog.replaceChildren(title, done, ok);
    },
  });
  dialog.append(title, form.el);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  form.focus();
}
