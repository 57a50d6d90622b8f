// @ts-check
// The change-password form, one for the console and the worker page: current
// password, new password, the new one again. The policy is the hub's alone (at
// least 12 characters, not a common password): its coded refusals land beside
// the field they are about, in the page's language; only "the two new ones
// differ" is decided here. Built with the DOM API (no markup from strings).
// `t` is the page's translator; `submit(current, next)` calls the hub.

/** @import { SessionUser } from "../protocol/console/index.ts" */

import { asApiError } from "./http.js";

/** @typedef {"current" | "next" | "repeat"} FieldName */
/**
 * One field of the form and what labels it.
 * @typedef {{
 *   input: HTMLInputElement, label: HTMLLabelElement, labelKey: string, hint: HTMLParagraphElement | null,
 *   hintKey: string | null, error: HTMLParagraphElement, wrap: HTMLDivElement,
 * }} Part
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Readonly<Record<string, unknown>>} [attrs]
 * @param {...(Node | string | null | undefined)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = String(v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

/** Which field a coded refusal is about; anything else goes in the summary. @type {Readonly<Partial<Record<string, FieldName>>>} */
const FIELD_OF_CODE = {
  PASSWORD_CURRENT_WRONG: "current",
  PASSWORD_TOO_SHORT: "next",
  PASSWORD_TOO_COMMON: "next",
  PASSWORD_UNCHANGED: "next",
};
/** @type {Readonly<Partial<Record<string, FieldName>>>} */
const FIELD_OF_PATH = { "body.currentPassword": "current", "body.newPassword": "next" };

/**
 * @param {{
 *   t: (key: string, vars?: Readonly<Record<string, string | number>>) => string,
 *   submit: (current: string, next: string) => Promise<SessionUser>,
 *   onDone: (user: SessionUser) => void,
 *   idPrefix?: string,
 *   extra?: Node | null,
 * }} options
 */
export function passwordForm({ t, submit, onDone, idPrefix = "pw", extra = null }) {
  /**
   * @param {FieldName} name
   * @param {string} labelKey
   * @param {string} autocomplete
   * @param {string | null} hintKey
   * @returns {Part}
   */
  const field = (name, labelKey, autocomplete, hintKey) => {
    const id = `${idPrefix}-${name}`;
    const input = el("input", {
      id,
      name,
      type: "password",
      autocomplete,
      required: true,
      maxlength: 256,
      "aria-describedby": `${id}-err`,
    });
    const label = el("label", { for: id });
    const hint = hintKey ? el("p", { class: "field-hint" }) : null;
    const error = el("p", { class: "field-error", id: `${id}-err`, hidden: true });
    const wrap = el("div", { class: "field pw-field", dataset: { field: name } }, label, input, hint, error);
    return { input, label, labelKey, hint, hintKey, error, wrap };
  };
  /** @type {Readonly<Record<FieldName, Part>>} */
  const parts = {
    current: field("current", "password.current", "current-password", null),
    next: field("next", "password.new", "new-password", "password.hint"),
    repeat: field("repeat", "password.repeat", "new-password", null),
  };
  const summary = el("p", { class: "form-error", role: "alert", hidden: true });
  const button = el("button", { type: "submit", class: "btn btn-primary btn-big", id: `${idPrefix}-submit` });
  const form = el(
    "form",
    { class: "pw-form", id: `${idPrefix}-form`, novalidate: true },
    parts.current.wrap,
    parts.next.wrap,
    parts.repeat.wrap,
    summary,
    el("div", { class: "pw-buttons" }, button, extra),
  );

  function label() {
    for (const p of Object.values(parts)) {
      p.label.textContent = t(p.labelKey);
      if (p.hint && p.hintKey) p.hint.textContent = t(p.hintKey, { n: 12 });
    }
    button.textContent = t("password.submit");
  }

  function clear() {
    summary.hidden = true;
    summary.textContent = "";
    for (const p of Object.values(parts)) {
      p.error.hidden = true;
      p.error.textContent = "";
      p.input.removeAttribute("aria-invalid");
      p.wrap.classList.remove("invalid");
    }
  }

  /**
   * @param {FieldName} name
   * @param {string} text
   * @param {string} source the refusal's code, or "client" for the form's own checks
   */
  function mark(name, text, source) {
    const p = parts[name];
    p.error.textContent = text;
    p.error.hidden = false;
    p.error.dataset.source = source;
    p.input.setAttribute("aria-invalid", "true");
    p.wrap.classList.add("invalid");
    p.input.focus();
  }

  /** @param {unknown} caught */
  function showError(caught) {
    const err = asApiError(caught);
    const known = t(`password.err.${err.code}`);
    const text = known === `password.err.${err.code}` ? err.message : known;
    const path = err.errors[0]?.field;
    const name = FIELD_OF_CODE[err.code] ?? (path === undefined ? undefined : FIELD_OF_PATH[path]);
    if (name) return mark(name, text, err.code);
    summary.textContent = `${text} [${err.code}]`;
    summary.hidden = false;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear();
    const current = parts.current.input.value;
    const next = parts.next.input.value;
    /** @type {readonly FieldName[]} */
    const names = ["current", "next", "repeat"];
    for (const name of names) {
      if (parts[name].input.value === "") return mark(name, t("password.err.required"), "client");
    }
    if (parts.repeat.input.value !== next) return mark("repeat", t("password.err.mismatch"), "client");
    button.disabled = true;
    try {
      const user = await submit(current, next);
      for (const p of Object.values(parts)) p.input.value = "";
      onDone(user);
    } catch (err) {
      showError(err);
    } finally {
      button.disabled = false;
    }
  });

  label();
  return { el: form, relabel: label, focus: () => parts.current.input.focus() };
}
