/**
 * Coded reasons: why the hub did what it did (asked this worker, passed that one
 * over, chose this clinic, stopped calling the relatives…) as a code and its
 * parameters, never as a sentence. The console words each code in the
 * operator's language from its own dictionary; the hub writes no reason text
 * for people (its SMS and voice texts are another matter: hub/notify/).
 *
 * Params are data, never words: numbers (metres, seconds, counts, ids, 0/1
 * flags) and strings that are either names or words someone typed (shown as
 * content, never translated) or a code of a small set named below (translated).
 *
 * Stored reasons (alarms.dispatch_reason, alarms.clinic_reason,
 * dispatch_offers.note, device_faults.clear_reason, the ranking's JSON, event
 * details) are this object as JSON in a TEXT column. Rows written before
 * reasons were coded hold an English sentence: `reasonOf` reads such a value,
 * and any value it cannot read as a known code, as `{ code: "text", params:
 * { text } }`, the hub's own words, which the console shows as they are,
 * marked as the hub's. The console imports this file for its types only (its
 * modules load nothing outside dashboard/): it reads reasons the same way in
 * its own code, and a console test can hold its dictionary against REASON_CODES.
 */
import Type from "typebox";

/** 1 or 0: a yes/no param (params are strings and numbers only). */
export type Flag = 0 | 1;

/**
 * Where a ranked worker is: great circle always; by road when OSRM answered for
 * this worker (`travelTimeS` present: the ranking was by travel time).
 */
export type DistanceParams = {
  /** Great-circle distance to the household, metres. */
  distanceM: number;
  /** Road travel time, seconds. */
  travelTimeS?: number;
  /** Road distance, metres (when OSRM gave one; else use `distanceM`). */
  roadDistanceM?: number;
};

/** How a worker came to hold a position of the ranking: the codes of `RankedWorker.reason` (and `reasonCode`). */
export const RANKING_REASON_CODES = [
  "nearest_free",
  "fastest_free",
  "own_grid_preferred",
  "next_free",
  "no_route",
  "busy_after_free",
  "all_busy",
] as const;
export type RankingReasonCode = (typeof RANKING_REASON_CODES)[number];

/** Every param any ranking code may carry (each code's own are in `ReasonParams`). */
export type RankingParams = DistanceParams & {
  /** Name of the own-grid worker placed first, when this nearest/fastest worker comes second after them. */
  promotedWorker?: string;
  /** own_grid_preferred: how much farther (metres) than the nearest free worker, named `nearestWorker`. */
  extraM?: number;
  nearestWorker?: string;
  /** own_grid_preferred: the preference in force (ANXIN_GRID_PREFERENCE_M), metres. */
  gridPreferenceM?: number;
  /** busy_after_free, all_busy: the alarm the worker is busy with. */
  busyAlarmId?: number;
};

/**
 * A ranked worker as a reason names them: who, whether of the household's grid, and the ranking code
 * (`basis`) with that code's params under the same names (word it as the reason `{ code: basis, params }`).
 */
export type RankedParams = RankingParams & {
  worker: string;
  workerCode: string;
  sameGrid: Flag;
  basis: RankingReasonCode;
};

/**
 * What happened just before, for a reason that follows it ("崔艳 did not answer in time; rank 2, …"):
 * the console words `{ code: after, params: { worker: afterWorker, note: afterNote } }` first, then the reason.
 */
export type AfterParams = {
  after?: "offer_timed_out" | "offer_declined" | "went_off_duty";
  /** The worker who did not answer, declined or went off duty. */
  afterWorker?: string;
  /** offer_declined: the worker's own words, if they gave any. */
  afterNote?: string;
};

