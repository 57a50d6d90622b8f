// @ts-check
// The worker page's words (its language state is ../i18n.js, shared with the console). Labels
// the console already defines (alarm kinds, outcomes, sex, the switch itself, the change-password
// form) are taken from its dictionaries; everything else comes from this page's own pair, one
// file per language.

/** @import { Dictionaries, Dictionary } from "../i18n.js" */

import { en as consoleEn } from "../i18n-en.js";
import { usersEn } from "../i18n-users-en.js";
import { usersZh } from "../i18n-users-zh.js";
import { zhCN as consoleZh } from "../i18n-zh.js";
import { en } from "./i18n-en.js";
import { zhCN } from "./i18n-zh.js";

const SHARED = /^(kind|outcome|sex|lang|password)\./;

/**
 * @param {Dictionary} consoleDict
 * @param {Dictionary} own
 * @returns {Dictionary}
 */
function merge(consoleDict, own) {
  const shared = Object.fromEntries(Object.entries(consoleDict).filter(([k]) => SHARED.test(k)));
  return { ...shared, ...own };
}

/** What the worker page shows: its own words and the console's shared ones. @type {Dictionaries} */
export const workerDictionaries = {
  "zh-CN": merge({ ...consoleZh, ...usersZh }, zhCN),
  en: merge({ ...consoleEn, ...usersEn }, en),
};

/** The page's own pair, for the completeness check in the browser tests. @type {Dictionaries} */
export const dictionaries = { "zh-CN": zhCN, en };
