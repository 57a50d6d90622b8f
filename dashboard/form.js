// @ts-check
// Registry forms from field specs. What a form promises the administrator:
// required fields are marked and checked before anything is sent; everything
// else is left to the hub, whose `errors[].field` messages (e.g. `body.phone`)
// are shown beside the field they name, translated when we know the wording.
// Read-only (operators, supervisors): same layout, controls not editable.
//
// Field spec: { name, label, type, required, options, hint, wide, rows, paths, number, placeholder }
// types: text tel number date datetime textarea select checkbox tags schedule json static

/** @import { WeeklyPeriod } from "../protocol/console/index.ts" */
/** @import { ScheduleEditor } from "./schedule-editor.js" */

import { centerWallTime, centerWallToIso } from "./center-time.js";
import { DAY_INPUT, dayProblemKey, parseDay } from "./day-field.js";
import { h } from "./dom.js";
import { ApiError } from "./http.js";
import { t, tMaybe } from "./i18n.js";
import { scheduleEditor } from "./schedule-editor.js";

/** @typedef {"text" | "tel" | "number" | "date" | "datetime" | "textarea" | "select" | "checkbox" | "tags" | "schedule" | "json" | "static"} FieldType */
/**
 * One choice of a select: its value, and its label, an i18n key or, when `isContent`, registry data shown as-is.
 * @typedef {readonly [value: string | number, label: string, isContent?: boolean]} SelectOption
 */
/**
 * One field of a form. `label`, `hint` and option labels are i18n keys; `paths` are the other
 * places in a request body the hub may name for this field (`consent.at`); `number` reads a
 * select's value as a number; `isContent: false` marks a static field's text as interface text.
 * @typedef {{
 *   name: string,
 *   label: string,
 *   type?: FieldType,
 *   required?: boolean,
 *   options?: readonly SelectOption[] | (() => readonly SelectOption[]),
 *   hint?: string,
 *   wide?: boolean,
 *   rows?: number,
 *   paths?: readonly string[],
 *   number?: boolean,
 *   placeholder?: string,
 *   isContent?: boolean,
 * }} FieldSpec
 */
/**
 * A form's values by field name: what it was drawn with (a record's fields), or what it read
 * (null for a field left empty; a number, a date-time, a list of tags, a schedule, parsed JSON).
 * Which field holds what is the field specs' to say, so the values are `unknown` until read.
 * @typedef {Readonly<Record<string, unknown>>} FormValues
 */
/** Coded refusals without a field (e.g. HOUSEHOLD_OUTSIDE_GRIDS) → the field they concern. @typedef {Readonly<Record<string, string>>} CodeFields */
/** A field's control, where the person types or picks. @typedef {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} Control */
/**
 * One drawn field: its element (`input`: the control, the schedule's editor or a static text),
 * its control when it has one, and where its error shows.
 * @typedef {{
 *   spec: FieldSpec,
 *   input: HTMLElement,
 *   control: Control | null,
 *   schedule: ScheduleEditor | null,
 *   error: HTMLParagraphElement,
 *   wrap: HTMLDivElement,
 * }} Part
 */
/**
 * @typedef {{
 *   el: HTMLFormElement,
 *   read: () => Record<string, unknown> | null,
 *   snapshot: () => Record<string, unknown>,
 *   setErrors: (err: unknown) => void,
 *   clearErrors: () => void,
 *   input: (name: string) => HTMLElement | null,
 * }} Form
 */

let formCount = 0;

/** JSON.parse, whose answer is unknown until a reader narrows it (the hub checks a JSON field's value). */
const parseJson = /** @type {(text: string) => unknown} */ (JSON.parse);

/** The hub's field messages (hub/http/routes/registry/validation-messages.ts) we can say in both languages. */
const SERVER_MESSAGES = [
  ["is required", "reg.msg.required"],
  ["must not be blank", "reg.msg.blank"],
  ["is not a known field", "reg.msg.unknownField"],
  ["must be an E.164 phone number", "reg.msg.phone"],
  ["must be 1–32 letters, digits, '-' or '_'", "reg.msg.code"],
  ["must be 1–32 lower-case letters", "reg.msg.tag"],
  ["must be 1–64 letters, digits", "reg.msg.deviceId"],
  ["must be a calendar date", "reg.msg.date"],
  ["must be an ISO 8601 date and time", "reg.msg.datetime"],
  ["must be a time HH:MM from 00:00 to 23:59", "reg.msg.openTime"],
  ["must be a time HH:MM from 00:00 to 24:00", "reg.msg.closeTime"],
  ["must not be in the future", "reg.msg.future"],
  // The accounts API (hub/accounts/account-rules.ts) answers through the same validator.
  ["must be 2–32 letters, digits, '.'", "users.msg.username"],
  ["must be a phone number in E.164 form", "users.msg.contact"],
];

