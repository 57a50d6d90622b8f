// One place for what just happened: a short confirmation after each action, or the
// hub's refusal. Confirmations fade; errors stay until the next message or a tap,
// because a worker glancing back at the phone must still see that something failed.
// The text is kept as a function so a language switch re-renders it.

const OK_MS = 6_000;
let timer = null;
let render = null;

/** kind: ok | info | error; text: () => string, evaluated now and on every language change. */
export function showFeedback(kind, text) {
  const box = document.getElementById("feedback");
  clearTimeout(timer);
  render = text;
  box.dataset.kind = kind;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.textContent = text();
  box.hidden = false;
  if (kind !== "error") timer = setTimeout(hideFeedback, OK_MS);
}

export function refreshFeedback() {
  const box = document.getElementById("feedback");
  if (render && !box.hidden) box.textContent = render();
}

export function hideFeedback() {
  clearTimeout(timer);
  render = null;
  document.getElementById("feedback").hidden = true;
}

document.getElementById("feedback").addEventListener("click", hideFeedback);
