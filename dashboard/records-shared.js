// What the alarm history page (history.js) and the audit page (audit.js) share:
// the page size, the date and time format and the pager. Its own module, so
// neither page imports the other for it.

import { centerZone } from "./center-time.js";
import { h } from "./dom.js";
import { getLang, t } from "./i18n.js";

export const PAGE_SIZE = 50;

/** Date and time on the command center's clock, in the console's language. */
export function dateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const opts = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(getLang(), {
    ...opts,
    second: "2-digit",
    hourCycle: "h23",
    timeZone: centerZone(),
  }).format(d);
}

/** "1–50 / 123" and the previous / next buttons, shared with the audit page. */
export function pager(prefix, onPage) {
  const info = h("span", { id: `${prefix}-range`, class: "hist-range" });
  const prev = h("button", { type: "button", id: `${prefix}-prev`, class: "btn", onclick: () => onPage(-1) });
  const next = h("button", { type: "button", id: `${prefix}-next`, class: "btn", onclick: () => onPage(1) });
  const el = h("div", { class: "hist-pager" }, prev, info, next);
  return {
    el,
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
