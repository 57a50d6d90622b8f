// The SMS a worker receives links to /worker/#/offers/<offerId>. The page remembers that
// offer until it is answered here, and says plainly when it is no longer waiting for
// this worker (ran out, withdrawn, handed to someone else) instead of silently showing
// nothing or another offer.

import { t } from "../i18n.js";

let linkedOfferId = fromHash();

function fromHash() {
  const m = /^#\/offers\/(\d+)/.exec(location.hash);
  return m ? Number(m[1]) : null;
}

/** The offer id the page was opened for, or null. */
export function linkedOffer() {
  return linkedOfferId;
}

/** Re-read after a hashchange (a second SMS tapped while the page is open). */
export function rereadLink() {
  linkedOfferId = fromHash();
}

/**
 * Shows the notice when the linked offer is not the one on screen. While the worker
 * has an accepted alarm it stays quiet: that alarm may well be the linked offer's.
 */
export function renderLinkNotice(current) {
  const box = document.getElementById("link-notice");
  const busy = current !== null && current.state !== "offered";
  const gone = linkedOfferId !== null && current?.offer?.id !== linkedOfferId && !busy;
  box.hidden = !gone;
  box.textContent = gone ? t("link.gone", { id: linkedOfferId }) : "";
}

/** Forget the link once its offer has been answered, so neither the notice nor the URL lingers. */
export function clearLink(offerId) {
  if (offerId !== linkedOfferId) return;
  linkedOfferId = null;
  if (location.hash) history.replaceState(null, "", `${location.pathname}${location.search}`);
  document.getElementById("link-notice").hidden = true;
}
