/** The relatives' cascade's settings. */
import type { HubConfig } from "../config.ts";
import type { SmsLanguage } from "../notify/sms-text.ts";

export type { Clock } from "../clock.ts";

export interface RelativeSettings {
  /** Relatives texted at once, and per later wave (ANXIN_RELATIVES_FIRST_WAVE). */
  firstWave: number;
  /** Seconds a step waits for a confirmation before the next one (ANXIN_RELATIVE_CONFIRM_S). */
  confirmS: number;
  /** Where Twilio posts the key a relative pressed during a call (the call's `<Gather action>`). */
  gatherUrl: string;
  timeZone: string;
  smsLanguage: SmsLanguage;
}

export function relativeSettingsFrom(config: HubConfig): RelativeSettings {
  return {
    firstWave: config.relativesFirstWave,
    confirmS: config.relativeConfirmS,
    gatherUrl: voiceGatherUrl(config.publicUrl),
    timeZone: config.timeZone,
    smsLanguage: config.smsLanguage,
  };
}

export function voiceGatherUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/api/twilio/voice/gather`;
}

/** A contact as events name it (the registry may change the relative later). */
export function who(relative: { priority: number; name: string; phone: string }) {
  return { priority: relative.priority, name: relative.name, phone: relative.phone };
}