/** Each code and its params. Optional params are absent (never null) when they do not apply. */
export type ReasonParams = {
  // — Legacy, and anything unreadable —
  /** A sentence stored by an earlier hub, in English: show it as it is, marked as the hub's words. */
  text: { text: string };

  // — The ranking: `RankedWorker.reason` (its code is also the entry's `reasonCode`) —
  /** Nearest free on-duty worker (rank 1, or rank 2 after the own-grid worker `promotedWorker`). */
  nearest_free: DistanceParams & { promotedWorker?: string };
  /** Fastest free on-duty worker by road (rank 1, or rank 2 after the own-grid worker `promotedWorker`). */
  fastest_free: DistanceParams & { promotedWorker?: string };
  /** The household's own grid worker, put first: `extraM` farther than `nearestWorker`, within `gridPreferenceM`. */
  own_grid_preferred: DistanceParams & { extraM: number; nearestWorker: string; gridPreferenceM: number };
  /** Next nearest free worker (next fastest by road when `travelTimeS` is present). */
  next_free: DistanceParams;
  /** OSRM found no road route: after every routed worker. */
  no_route: DistanceParams;
  /** Busy on alarm `busyAlarmId`: asked only after every free worker. */
  busy_after_free: DistanceParams & { busyAlarmId: number };
  /** Nobody on duty is free; this worker is busy on alarm `busyAlarmId`. */
  all_busy: DistanceParams & { busyAlarmId: number };

  // — Why the current worker was asked: `DispatchDetail.reason`, `offer_sent`/`dispatch_exhausted` `reason` —
  /** The next ranked worker was asked: rank `rank`, `worker` (`workerCode`), because of `basis` (ranking params). */
  offer_ranked: RankedParams & AfterParams & { rank: number };
  /** An operator (`operator`: username) chose `worker`; `rank` absent: not in the ranking; busy on `busyAlarmId`. */
  offer_by_operator: {
    operator: string;
    worker: string;
    workerCode: string;
    rank?: number;
    onDuty: Flag;
    busyAlarmId?: number;
  };
  /** A service or test alarm: no automatic offer; the first ranked worker is suggested to the operator. */
  suggested: RankedParams;
  /** Nobody on duty with a known position to ask: an operator must dispatch by hand. */
  no_worker_to_ask: AfterParams;
  /** All `ranked` workers were asked or passed over: an operator must dispatch by hand. */
  all_workers_asked: AfterParams & { ranked: number };

  // — An offer's note (`OfferView.note`) and what came before the next offer (`after`) —
  /** The worker did not answer in time. */
  offer_timed_out: { worker?: string };
  /** The worker declined, in their own words `note` if any. */
  offer_declined: { worker?: string; note?: string };
  /** The worker went off duty (declining their open offer, or passed over by the cascade). */
  went_off_duty: { worker?: string };
  /** Withdrawn: the alarm was closed. */
  offer_withdrawn_alarm_closed: Record<string, never>;
  /** Withdrawn: `actor` (`user:<name>`) offered the alarm to someone else. */
  offer_withdrawn_reassigned: { actor: string };

  // — Why a ranked worker was passed over (`skipped[].why` of `offer_sent`, `dispatch_exhausted`) —
  /** No longer in the registry. */
  worker_removed: Record<string, never>;
  /** Busy on alarm `busyAlarmId` since the ranking. */
  worker_became_busy: { busyAlarmId: number };

  // — The ranking's note: `DispatchDetail.rankingNote`, `dispatch_refined.note` —
  /** Ranked by great circle for now, waiting for OSRM's travel times before the first offer. */
  ranking_provisional: Record<string, never>;
  /** OSRM failed (`error`: its message, as it came): ranked by great-circle distance. */
  routing_failed: { error: string };

  // — The clinic: `DispatchDetail.clinicReason`, `clinic_selected`/`clinic_unavailable` `reason` —
  /**
   * The nearest open clinic, `distanceM` away; it had to offer 24h/emergency care when `sos` or `night`
   * is 1 (an SOS; night time). `closerClosed` closer ones were closed, `closerLackingCare` lacked that care.
   */
  clinic_nearest: { distanceM: number; sos: Flag; night: Flag; closerClosed: number; closerLackingCare: number };
  /** No clinic in the registry is open (with 24h/emergency care when `sos` or `night` is 1). */
  clinic_none: { sos: Flag; night: Flag };

  // — No dispatch, no relatives, no routing: the alarm's place —
  /** The alarm has no household: nowhere to send anyone. */
  alarm_unlocated: Record<string, never>;
  /** Household `household` (its code) has no map position. */
  household_without_position: { household: string };
  /** Household `household` (its code) is in no grid. */
  household_without_grid: { household: string };
  /** No community worker is registered for grid `gridId`. */
  grid_without_worker: { gridId: number };
  /** The alarm has no household or no resident on record. */
  household_unknown: Record<string, never>;
  /** The resident has no relatives on record. */
  no_relatives: Record<string, never>;
  /** `unlocated`: the button `deviceId` is not bound to a household. */
  device_unbound: { deviceId: string };
  /** `unlocated`: the caller withheld their number. */
  caller_withheld: Record<string, never>;
  /** `unlocated`: the calling number `caller` is not in the registry. */
  caller_unknown: { caller: string };

  // — Service requests: the alarm's `DispatchDetail.reason`, `service_request_assigned` `reason` —
  /** Routed to the grid worker `worker`; `onDuty` 0: nobody of the grid is on duty; `distanceM` absent: unknown. */
  service_grid_worker: { worker: string; workerCode: string; onDuty: Flag; distanceM?: number };
  /** An operator (`operator`: username) assigned `worker`: of the household's grid (`sameGrid`) or not. */
  service_assigned_by_operator: {
    operator: string;
    worker: string;
    workerCode: string;
    sameGrid: Flag;
    onDuty: Flag;
  };

  // — Closing —
  /** The alarm was closed (`status`: its status code, resolved or cancelled, when known). */
  alarm_closed: { status?: string };
  /** The resident cancelled on the button, within the cancel window. */
  cancelled_on_device: Record<string, never>;
  /** The test press the hub asked for (`trigger`: schedule or drill) arrived: request `requestId` completed. */
  test_completed: { requestId: string; trigger?: "schedule" | "drill" };
  /** A test press the hub did not ask for (the resident's test button) completed as request `requestId`. */
  manual_test_completed: { requestId: string };

  // — The relatives' cascade: `after` of its steps, why it stopped, why its calls were ended —
  /** The SMS (`channel` sms) or call (voice) to the relative `relative` (name) failed. */
  relative_contact_failed: { relative: string; channel: "sms" | "voice" };
  /** `relative` answered the call but has not confirmed. */
  relative_answered_unconfirmed: { relative: string };
  /** Nobody confirmed within `seconds` of the texts. */
  nobody_confirmed_in_time: { seconds: number };
  /** The call was not confirmed within `seconds`. */
  call_not_confirmed_in_time: { seconds: number };
  /** `relative` confirmed by SMS reply or by pressing 1 on the call (`via`). */
  relative_confirmed: { relative: string; via: "sms" | "keypad" };
  /** `relative` was reached by an operator's call from the console. */
  relative_reached_by_center: { relative: string };

  // — Device faults: `DeviceFault.clearReason`, `fault_cleared`, an offline fault's `reason` —
  /** The device said `offline` (its goodbye, or the broker's Last Will for it). */
  device_reported_offline: Record<string, never>;
  /** The device said `online`. */
  device_online: Record<string, never>;
  /** The device was heard from again (heartbeat, press). */
  device_heard_from: Record<string, never>;
  /** The battery reads `battery` % again. */
  battery_recovered: { battery: number };
  /** The device was revoked: out of service, nobody's fault to fix. */
  device_revoked: Record<string, never>;
};

