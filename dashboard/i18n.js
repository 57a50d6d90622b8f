// @ts-check
// The language of the page (console or worker page) and its words. Each page hands its own
// dictionaries over once, before anything is drawn (app.js, worker/app.js); modules both pages
// share (dom.js, …) then speak the page's language through the same `t`. The choice is kept in
// the browser under one key, so a phone that is also used for the console keeps one choice.

/** One language's words: key → text with `{name}` placeholders. @typedef {Readonly<Record<string, string>>} Dictionary */
/** @typedef {"zh-CN" | "en"} Lang */
/** @typedef {Readonly<Record<Lang, Dictionary>>} Dictionaries */

const LANG_KEY = "anxin.lang";
/** @type {readonly Lang[]} */
export const LANGS = ["zh-CN", "en"];

/** The page's dictionaries (for the completeness checks too). @type {Dictionaries} */
export let dictionaries = { "zh-CN": {}, en: {} };

/**
 * The page's words: called once, before the first `t`.
 * @param {Dictionaries} words
 */
export function useDictionaries(words) {
  dictionaries = words;
}

/**
 * @param {unknown} value
 * @returns {value is Lang}
 */
function isLang(value) {
  return LANGS.some((known) => known === value);
}

/** @type {Lang} */
let lang = initialLang();
/** @type {Set<(lang: Lang) => void>} */
const listeners = new Set();

/** @returns {Lang} */
function initialLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (isLang(saved)) return saved;
  } catch {
    // Storage can be disabled (private mode); zh-CN is the default anyway.
  }
  return "zh-CN";
}

/** True when the person picked a language explicitly (so the account default must not override it). */
export function hasSavedLang() {
  try {
    return isLang(localStorage.getItem(LANG_KEY));
  } catch {
    return false;
  }
}

export function getLang() {
  return lang;
}

/**
 * Look up `key` (falling back to zh-CN, then the key itself so gaps show), filling `{name}` placeholders from `vars`.
 * @param {string} key
 * @param {Readonly<Record<string, string | number>>} [vars]
 */
export function t(key, vars) {
  let s = dictionaries[lang][key] ?? dictionaries["zh-CN"][key] ?? key;
  for (const [k, v] of Object.entries(vars ?? {})) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/**
 * The translation only if one exists, so unknown server codes can fall back to the server's message.
 * @param {string} key
 * @returns {string | null}
 */
export function tMaybe(key) {
  return Object.hasOwn(dictionaries[lang], key) ? (dictionaries[lang][key] ?? null) : null;
}

/**
 * @param {string} next
 * @param {{ persist?: boolean }} [options] persist: false for the account's default, which must not stick to the browser
 */
export function setLang(next, { persist = true } = {}) {
  if (!isLang(next)) return;
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

/** @param {(lang: Lang) => void} fn */
export function onLangChange(fn) {
  listeners.add(fn);
}

/**
 * Fill every element carrying data-i18n (text) or data-i18n-placeholder / data-i18n-title.
 * @param {ParentNode} [root]
 */
export function applyStatic(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) {
    if (el instanceof HTMLElement) el.textContent = t(el.dataset.i18n ?? "");
  }
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)
      el.placeholder = t(el.dataset.i18nPlaceholder ?? "");
  }
  for (const el of root.querySelectorAll("[data-i18n-title]")) {
    if (el instanceof HTMLElement) el.title = t(el.dataset.i18nTitle ?? "");
  }
}
