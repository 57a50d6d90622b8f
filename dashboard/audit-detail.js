// @ts-check
// The audit log's Action and Detail columns in words. The hub stores each action's detail
// as JSON written for machines ({"changes":{"phone":{"from":…,"to":…}},"via":"alarm:7"});
// a supervisor reads it as labelled values: "Changes: Phone 138… → 139…; Via alarm:7".
// A field's label is translated; a field the console has no word for keeps the hub's name
// (marked as data), so a detail added later is still shown, readably, never hidden. Values:
// times on the center's clock and days in the console's language, ids as #n, yes / no,
// codes the console knows (roles, kinds, outcomes, reasons…) in words, and everything a
// person typed or the hub recorded as it came (names, addresses, notes, IP addresses) as
// data, never as interface text. Nested objects read "(label: value; …)", a change
// "before → after", a value withheld from the log "changed (value not logged)".

/** @import { Child } from "./dom.js" */

import { h } from "./dom.js";
import { getLang, t, tMaybe } from "./i18n.js";
import { dateTime } from "./records-shared.js";

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Fields whose text values are codes the console has words for: the field's name (camelCase)
 * → the prefixes of the words' keys, tried in turn. Any other text is shown as it came.
 * @type {Readonly<Record<string, readonly string[]>>}
 */
const CODED = {
  role: ["user.role."],
  kind: ["kind.", "audit.val.kind."],
  outcome: ["outcome.", "history.outcome."],
  status: ["status.", "history.status.", "call.status.", "audit.val.status."],
  reason: ["audit.val.reason."],
  via: ["audit.val.via."],
  why: ["audit.val.reason.", "ev.withdrawn."],
  passwordSource: ["audit.val.passwordSource."],
  channel: ["audit.val.channel."],
  language: ["audit.val.language."],
  source: ["audit.val.source."],
  remembered: ["ev.remembered."],
  target: ["call.target."],
  mark: ["call.mark."],
  // Lists of field names (the health fields disclosed or filled in).
  fields: ["audit.field."],
  healthFields: ["audit.field."],
};

/** @param {string} name snake_case or camelCase */
function camel(name) {
  return name.replace(/_[a-z]/g, (match) => match.slice(1).toUpperCase());
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * @param {unknown} value
 * @returns {value is readonly unknown[]}
 */
function isList(value) {
  return Array.isArray(value);
}

/**
 * Known actions read as words, alarm actions (`alarm_<event>`, copied from the alarm's
 * timeline) as "Alarm: <event>"; an action added later shows its code rather than nothing.
 * @param {string} action
 */
export function actionLabel(action) {
  const known = tMaybe(`audit.act.${action}`);
  if (known !== null) return known;
  const event = action.startsWith("alarm_") ? tMaybe(`event.${action.slice("alarm_".length)}`) : null;
  return event !== null ? t("audit.act.alarmEvent", { event }) : action;
}

/**
 * A field's label: the console's word for it (under its parent's name first: the filters'
 * "from" is a day, a login's "from" an address), else the hub's own name, as data.
 * @param {string} key
 * @param {string} [parent]
 * @returns {string | HTMLElement}
 */
function label(key, parent) {
  const name = camel(key);
  const word = (parent ? tMaybe(`audit.field.${camel(parent)}.${name}`) : null) ?? tMaybe(`audit.field.${name}`);
  return word ?? h("span", { class: "audit-raw", content: true }, key);
}

/**
 * A calendar day (YYYY-MM-DD, already the center's) in the console's language, or null if `text` is none.
 * @param {string} text
 */
function dayText(text) {
  const m = DAY.exec(text);
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(date.getTime())) return null;
  // UTC here: the day is a date on the center's calendar, not an instant to move into a zone.
  return new Intl.DateTimeFormat(getLang(), {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: "UTC",
  }).format(date);
}

/**
 * @param {string} key
 * @param {string} text
 * @returns {string | HTMLElement}
 */
function textView(key, text) {
  if (INSTANT.test(text) && !Number.isNaN(Date.parse(text))) return dateTime(text);
  const day = dayText(text);
  if (day !== null) return day;
  for (const prefix of CODED[camel(key)] ?? []) {
    const word = tMaybe(`${prefix}${text}`);
    if (word !== null) return word;
  }
  return h("span", { content: true }, text);
}

/**
 * Parts joined by a separator, as one element.
 * @param {readonly (string | Node)[]} parts
 * @param {string} separator
 */
function joined(parts, separator) {
  return h(
    "span",
    {},
    parts.flatMap((part, i) => (i === 0 ? [part] : [separator, part])),
  );
}

/**
 * "label: value" pairs of an object inside a detail, in brackets.
 * @param {Record<string, unknown>} record
 * @param {string} parent
 */
function groupView(record, parent) {
  const pairs = Object.entries(record).map(([key, value]) =>
    h(
      "span",
      { class: "audit-pair" },
      h("span", { class: "audit-label" }, label(key, parent), t("audit.colon")),
      valueView(key, value),
    ),
  );
  return h("span", { class: "audit-group" }, t("audit.open"), joined(pairs, t("audit.pairSep")), t("audit.close"));
}

/**
 * One value of field `key`, formatted by what it is.
 * @param {string} key
 * @param {unknown} value
 * @returns {string | HTMLElement}
 */
function valueView(key, value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return t(value ? "audit.yes" : "audit.no");
  if (typeof value === "number") return /(^id|Id)$/.test(camel(key)) ? `#${value}` : String(value);
  if (typeof value === "string") return textView(key, value);
  if (isList(value)) {
    if (value.length === 0) return "—";
    return joined(
      value.map((item) => valueView(key, item)),
      t("audit.listSep"),
    );
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    // A change: what the field held before and after (a filter's from and to are a range, not a change).
    if (key !== "filters" && keys.length === 2 && "from" in value && "to" in value) {
      return h("span", { class: "audit-change" }, valueView(key, value.from), " → ", valueView(key, value.to));
    }
    // A change whose values the hub keeps out of the log (health data, a contact).
    if (keys.length === 1 && value.changed === true) return t("audit.valueHidden");
    return groupView(value, key);
  }
  return h("span", { content: true }, String(value));
}

/**
 * The Detail cell of one audit entry: each field as "label: value" on its own line.
 * @param {unknown} detail the hub's detail (parsed JSON; plain text for a row that held none)
 * @returns {Child}
 */
export function detailView(detail) {
  if (detail === null || detail === undefined) return "—";
  if (!isRecord(detail)) return valueView("", detail);
  const entries = Object.entries(detail);
  if (entries.length === 0) return "—";
  return h(
    "dl",
    { class: "audit-pairs" },
    entries.map(([key, value]) =>
      h(
        "div",
        { dataset: { field: key } },
        h("dt", {}, label(key), t("audit.colon")),
        h("dd", {}, valueView(key, value)),
      ),
    ),
  );
}
