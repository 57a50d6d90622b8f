// @ts-check
// Dates typed by hand as YYYY-MM-DD: the history, audit and KPI filters and the registry's
// date fields (form.js). Not <input type="date">: it shows the browser's own format (11/30/2026
// in a Chinese console on an English browser), whatever the page's `lang` or Intl say, and the
// console must read the same in both of its languages. So a text field, the format as its
// placeholder, a numeric keyboard on touch screens, and a check here that explains, in the
// console's language, a day that is badly written or not on the calendar (2026-02-30) before
// anything is sent. The hub checks again (DATE_RANGE_INVALID, KPI_RANGE_INVALID, and the
// registry's VALIDATION_FAILED on body.birthDate).

import { h } from "./dom.js";
import { t } from "./i18n.js";

/** What a day field shows while empty: the one format it takes. */
const DAY_FORMAT = "YYYY-MM-DD";
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** What is wrong with a typed day. @typedef {"format" | "impossible"} DayProblem */
/** A typed day read: the day, or what is wrong with it. @typedef {{ day: string } | { problem: DayProblem }} DayReading */

/**
 * A day field's attributes: a text input taking YYYY-MM-DD (`pattern` for assistive tools and
 * CSS; the forms are `novalidate`, so the browser's own bubble, in its own language, never shows).
 */
export const DAY_INPUT = {
  type: "text",
  inputmode: "numeric",
  placeholder: DAY_FORMAT,
  pattern: "\\d{4}-\\d{2}-\\d{2}",
  maxlength: 10,
  autocomplete: "off",
  spellcheck: "false",
  size: 10,
};

/**
 * A day field of a filter form.
 * @param {{ id: string, name: string, required?: boolean }} attrs
 */
export function dayInput({ id, name, required = false }) {
  return h("input", { ...DAY_INPUT, id, name, required });
}

/**
 * `text` as a calendar day YYYY-MM-DD. Full-width digits and dashes (a Chinese input method)
 * count as the plain ones.
 * @param {string} text
 * @returns {DayReading}
 */
export function parseDay(text) {
  const day = text.normalize("NFKC").trim();
  const parts = DAY.exec(day);
  if (!parts) return { problem: "format" };
  const [year, month, date] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const length = lengths[month - 1];
  if (length === undefined || date < 1 || date > length) return { problem: "impossible" };
  return { day };
}

/**
 * The i18n key of the words for a day field's problem, said beside the field.
 * @param {DayProblem} problem
 */
export function dayProblemKey(problem) {
  return `date.${problem}`;
}

/** A filter's day field and its label's i18n key. @typedef {{ input: HTMLInputElement, label: string }} DayField */

/**
 * Checks a filter's "from" and "to" fields together: each a calendar day (or empty, where
 * `required` is false), "from" not after "to". On a problem, `showError` is told what is wrong
 * in the console's language, the field is marked (aria-invalid) and focused, and the answer is
 * false: the page sends nothing. A field read well is written back as read (plain digits).
 * @param {DayField} from
 * @param {DayField} to
 * @param {{ required: boolean, showError: (message: string) => void }} options
 * @returns {boolean}
 */
export function checkDayRange(from, to, { required, showError }) {
  /**
   * @param {HTMLInputElement} input
   * @param {string} message
   */
  const refuse = (input, message) => {
    input.setAttribute("aria-invalid", "true");
    input.focus();
    showError(message);
    return false;
  };
  /** @type {(string | null)[]} */
  const days = [];
  for (const field of [from, to]) field.input.removeAttribute("aria-invalid");
  for (const { input, label } of [from, to]) {
    const field = t(label);
    if (input.value.trim() === "") {
      if (required) return refuse(input, t("date.inField", { field, problem: t("date.required") }));
      days.push(null);
      continue;
    }
    const reading = parseDay(input.value);
    if ("problem" in reading) {
      return refuse(input, t("date.inField", { field, problem: t(dayProblemKey(reading.problem)) }));
    }
    input.value = reading.day;
    days.push(reading.day);
  }
  const [first = null, last = null] = days;
  if (first !== null && last !== null && first > last) return refuse(from.input, t("date.rangeOrder"));
  return true;
}

/**
 * A filter's download link that downloads nothing while `check` finds the range bad (it says why);
 * otherwise `refresh` rewrites its address from the fields just read, and the download goes ahead.
 * @param {HTMLAnchorElement} link
 * @param {() => boolean} check
 * @param {() => void} refresh
 */
export function guardDownload(link, check, refresh) {
  link.addEventListener("click", (ev) => {
    if (check()) refresh();
    else ev.preventDefault();
  });
}
