/**
 * The shapes dispatch works with: responders as the ranking sees them, the
 * stored ranking (alarms.dispatch_ranking, JSON), and the settings taken from
 * the hub configuration.
 */
import type { RankingReasonCode, Reason } from "../../protocol/console/index.ts";
import type { FeedbackState } from "../../protocol/index.ts";
import type { GeoPoint } from "../geo/nearest.ts";
import type { SmsLanguage } from "../notify/sms-text.ts";

/** Injected everywhere a deadline is computed, so the cascade can be tested without waiting. */
export type Clock = () => Date;

/** What dispatch needs to tell a device; `DeviceChannel` satisfies it. */
export interface DeviceFeedback {
  feedback(deviceId: string | null, state: FeedbackState, alarmId: number | null): Promise<void>;
}

export interface WorkerCandidate extends GeoPoint {
  id: number;
  code: string;
  name: string;
  gridId: number | null;
  onDuty: boolean;
}

export interface ClinicCandidate extends GeoPoint {
  id: number;
  code: string;
  name: string;
  /** Offers 24h or emergency care. */
  emergencyCapable: boolean;
  /** `24h` capability: open whatever its hours say. */
  alwaysOpen: boolean;
  /** Opening hours flattened to per-weekday minute ranges (see opening-hours.ts). */
  hours: readonly DaySegment[];
}

export interface DaySegment {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  day: number;
  /** Minutes after local midnight; `to` is exclusive and may be 1440. */
  from: number;
  to: number;
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
