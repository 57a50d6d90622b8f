// The change-password form, one for the console and the worker page: current
// password, new password, the new one again. The policy is the hub's alone (at
// least 12 characters, not a common password): its coded refusals land beside
// the field they are about, in the page's language; only "the two new ones
// differ" is decided here. Built with the DOM API (no markup from strings).
// `t` is the page's translator; `submit(current, next)` calls the hub.

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

/** Which field a coded refusal is about; anything else goes in the summary. */
const FIELD_OF_CODE = {
  PASSWORD_CURRENT_WRONG: "current",
  PASSWORD_TOO_SHORT: "next",
  PASSWORD_TOO_COMMON: "next",
  PASSWORD_UNCHANGED: "next",
};
const FIELD_OF_PATH = { "body.currentPassword": "current", "body.newPassword": "next" };

export function passwordForm({ t, submit, onDone, idPrefix = "pw", extra = null }) {
  const parts = {};
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
    parts[name] = { input, label, labelKey, hint, hintKey, error, wrap };
    return wrap;
  };
  const summary = el("p", { class: "form-error", role: "alert", hidden: true });
  const button = el("button", { type: "submit", class: "btn btn-primary btn-big", id: `${idPrefix}-submit` });
  const form = el(
    "form",
    { class: "pw-form", id: `${idPrefix}-form`, novalidate: true },
    field("current", "password.current", "current-password", null),
    field("next", "password.new", "new-password", "password.hint"),
    field("repeat", "password.repeat", "new-password", null),
    summary,
    el("div", { class: "pw-buttons" }, button, extra),
  );

  function label() {
    for (const p of Object.values(parts)) {
      p.label.textContent = t(p.labelKey);
      if (p.hint) p.hint.textContent = t(p.hintKey, { n: 12 });
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

  function mark(name, text, source) {
    const p = parts[name];
    p.error.textContent = text;
    p.error.hidden = false;
    p.error.dataset.source = source;
    p.input.setAttribute("aria-invalid", "true");
    p.wrap.classList.add("invalid");
    p.input.focus();
  }

  function showError(err) {
    const known = t(`password.err.${err.code}`);
    const text = known === `password.err.${err.code}` ? err.message : known;
    const name = FIELD_OF_CODE[err.code] ?? FIELD_OF_PATH[err.errors?.[0]?.field];
    if (name) return mark(name, text, err.code);
    summary.textContent = `${text} [${err.code}]`;
    summary.hidden = false;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear();
    const current = parts.current.input.value;
    const next = parts.next.input.value;
    for (const name of ["current", "next", "repeat"]) {
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
