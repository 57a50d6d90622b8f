// @ts-check
// Weekly schedules (workers' shifts, clinics' opening hours): the hub's shape
// `[{days: [1..7], open: "HH:MM", close: "HH:MM"}]`, 1 = Monday. Edited as rows
// of day toggles and two times rather than as text, so nobody has to learn a
// notation; "24:00" closes at the end of the day and a close before the open
// runs past midnight (the hub explains its own refusals, shown beside the field).

/** @import { WeeklyPeriod } from "../protocol/console/index.ts" */

import { h } from "./dom.js";
import { t } from "./i18n.js";

const DAYS = [1, 2, 3, 4, 5, 6, 7];

/**
 * A schedule's editor: its element, the periods it now holds, and a way to focus it.
 * @typedef {{ el: HTMLElement, value: () => WeeklyPeriod[], focus: () => void }} ScheduleEditor
 */

/**
 * "周一、三、五 08:00–17:30" style text of one period.
 * @param {WeeklyPeriod} p
 */
export function periodText(p) {
  const days = [...p.days].sort((a, b) => a - b).map((d) => t(`reg.day.${d}`));
  return `${days.join(t("reg.day.sep"))} ${p.open}–${p.close}`;
}

/** @param {readonly WeeklyPeriod[] | null | undefined} periods */
export function scheduleText(periods) {
  return periods?.length ? periods.map(periodText).join("; ") : t("reg.schedule.none");
}

/**
 * The input `selector` finds in `root`, a row built here: one missing is a bug, said at once.
 * @param {ParentNode} root
 * @param {string} selector
 */
function inputIn(root, selector) {
  const el = root.querySelector(selector);
  if (!(el instanceof HTMLInputElement)) throw new Error(`${selector}: no input in this schedule row`);
  return el;
}

/**
 * @param {WeeklyPeriod[] | null | undefined} periods
 * @param {{ editable: boolean, idPrefix: string, labelledBy: string }} options
 * @returns {ScheduleEditor}
 */
export function scheduleEditor(periods, { editable, idPrefix, labelledBy }) {
  const list = h("ol", { class: "schedule", "aria-labelledby": labelledBy });
  const el = h("div", { class: "schedule-editor", id: idPrefix }, list);
  let rowCount = 0;

  if (!editable) {
    list.append(
      ...(periods?.length
        ? periods.map((p) => h("li", {}, periodText(p)))
        : [h("li", { class: "muted" }, t("reg.schedule.none"))]),
    );
    return { el, value: () => periods ?? [], focus() {} };
  }

  /** @param {WeeklyPeriod} p */
  function row(p) {
    rowCount += 1;
    const rid = `${idPrefix}-${rowCount}`;
    const days = DAYS.map((d) =>
      h(
        "label",
        { class: "day", for: `${rid}-d${d}` },
        h("input", {
          type: "checkbox",
          id: `${rid}-d${d}`,
          value: String(d),
          checked: p.days.includes(d),
        }),
        t(`reg.day.${d}`),
      ),
    );
    const open = h("input", {
      class: "time open",
      value: p.open,
      placeholder: "08:00",
      size: 5,
      "aria-label": t("reg.schedule.open"),
    });
    const close = h("input", {
      class: "time close",
      value: p.close,
      placeholder: "17:30",
      size: 5,
      "aria-label": t("reg.schedule.close"),
    });
    const li = h(
      "li",
      { class: "period" },
      h("span", { class: "days" }, days),
      open,
      "–",
      close,
      h("button", { type: "button", class: "btn btn-small", onclick: () => li.remove() }, t("reg.schedule.remove")),
    );
    return li;
  }

  list.append(...(periods ?? []).map(row));
  const add = h(
    "button",
    {
      type: "button",
      class: "btn btn-small add-period",
      onclick: () => {
        const li = row({ days: [1, 2, 3, 4, 5], open: "08:00", close: "17:30" });
        list.append(li);
        inputIn(li, "input.open").focus();
      },
    },
    t("reg.schedule.add"),
  );
  el.append(add);

  return {
    el,
    value: () =>
      [...list.querySelectorAll("li.period")].map((li) => ({
        days: [...li.querySelectorAll(".day input:checked")]
          .filter((i) => i instanceof HTMLInputElement)
          .map((i) => Number(i.value)),
        open: inputIn(li, "input.open").value.trim(),
        close: inputIn(li, "input.close").value.trim(),
      })),
    focus: () => (list.querySelector("input") ?? add).focus(),
  };
}
