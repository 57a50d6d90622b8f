// Language state for the worker page. Same storage key as the console, so a phone that is
// also used for the console keeps one choice. Labels the console already defines (alarm
// kinds, outcomes, sex, the switch itself, the change-password form) are taken from its dictionaries; everything
// else comes from this page's own pair, one file per language. zh-CN is the default.

import { en as consoleEn } from "../i18n-en.js";
import { usersEn } from "../i18n-users-en.js";
import { usersZh } from "../i18n-users-zh.js";
import { zhCN as consoleZh } from "../i18n-zh.js";
import { en } from "./i18n-en.js";
import { zhCN } from "./i18n-zh.js";

const LANG_KEY = "anxin.lang";
export const LANGS = ["zh-CN", "en"];
const SHARED = /^(kind|outcome|sex|lang|password)\./;

function merge(consoleDict, own) {
  const shared = Object.fromEntries(Object.entries(consoleDict).filter(([k]) => SHARED.test(k)));
  return { ...shared, ...own };
}

const dict = { "zh-CN": merge({ ...consoleZh, ...usersZh }, zhCN), en: merge({ ...consoleEn, ...usersEn }, en) };
const listeners = new Set();
let lang = initialLang();

function initialLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    // Storage may be disabled (private mode); zh-CN is the default anyway.
  }
  return "zh-CN";
}

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

/** Look up `key` (falling back to zh-CN, then the key itself so gaps show), filling `{name}` from vars. */
export function t(key, vars) {
  let s = dict[lang][key] ?? dict["zh-CN"][key] ?? key;
  for (const [k, v] of Object.entries(vars ?? {})) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** The translation only if one exists, so unknown server codes can fall back to the server's message. */
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

/** Fill every element carrying data-i18n (text) or data-i18n-placeholder. */
export function applyStatic(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
}

// Exported for the completeness check in the browser test.
export const dictionaries = { "zh-CN": zhCN, en };
