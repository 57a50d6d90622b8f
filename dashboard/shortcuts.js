// @ts-check
// Keyboard shortcuts of the Alarms page: a acknowledges the top unacknowledged
// alarm, j/k or the arrows select, Enter opens, r resolves (a dialog asks for the
// outcome), Esc closes. The help line at the bottom lists them (help.keysAll).

import * as detail from "./detail.js";
import * as queue from "./queue.js";

/**
 * The alarm a shortcut means: the one open in the detail panel, else the selected row, else the top row.
 * @returns {number | null}
 */
function target() {
  return detail.currentDetailId() ?? queue.getSelected() ?? queue.sorted()[0]?.id ?? null;
}

/**
 * `active()` is false while nobody is logged in.
 * @param {KeyboardEvent} ev
 * @param {() => boolean} active
 */
export function onKey(ev, active) {
  if (!active() || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const on = ev.target instanceof Element ? ev.target : null;
  // Typing a note or a password must never acknowledge an alarm.
  if (on?.closest("input, textarea, select")) return;
  // Nor a key pressed on the registry page (the alarm is not in view) or in a confirmation.
  if (document.body.dataset.page !== "alarms" || document.querySelector("dialog[open]")) return;
  switch (ev.key) {
    case "a": {
      const top = queue.topUnacked();
      if (top) detail.acknowledge(top.id);
      break;
    }
    case "j":
    case "ArrowDown":
      queue.moveSelection(1);
      break;
    case "k":
    case "ArrowUp":
      queue.moveSelection(-1);
      break;
    case "Enter": {
      // Enter on a focused button must keep activating that button (the account menu's name too).
      if (on?.closest("button, a, summary")) return;
      const id = queue.getSelected() ?? queue.sorted()[0]?.id ?? null;
      if (id === null) return;
      queue.select(id);
      detail.openDetail(id);
      break;
    }
    case "r":
      detail.resolve(target());
      break;
    case "Escape":
      detail.closeDetail();
      break;
    default:
      return;
  }
  ev.preventDefault();
}
