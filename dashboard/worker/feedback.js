// @ts-check
// One place for what just happened: a short confirmation after each action, or the
// hub's refusal. Confirmations fade; errors stay until the next message or a tap,
// because a worker glancing back at the phone must still see that something failed.
// The text is kept as a function so a language switch re-renders it.

import { byId } from "../dom.js";

/** @typedef {"ok" | "info" | "error"} FeedbackKind */

const OK_MS = 6_000;
/** @type {number | undefined} */
let timer;
/** @type {(() => string) | null} */
let render = null;

/**
 * kind: ok | info | error; text: () => string, evaluated now and on every language change.
 * @param {FeedbackKind} kind
 * @param {() => string} text
 */
export function showFeedback(kind, text) {
  const box = byId("feedback");
  clearTimeout(timer);
  render = text;
  box.dataset.kind = kind;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.textContent = text();
  box.hidden = false;
  if (kind !== "error") timer = setTimeout(hideFeedback, OK_MS);
}

export function refreshFeedback() {
  const box = byId("feedback");
  if (render && !box.hidden) box.textContent = render();
}

export function hideFeedback() {
  clearTimeout(timer);
  render = null;
  byId("feedback").hidden = true;
}

byId("feedback").addEventListener("click", hideFeedback);
