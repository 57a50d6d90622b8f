// The one dictionary for every string the console shows, one file per language. Both languages
// must stay complete: a missing key falls back to the key itself so a gap is obvious on screen.

import { actionsEn } from "./i18n-actions-en.js";
import { actionsZh } from "./i18n-actions-zh.js";
import { attentionEn } from "./i18n-attention-en.js";
import { attentionZh } from "./i18n-attention-zh.js";
import { devicesEn } from "./i18n-devices-en.js";
import { devicesZh } from "./i18n-devices-zh.js";
import { dispatchEn } from "./i18n-dispatch-en.js";
import { dispatchZh } from "./i18n-dispatch-zh.js";
import { en } from "./i18n-en.js";
import { historyEn } from "./i18n-history-en.js";
import { historyZh } from "./i18n-history-zh.js";
import { kpiEn } from "./i18n-kpi-en.js";
import { kpiZh } from "./i18n-kpi-zh.js";
import { mapEn } from "./i18n-map-en.js";
import { mapZh } from "./i18n-map-zh.js";
import { registryEn } from "./i18n-registry-en.js";
import { registryZh } from "./i18n-registry-zh.js";
import { enRelatives } from "./i18n-relatives-en.js";
import { zhRelatives } from "./i18n-relatives-zh.js";
import { residentEn } from "./i18n-resident-en.js";
import { residentZh } from "./i18n-resident-zh.js";
import { serviceEn } from "./i18n-service-en.js";
import { serviceZh } from "./i18n-service-zh.js";
import { usersEn } from "./i18n-users-en.js";
import { usersZh } from "./i18n-users-zh.js";
import { voiceEn } from "./i18n-voice-en.js";
import { voiceZh } from "./i18n-voice-zh.js";
import { zhCN } from "./i18n-zh.js";

const LANG_KEY = "anxin.lang";
export const LANGS = ["zh-CN", "en"];

// Dispatch and registry strings live in their own files (one pair each) so that
// several people can add keys without editing the same dictionary.
const dict = {
  "zh-CN": {
    ...zhCN,
    ...dispatchZh,
    ...registryZh,
    ...zhRelatives,
    ...kpiZh,
    ...serviceZh,
    ...devicesZh,
    ...mapZh,
    ...historyZh,
    ...attentionZh,
    ...actionsZh,
    ...residentZh,
    ...usersZh,
    ...voiceZh,
  },
  en: {
    ...en,
    ...dispatchEn,
    ...registryEn,
    ...enRelatives,
    ...kpiEn,
    ...serviceEn,
    ...devicesEn,
    ...mapEn,
    ...historyEn,
    ...attentionEn,
    ...actionsEn,
    ...residentEn,
    ...usersEn,
    ...voiceEn,
  },
};

let lang = initialLang();
const listeners = new Set();

function initialLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved && LANGS.includes(saved)) return saved;
  } catch {
    // Storage can be disabled (private mode); zh-CN is the default anyway.
  }
  return "zh-CN";
}

/** True when the operator picked a language explicitly (so the account default must not override it). */
export function hasSavedLang() {
  try {
    return LANGS.includes(localStorage.getItem(LANG_KEY) ?? "");
  } catch {
    return false;
  }
}

export function getLang() {
  return lang;
}

/** Look up `key`, filling `{name}` placeholders from `vars`. */
export function t(key, vars) {
  const table = dict[lang] ?? dict["zh-CN"];
  let s = table[key] ?? dict["zh-CN"][key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  }
  return s;
}

/** Returns the translation only if one exists, so unknown server codes can fall back to the server message. */
export function tMaybe(key) {
  return Object.hasOwn(dict[lang], key) ? dict[lang][key] : null;
}

export function setLang(next, { persist = true } = {}) {
  if (!LANGS.includes(next)) return;
  lang = next;
  if (persist) {
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // Not fatal: the choice just will not survive a reload.
    }
  }
  applyStatic();
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/** Fill every element carrying data-i18n (text) or data-i18n-placeholder / data-i18n-title. */
export function applyStatic(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
}

// Exported for a completeness check in tests and for humans reviewing the wording.
export const dictionaries = dict;
