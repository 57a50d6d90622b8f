import type { HubConfig } from "../config.ts";
import { parseDayWindow } from "../geo/opening-hours.ts";
import type { DispatchSettings } from "./types.ts";

/** Dispatch's view of the hub configuration (validated at boot, so the day window parses). */
export function dispatchSettingsFrom(config: HubConfig): DispatchSettings {
  return {
    acceptTimeoutS: config.acceptTimeoutS,
    gridPreferenceM: config.gridPreferenceM,
    rankingSize: config.dispatchRankingSize,
    day: parseDayWindow(config.clinicDayHours),
    timeZone: config.timeZone,
    publicUrl: config.publicUrl,
    smsLanguage: config.smsLanguage,
    routing: config.routingUrl
      ? {
          url: config.routingUrl,
          profile: config.routingProfile,
          candidates: config.routingCandidates,
          timeoutMs: config.routingTimeoutMs,
        }
      : null,
  };
}