/** @param {string} message */
function serverMessage(message) {
  const known = SERVER_MESSAGES.find(([prefix]) => String(message).startsWith(prefix));
  return known ? t(known[1]) : null;
}

/**
 * ISO → the center's "YYYY-MM-DDTHH:MM" a datetime-local input takes (center-time.js).
 * @param {string} iso
 */
function toLocalInput(iso) {
  return centerWallTime(new Date(iso));
}

/**
 * A failure as an ApiError, to show: the hub's refusals are one already; anything else (a
 * bug, a thrown Error) keeps its message under the code CLIENT_ERROR.
 * @param {unknown} err
 */
export function apiErrorOf(err) {
  if (err instanceof ApiError) return err;
  return new ApiError(0, "CLIENT_ERROR", err instanceof Error ? err.message : String(err));
}

/**
 * @param {FieldSpec} spec
 * @param {unknown} value
 * @param {string} id
 * @param {boolean} editable
 * @returns {Control}
 */
function control(spec, value, id, editable) {
  const common = { id, name: spec.name, "aria-describedby": `${id}-err` };
  const v = value ?? "";
  switch (spec.type) {
    case "textarea":
      // A textarea's value is a text node: registry data, shown as typed in every language (see dom.js).
      return h(
        "textarea",
        { ...common, content: true, rows: spec.rows ?? 2, readonly: !editable, placeholder: spec.placeholder },
        String(v),
      );
    case "json":
      return h(
        "textarea",
        { ...common, content: true, rows: spec.rows ?? 8, spellcheck: "false", class: "mono", readonly: !editable },
        v === "" ? "" : JSON.stringify(v, null, 2),
      );
    case "select": {
      const options = (typeof spec.options === "function" ? spec.options() : spec.options) ?? [];
      const sel = h(
        "select",
        { ...common, disabled: !editable },
        spec.required ? null : h("option", { value: "" }, t("reg.choose")),
        options.map(([val, label, isContent]) =>
          h("option", { value: String(val), "data-content": isContent ? "" : null }, isContent ? label : t(label)),
        ),
      );
      sel.value = String(v);
      return sel;
    }
    case "checkbox":
      return h("input", { ...common, type: "checkbox", checked: Boolean(value), disabled: !editable });
    case "tags":
      return h("input", {
        ...common,
        value: Array.isArray(value) ? value.join(", ") : "",
        readonly: !editable,
        placeholder: spec.placeholder,
      });
    case "date":
      // Typed as YYYY-MM-DD, not the browser's date picker, which writes dates its own way (day-field.js).
      return h("input", { ...common, ...DAY_INPUT, value: String(v), readonly: !editable });
    case "datetime":
      return h("input", {
        ...common,
        type: "datetime-local",
        value: typeof v === "string" && v ? toLocalInput(v) : "",
        readonly: !editable,
      });
    default: {
      const type = spec.type === "number" || spec.type === "tel" ? spec.type : "text";
      const extra = spec.type === "number" ? { step: "any" } : {};
      return h("input", {
        ...common,
        ...extra,
        type,
        value: String(v),
        readonly: !editable,
        placeholder: spec.placeholder,
      });
    }
  }
}

/**
 * `createForm({fields, values, editable, submitKey, onSubmit, codeFields, extra})`.
 * `onSubmit(values)` may throw an ApiError; its field errors land beside the fields,
 * and `codeFields` maps coded refusals without a field (e.g. HOUSEHOLD_OUTSIDE_GRIDS) to one.
 * @param {{
 *   fields: readonly FieldSpec[],
 *   values?: FormValues,
 *   editable: boolean,
 *   submitKey?: string,
 *   onSubmit?: (values: Record<string, unknown>) => Promise<unknown>,
 *   codeFields?: CodeFields,
 *   extra?: Node | null,
 * }} options
 * @returns {Form}
 */
