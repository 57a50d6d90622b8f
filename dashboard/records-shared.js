// @ts-check
// What the alarm history (history.js) and the audit log (audit.js) pages share: the page
// size, the pager under their tables, the date-and-time format of their rows, the note
// saying which zone those are in, and the words for a refused range. Apart from both so
// that neither page imports the other.

import { centerZone, centerZoneName } from "./center-time.js";
import { h } from "./dom.js";
import { ApiError } from "./http.js";
import { getLang, t } from "./i18n.js";

export const PAGE_SIZE = 50;

/**
 * Date and time on the command center's clock, in the console's language.
 * @param {string | null | undefined} iso
 */
export function dateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  /** @type {Intl.DateTimeFormatOptions} */
  const opts = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(getLang(), {
    ...opts,
    second: "2-digit",
    hourCycle: "h23",
    timeZone: centerZone(),
  }).format(d);
}

/**
 * "1–50 / 123" and the previous / next buttons, shared by the history and audit pages.
 * @param {string} prefix the ids' prefix: `<prefix>-range`, `<prefix>-prev`, `<prefix>-next`
 * @param {(direction: -1 | 1) => void} onPage
 */
export function pager(prefix, onPage) {
  const info = h("span", { id: `${prefix}-range`, class: "hist-range" });
  const prev = h("button", { type: "button", id: `${prefix}-prev`, class: "btn", onclick: () => onPage(-1) });
  const next = h("button", { type: "button", id: `${prefix}-next`, class: "btn", onclick: () => onPage(1) });
  const el = h("div", { class: "hist-pager" }, prev, info, next);
  return {
    el,
    /**
     * @param {number} total rows matching the filters
     * @param {number} from offset of the first row shown
     * @param {number} count rows shown
     */
    update(total, from, count) {
      info.textContent =
        total === 0 ? t("history.none") : t("history.range", { a: from + 1, b: from + count, n: total });
      prev.textContent = t("history.prev");
      next.textContent = t("history.next");
      prev.disabled = from === 0;
      next.disabled = from + count >= total;
    },
  };
}

/**
 * A refused range in words; any other failure as the hub (or the browser) said it.
 * @param {unknown} err
 */
export function refusalText(err) {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  return err.code === "DATE_RANGE_INVALID" ? t("history.rangeInvalid") : `${err.message} [${err.code}]`;
}

/**
 * The line under a page's filters that says which zone its times and days are in.
 * @param {string} id
 */
export function zoneNote(id) {
  return h("p", { id, class: "hist-zone" });
}

/** @param {HTMLElement} note */
export function fillZoneNote(note) {
  note.textContent = t("history.zone", { zone: centerZoneName() });
}
