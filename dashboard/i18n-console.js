// @ts-check
// The console's words, one file pair per part of the console (so several people can add keys
// without editing the same dictionary). Both languages must stay complete: a missing key falls
// back to the key itself, so a gap is obvious on screen. app.js hands them to i18n.js.

import { actionsEn } from "./i18n-actions-en.js";
import { actionsZh } from "./i18n-actions-zh.js";
import { attentionEn } from "./i18n-attention-en.js";
import { attentionZh } from "./i18n-attention-zh.js";
import { auditEn } from "./i18n-audit-en.js";
import { auditZh } from "./i18n-audit-zh.js";
import { datesEn } from "./i18n-dates-en.js";
import { datesZh } from "./i18n-dates-zh.js";
import { devicesEn } from "./i18n-devices-en.js";
import { devicesZh } from "./i18n-devices-zh.js";
import { dispatchEn } from "./i18n-dispatch-en.js";
import { dispatchZh } from "./i18n-dispatch-zh.js";
import { en } from "./i18n-en.js";
import { eventsEn } from "./i18n-events-en.js";
import { eventsZh } from "./i18n-events-zh.js";
import { historyEn } from "./i18n-history-en.js";
import { historyZh } from "./i18n-history-zh.js";
import { kpiEn } from "./i18n-kpi-en.js";
import { kpiZh } from "./i18n-kpi-zh.js";
import { mapEn } from "./i18n-map-en.js";
import { mapZh } from "./i18n-map-zh.js";
import { reasonsEn } from "./i18n-reasons-en.js";
import { reasonsZh } from "./i18n-reasons-zh.js";
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

export const consoleDictionaries = {
  "zh-CN": {
    ...zhCN,
    ...dispatchZh,
    ...registryZh,
    ...zhRelatives,
    ...eventsZh,
    ...reasonsZh,
    ...kpiZh,
    ...serviceZh,
    ...devicesZh,
    ...mapZh,
    ...historyZh,
    ...auditZh,
    ...attentionZh,
    ...actionsZh,
    ...residentZh,
    ...usersZh,
    ...voiceZh,
    ...datesZh,
  },
  en: {
    ...en,
    ...dispatchEn,
    ...registryEn,
    ...enRelatives,
    ...eventsEn,
    ...reasonsEn,
    ...kpiEn,
    ...serviceEn,
    ...devicesEn,
    ...mapEn,
    ...historyEn,
    ...auditEn,
    ...attentionEn,
    ...actionsEn,
    ...residentEn,
    ...usersEn,
    ...voiceEn,
    ...datesEn,
  },
};