export function createForm({
  fields,
  values = {},
  editable,
  submitKey = "reg.save",
  onSubmit,
  codeFields = {},
  extra,
}) {
  formCount += 1;
  const prefix = `rf${formCount}`;
  /** @type {Map<string, Part>} */
  const parts = new Map();
  const summary = h("div", { class: "form-error", role: "alert", hidden: true });
  const grid = h("div", { class: "form-grid" });

  for (const spec of fields) {
    const id = `${prefix}-${spec.name.replace(/\W/g, "-")}`;
    const label = h(
      "label",
      { for: id, id: `${id}-label` },
      t(spec.label),
      spec.required && editable ? h("span", { class: "req", title: t("reg.required") }, " *") : null,
    );
    /** @type {HTMLElement} */
    let input;
    /** @type {Control | null} */
    let typed = null;
    /** @type {ScheduleEditor | null} */
    let schedule = null;
    if (spec.type === "static") {
      input = h("div", { id, class: "static", content: spec.isContent ?? true }, String(values[spec.name] ?? "—"));
    } else if (spec.type === "schedule") {
      // A schedule field is drawn with the record's schedule (the contract's weekly periods), or none.
      const periods = /** @type {WeeklyPeriod[] | null | undefined} */ (values[spec.name]);
      schedule = scheduleEditor(periods ?? [], { editable, idPrefix: id, labelledBy: `${id}-label` });
      input = schedule.el;
    } else {
      typed = control(spec, values[spec.name], id, editable);
      input = typed;
      if (spec.required && editable) input.setAttribute("aria-required", "true");
    }
    const error = h("p", { class: "field-error", id: `${id}-err`, hidden: true });
    // Hints say how to fill a field in: noise for someone who can only read it.
    const hint = spec.hint && editable ? h("p", { class: "field-hint" }, t(spec.hint)) : null;
    const wrap = h(
      "div",
      { class: `field field-${spec.type ?? "text"}${spec.wide ? " wide" : ""}`, dataset: { field: spec.name } },
      label,
      input,
      hint,
      error,
    );
    grid.append(wrap);
    parts.set(spec.name, { spec, input, control: typed, error, schedule, wrap });
  }

  const submit =
    editable && onSubmit ? h("button", { type: "submit", class: "btn btn-primary btn-big" }, t(submitKey)) : null;
  const buttons = h("div", { class: "form-buttons" }, submit, extra ?? null);
  const el = h("form", { class: `reg-form${editable ? "" : " readonly"}`, novalidate: true }, summary, grid, buttons);

  /**
   * @param {string} name
   * @param {string} text
   * @param {"server" | "client"} source
   * @param {string} [raw] the hub's own words, kept in the title
   */
  function showError(name, text, source, raw) {
    const part = parts.get(name);
    if (!part) return false;
    part.error.textContent = text;
    part.error.hidden = false;
    part.error.dataset.source = source;
    if (raw) part.error.title = raw;
    part.input.setAttribute?.("aria-invalid", "true");
    part.wrap.classList.add("invalid");
    return true;
  }

  function clearErrors() {
    summary.hidden = true;
    summary.replaceChildren();
    for (const part of parts.values()) {
      part.error.hidden = true;
      part.error.textContent = "";
      part.input.removeAttribute?.("aria-invalid");
      part.wrap.classList.remove("invalid");
    }
  }

  /**
   * `body.position.lat` → the field for it (a field may claim extra `paths`), and what is left of the path.
   * @param {string} path
   * @returns {{ name: string, sub: string } | null}
   */
  function fieldFor(path) {
    const rest = String(path).replace(/^body\.?/, "");
    for (const [name, part] of parts) {
      if (rest === name || part.spec.paths?.includes(rest)) return { name, sub: "" };
    }
    const segs = rest.split(".");
    for (let i = segs.length - 1; i > 0; i -= 1) {
      const head = segs.slice(0, i).join(".");
      if (parts.has(head)) return { name: head, sub: segs.slice(i).join(".") };
    }
    return null;
  }

  /**
   * Shows an ApiError: field errors beside their fields, anything else in the summary at the top.
   * @param {unknown} failure
   */
  function setErrors(failure) {
    const err = apiErrorOf(failure);
    clearErrors();
    /** @type {string[]} */
    const loose = [];
    /** @type {string | null} */
    let first = null;
    for (const e of err.errors) {
      const target = fieldFor(e.field);
      const text = serverMessage(e.message) ?? e.message;
      const where = target?.sub ? `${target.sub.replace(/^(\d+)/, (n) => `#${Number(n) + 1}`)}: ` : "";
      if (target && showError(target.name, where + text, "server", e.message)) first ??= target.name;
      else loose.push(`${e.field}: ${e.message}`);
    }
    const coded = codeFields[err.code];
    const codedText = tMaybe(`error.${err.code}`);
    if (coded && showError(coded, codedText ?? err.message, "server", err.message)) first ??= coded;
    summary.replaceChildren(
      h("strong", {}, `${t("error.generic")}: `),
      h("span", {}, first && !loose.length ? t("reg.fixFields") : (codedText ?? err.message)),
      ...loose.map((l) => h("span", { class: "loose", lang: "en" }, ` ${l}`)),
      h("code", { class: "err-code" }, ` [${err.code}${err.status ? ` · ${err.status}` : ""}]`),
    );
    summary.hidden = false;
    if (first) parts.get(first)?.input.focus?.();
  }

  /**
   * The form's values, and the first field missing or unreadable (marked when `mark`).
   * @param {boolean} mark
   */
  function collect(mark) {
    if (mark) clearErrors();
    /** @type {Record<string, unknown>} */
    const out = {};
    /** @type {string | null} */
    let first = null;
    /**
     * @param {string} name
     * @param {string} key
     */
    const bad = (name, key) => {
      if (mark) showError(name, t(key), "client");
      first ??= name;
    };
    for (const [name, { spec, control, schedule }] of parts) {
      if (spec.type === "static") continue;
      /** @type {unknown} */
      let v;
      if (schedule) v = schedule.value();
      else if (!control)
        continue; // only static fields and schedules have no control
      else if (spec.type === "checkbox") v = control instanceof HTMLInputElement && control.checked;
      else if (spec.type === "tags") v = control.value.split(/[,，;\s]+/).filter(Boolean);
      else {
        const raw = control.value.trim();
        if (raw === "") v = null;
        else if (spec.type === "number" || spec.number) {
          v = Number(raw);
          if (!Number.isFinite(v)) bad(name, "reg.msg.number");
        } else if (spec.type === "date") {
          const reading = parseDay(raw);
          v = "day" in reading ? reading.day : raw;
          if ("problem" in reading) bad(name, dayProblemKey(reading.problem));
        } else if (spec.type === "datetime") {
          v = centerWallToIso(raw);
          if (v === null) bad(name, "reg.msg.datetime");
        } else if (spec.type === "json") {
          try {
            v = parseJson(raw);
          } catch {
            bad(name, "reg.msg.json");
          }
        } else v = raw;
      }
      if (spec.required && (v === null || v === undefined)) bad(name, "reg.msg.required");
      out[name] = v;
    }
    return { values: out, first };
  }

  /** The form's values, or null after marking what is missing or unreadable. */
  function read() {
    const { values, first } = collect(true);
    if (first) {
      summary.replaceChildren(h("strong", {}, t("reg.fixFields")));
      summary.hidden = false;
      parts.get(first)?.input.focus?.();
      return null;
    }
    return values;
  }

  el.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!submit || !onSubmit) return;
    const v = read();
    if (!v) return;
    // A "saved" line on the page speaks of the last save: while this one is in
    // flight it would claim more than is true (and a later one replaces it).
    for (const stale of document.querySelectorAll(".reg-flash")) stale.remove();
    submit.disabled = true;
    try {
      await onSubmit(v);
    } catch (err) {
      setErrors(err);
    } finally {
      submit.disabled = false;
    }
  });

  return {
    el,
    read,
    // Read without marking: the baseline a PATCH is compared with.
    snapshot: () => collect(false).values,
    setErrors,
    clearErrors,
    input: (name) => parts.get(name)?.input ?? null,
  };
}

/**
 * Keys of `body` whose value differs from `before` (a PATCH sends only what changed).
 * @param {Readonly<Record<string, unknown>>} body
 * @param {Readonly<Record<string, unknown>>} before
 */
export function changed(body, before) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(body)) {
    if (JSON.stringify(v ?? null) !== JSON.stringify(before[k] ?? null)) out[k] = v;
  }
  return out;
}