export type ReasonCode = keyof ReasonParams;

/** One coded reason; narrowed by its code (`Reason<"clinic_nearest">`). */
export type Reason<C extends ReasonCode = ReasonCode> = { [K in C]: { code: K; params: ReasonParams[K] } }[C];

/** Every code, for a dictionary check on the console side. */
export const REASON_CODES = [
  "text",
  ...RANKING_REASON_CODES,
  "offer_ranked",
  "offer_by_operator",
  "suggested",
  "no_worker_to_ask",
  "all_workers_asked",
  "offer_timed_out",
  "offer_declined",
  "went_off_duty",
  "offer_withdrawn_alarm_closed",
  "offer_withdrawn_reassigned",
  "worker_removed",
  "worker_became_busy",
  "ranking_provisional",
  "routing_failed",
  "clinic_nearest",
  "clinic_none",
  "alarm_unlocated",
  "household_without_position",
  "household_without_grid",
  "grid_without_worker",
  "household_unknown",
  "no_relatives",
  "device_unbound",
  "caller_withheld",
  "caller_unknown",
  "service_grid_worker",
  "service_assigned_by_operator",
  "alarm_closed",
  "cancelled_on_device",
  "test_completed",
  "manual_test_completed",
  "relative_contact_failed",
  "relative_answered_unconfirmed",
  "nobody_confirmed_in_time",
  "call_not_confirmed_in_time",
  "relative_confirmed",
  "relative_reached_by_center",
  "device_reported_offline",
  "device_online",
  "device_heard_from",
  "battery_recovered",
  "device_revoked",
] as const satisfies readonly ReasonCode[];

