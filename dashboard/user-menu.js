// @ts-check
// The account menu at the right of the top bar: the signed-in name, and under it
// what concerns the account rather than the alarms (change password, desktop alerts,
// sign out), so the bar stays one line at 1366 px in both languages. A <details>
// element: Enter or Space on the name opens it and Tab walks its items natively;
// this adds what a menu is expected to do besides: Escape closes it (focus back on
// the name), and so does a click outside it or on one of its items.

/** @type {HTMLDetailsElement | null} */
let menu = null;

/** @param {HTMLDetailsElement} details */
export function initUserMenu(details) {
  menu = details;
  const summary = details.querySelector("summary");
  // Capture, so the menu is closed (and the focus on the name) before the item's own action
  // runs: a dialog it opens then gives the focus back to the name, not to a hidden item.
  details.addEventListener(
    "click",
    (ev) => {
      if (ev.target instanceof Element && ev.target.closest(".user-menu-items button")) {
        details.open = false;
        summary?.focus();
      }
    },
    true,
  );
  details.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape" || !details.open) return;
    // The menu's Escape only: the Alarms page's Escape (closing the alarm) is not meant.
    ev.stopPropagation();
    ev.preventDefault();
    details.open = false;
    summary?.focus();
  });
  document.addEventListener("pointerdown", (ev) => {
    if (details.open && ev.target instanceof Node && !details.contains(ev.target)) details.open = false;
  });
}

/** Closed again, e.g. at sign-out, so the next session starts with it shut. */
export function closeUserMenu() {
  if (menu) menu.open = false;
}
