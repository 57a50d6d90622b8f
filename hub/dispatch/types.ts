/**
 * The shapes dispatch works with: the stored ranking (alarms.dispatch_ranking,
 * JSON) and the settings taken from the hub configuration. Responders as the
 * ranking sees them are in hub/geo/responders.ts.
 */
import type { RankingReasonCode, Reason } from "../../protocol/console/index.ts";
import type { FeedbackState } from "../../protocol/index.ts";
import type { SmsLanguage } from "../notify/sms-text.ts";

/** What dispatch needs to tell a device; `DeviceChannel` satisfies it. */
export interface DeviceFeedback {
  feedback(deviceId: string | null, state: FeedbackState, alarmId: number | null): Promise<void>;
}

/** One position of a stored ranking. */
export interface RankedWorker {
  /** 1-based position in the order offers are made. */
  rank: number;
  workerId: number;
  code: string;
  name: string;
  /** Great-circle distance, metres. */
  distanceM: number;
  /** From OSRM when routing is configured and answered; null otherwise. */
  travelTimeS: number | null;
  roadDistanceM: number | null;
  /** Belongs to the household's own grid. */
  sameGrid: boolean;
  /** Was busy (active alarm or open offer) when ranked: offered only after every free worker. */
  busy: boolean;
  busyWithAlarmId: number | null;
  /** Why this worker holds this position, coded; `text` in a ranking stored before reasons were coded. */
  reason: Reason<RankingReasonCode | "text">;
  reasonCode: RankingReasonCode;
}

export type { RankingReasonCode };

export type RankingMetric = "great_circle" | "travel_time";
/**
 * `pending`: ranked by great circle in the pipeline, waiting for the async OSRM
 * refinement that makes the first offer (the offer watcher finds these after a
 * restart); `done`/`failed`: OSRM answered / did not (great circle kept);
 * `none`: no routing configured, or no automatic offer to make.
 */
export type RankingRefinement = "pending" | "done" | "failed" | "none";

export interface StoredRanking {
  metric: RankingMetric;
  refinement: RankingRefinement;
  computedAt: string;
  entries: RankedWorker[];
  /** Provisional (waiting for OSRM), or why travel times are missing; `text` when stored before reasons were coded. */
  note: Reason<"ranking_provisional" | "routing_failed" | "text"> | null;
}

export interface RoutingSettings {
  url: string;
  profile: string;
  candidates: number;
  timeoutMs: number;
}

export interface DispatchSettings {
  acceptTimeoutS: number;
  gridPreferenceM: number;
  rankingSize: number;
  /** Local daytime in minutes after midnight; outside it clinics must offer 24h/emergency care. */
  day: { from: number; to: number };
  timeZone: string;
  publicUrl: string;
  smsLanguage: SmsLanguage;
  routing: RoutingSettings | null;
}
