// @ts-check
// Placing an unlocated alarm by hand (issue 14): a call from a number the
// registry does not know, or a withheld one, raises an alarm nobody can be sent
// to. The operator calls back, learns where the caller is, picks the household
// here, and may keep the number in the registry for the next call. The hub then
// processes the alarm again (located, relatives texted, a worker offered).
// Built once and kept across the panel's live re-renders, like the dispatch
// card, so a search being typed survives pushes.

/** @import { AlarmDetail, AlarmSummary, PlaceAlarm } from "../protocol/console/index.ts" */

import { h } from "./dom.js";
import { asApiError, request } from "./http.js";
import { applyStatic, t, tMaybe } from "./i18n.js";
import { isClosed } from "./queue.js";

const SEARCH_DELAY_MS = 250;

/** A household the operator can pick. @typedef {{ id: number, code: string, address: string }} HouseholdChoice */
/** The part of the registry's household page (GET /api/registry/households) the search reads. @typedef {{ items: HouseholdChoice[] }} HouseholdMatches */

/** @param {unknown} err */
function errorText(err) {
  const { code, message } = asApiError(err);
  return tMaybe(`error.${code}`) ?? message ?? t("error.generic");
}

/** @param {{ onPlaced: (summary: AlarmSummary) => void }} handlers */
export function createPlaceCard({ onPlaced }) {
  /** @type {AlarmDetail | null} */
  let alarm = null;
  /** @type {HouseholdChoice | null} */
  let chosen = null;
  let searchSeq = 0;
  /** @type {number | undefined} */
  let timer;

  const search = h("input", {
    id: "place-search",
    type: "search",
    maxlength: 100,
    autocomplete: "off",
    "data-i18n-placeholder": "place.searchPlaceholder",
  });
  const options = h("ul", { id: "place-options", class: "place-options" });
  const choice = h("p", { id: "place-choice", class: "place-choice" });
  const remember = h(
    "select",
    { id: "place-remember" },
    h("option", { value: "", "data-i18n": "place.rememberNone" }),
    h("option", { value: "resident_phone", "data-i18n": "place.rememberResident" }),
    h("option", { value: "landline", "data-i18n": "place.rememberLandline" }),
  );
  const rememberLabel = h("label", { for: "place-remember" }, h("span", { "data-i18n": "place.remember" }), remember);
  const submit = h("button", {
    id: "btn-place",
    type: "submit",
    class: "btn btn-primary",
    "data-i18n": "place.submit",
  });
  const error = h("p", { id: "place-error", class: "form-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "place-form" },
    h("label", { for: "place-search" }, h("span", { "data-i18n": "place.search" }), search),
    options,
    choice,
    rememberLabel,
    submit,
    error,
  );
  const el = h(
    "section",
    { class: "card place-card", id: "place-card" },
    h("h3", { "data-i18n": "place.title" }),
    h("p", { class: "hint", "data-i18n": "place.hint" }),
    form,
  );

  /** @param {string | null} text */
  function showError(text) {
    error.textContent = text ?? "";
    error.hidden = !text;
  }

  function sync() {
    choice.textContent = chosen ? t("place.chosen", { code: chosen.code, address: chosen.address }) : "";
    submit.disabled = chosen === null;
    rememberLabel.hidden = !alarm?.caller;
  }

  async function lookUp() {
    const q = search.value.trim();
    const seq = ++searchSeq;
    if (!q) return options.replaceChildren();
    try {
      /** @type {HouseholdMatches} */
      const page = await request("GET", `/api/registry/households?limit=8&q=${encodeURIComponent(q)}`);
      if (seq !== searchSeq) return;
      options.replaceChildren(
        ...(page.items.length === 0
          ? [h("li", { class: "muted" }, t("place.noMatch"))]
          : page.items.map((hh) =>
              h(
                "li",
                {},
                h(
                  "button",
                  {
                    type: "button",
                    class: "place-option",
                    dataset: { id: String(hh.id) },
                    content: true,
                    onclick: () => {
                      chosen = { id: hh.id, code: hh.code, address: hh.address };
                      sync();
                    },
                  },
                  `${hh.code} · ${hh.address}`,
                ),
              ),
            )),
      );
    } catch (err) {
      if (seq === searchSeq) showError(errorText(err));
    }
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, SEARCH_DELAY_MS);
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const id = alarm?.id;
    if (id === undefined || chosen === null) return;
    submit.disabled = true;
    try {
      const keep = remember.value;
      /** @type {PlaceAlarm} */
      const body = {
        householdId: chosen.id,
        rememberAs: alarm?.caller && (keep === "resident_phone" || keep === "landline") ? keep : null,
      };
      /** @type {{ alarm: AlarmSummary }} */
      const reply = await request("POST", `/api/alarms/${encodeURIComponent(id)}/place`, body);
      showError(null);
      onPlaced(reply.alarm);
    } catch (err) {
      showError(errorText(err));
    } finally {
      sync();
    }
  });

  return {
    el,
    /**
     * Whether this alarm needs placing: no household, still open.
     * @param {AlarmDetail | null} a
     */
    wanted: (a) => a !== null && a.household === null && !isClosed(a),
    /** @param {AlarmDetail | null} a */
    setAlarm(a) {
      if (a?.id !== alarm?.id) {
        chosen = null;
        search.value = "";
        remember.value = "";
        options.replaceChildren();
        showError(null);
      }
      alarm = a;
      applyStatic(el);
      sync();
    },
  };
}