/** True when the two sets of names are the same, both ways. */
export type SameNames<A extends PropertyKey, B extends PropertyKey> = [A] extends [B]
  ? [B] extends [A]
    ? true
    : false
  : false;

/** Does not compile when REASON_CODES misses a code of ReasonParams (the `satisfies` above catches the reverse). */
export const REASON_CODES_COMPLETE: SameNames<(typeof REASON_CODES)[number], ReasonCode> = true;

/** Does not compile when a code's params hold anything but strings and numbers. */
export const REASON_PARAMS_FLAT: {
  [K in ReasonCode]: Required<ReasonParams[K]> extends Record<keyof ReasonParams[K], string | number> ? true : false;
}[ReasonCode] = true;

/**
 * The wire shape, permissive (any code, any flat params: a row from another version still serialises);
 * its static type is the precise `Reason`, which the hub's views guarantee through `reasonOf`.
 */
export const ReasonSchema = Type.Unsafe<Reason>(
  Type.Object({
    code: Type.String(),
    params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
  }),
);

/** A reason as a TEXT column stores it. */
export function storedReason(reason: Reason): string {
  return JSON.stringify(reason);
}

const KNOWN: ReadonlySet<string> = new Set(REASON_CODES);

/**
 * Reads a reason, stored (JSON text) or already parsed: a known code with flat params as it is; an older
 * hub's sentence, or anything else it cannot read, as `text` (the words as stored); null/undefined as null.
 * `codes` narrows what is expected there: another code reads as `text` too. Readers of event details use it
 * as well, since a row from before coded reasons has a sentence there.
 */
export function reasonOf(value: unknown): Reason | null;
export function reasonOf<C extends ReasonCode>(value: unknown, codes: readonly C[]): Reason<C | "text"> | null;
export function reasonOf(value: unknown, codes?: readonly ReasonCode[]): Reason | null {
  if (value === null || value === undefined) return null;
  const parsed = typeof value === "string" ? parseObject(value) : value;
  if (isReason(parsed) && (codes === undefined || codes.includes(parsed.code))) return parsed;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return { code: "text", params: { text } };
}

function parseObject(text: string): unknown {
  if (!text.startsWith("{")) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isReason(value: unknown): value is Reason {
  if (typeof value !== "object" || value === null) return false;
  const { code, params } = value as { code?: unknown; params?: unknown };
  if (typeof code !== "string" || !KNOWN.has(code)) return false;
  if (typeof params !== "object" || params === null || Array.isArray(params)) return false;
  return Object.values(params).every((v) => typeof v === "string" || typeof v === "number");
}
