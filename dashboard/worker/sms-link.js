// @ts-check
// The SMS a worker receives links to /worker/#/offers/<offerId>. The page remembers that
// offer until it is answered here, and says plainly when it is no longer waiting for
// this worker (ran out, withdrawn, handed to someone else) instead of silently showing
// nothing or another offer.

/** @import { ShownAssignment } from "./assignment.js" */

import { byId } from "../dom.js";
import { t } from "../i18n.js";

let linkedOfferId = fromHash();

/** @returns {number | null} */
function fromHash() {
  const m = /^#\/offers\/(\d+)/.exec(location.hash);
  return m ? Number(m[1]) : null;
}

/**
 * The offer id the page was opened for, or null.
 * @returns {number | null}
 */
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
 * @param {ShownAssignment | null} current
 */
export function renderLinkNotice(current) {
  const box = byId("link-notice");
  const linked = linkedOfferId;
  const busy = current !== null && current.state !== "offered";
  const gone = linked !== null && current?.offer?.id !== linked && !busy;
  box.hidden = !gone;
  box.textContent = gone ? t("link.gone", { id: linked }) : "";
}

/**
 * Forget the link once its offer has been answered, so neither the notice nor the URL lingers.
 * @param {number} offerId
 */
export function clearLink(offerId) {
  if (offerId !== linkedOfferId) return;
  linkedOfferId = null;
  if (location.hash) history.replaceState(null, "", `${location.pathname}${location.search}`);
  byId("link-notice").hidden = true;
}
