/**
 * Every event the hub writes to an alarm's timeline (`alarm_events`), with the
 * shape of its `detail`. `AlarmRepository.appendEvent` takes a type of this map
 * and a detail of that type's shape, so the hub cannot write anything else.
 *
 * Readers (the console, exports) must still read defensively: rows written by
 * earlier versions may have types that are gone or details of another shape
 * (a plain English sentence where a `Reason` is now; `reasonOf` reads both,
 * and the console, which imports this contract for its types only, does the
 * same in its own code).
 * The wire schema (`AlarmDetailSchema.events`) is therefore permissive; the
 * static type `AlarmDetailView` is what the current hub writes.
 *
 * Conventions: `reason`, `after`, `why` (of skipped workers) and `note` of
 * `dispatch_refined` are coded reasons (reasons.ts); `note`, `text` and `reply`
 * elsewhere are words people typed (content, never translated); `error` is a
 * provider's or an exception's message, as it came (not ours to translate).
 */
import type { CallMark, CallTarget } from "./calls.ts";
import type { Reason, SameNames } from "./reasons.ts";

/** A community worker as events name them. */
export type WorkerRef = { id: number; code: string; name: string };
/** A relative as events name them. */
export type RelativeRef = { priority: number; name: string; phone: string };
/** A ranked worker the offer cascade passed over, and why. */
export type SkippedWorker = {
  workerId: number;
  code: string;
  why: Reason<"worker_removed" | "went_off_duty" | "worker_became_busy">;
};
/** Why the relatives' cascade moved on to its next step (`after` of its step events). */
export type CascadeStepReason = Reason<
  | "relative_contact_failed"
  | "relative_answered_unconfirmed"
  | "nobody_confirmed_in_time"
  | "call_not_confirmed_in_time"
>;
/** Why the relatives' cascade stopped, and so why its calls were ended. */
export type CascadeStopReason = Reason<"alarm_closed" | "household_unknown">;
/** How a relative answered: SMS reply, keypad on the cascade's call, or reached by an operator's call. */
export type ReplyVia = "sms" | "keypad" | "operator_call";
export type AlarmOutcomeCode = "real" | "false_alarm" | "test";

export interface AlarmEventDetails {
  // — Intake (actor `device:<id>` or `caller:<E.164|withheld>`) —
  /** A new alarm: a button's press, or a call to the center (`candidates`: households sharing the caller's number). */
  received:
    | { pressId: string; kind: "sos" | "service" | "test"; battery: number; attempt: number }
    | { source: "voice"; callSid: string; caller: string | null; candidates?: number[] };
  /** A further press or call joined the open incident; `pressCount` counts them all. */
  pressed_again: { pressId: string; pressCount: number } | { callSid: string; source: "voice"; pressCount: number };
  /** A cancel press the hub did not act on by itself (another button pressed too: `otherDevices`). */
  cancel_requested: { pressId: string; otherDevices?: string[] };

  // — Pipeline —
  located: {
    household: string;
    address: string;
    lat: number | null;
    lng: number | null;
    grid: string | null;
    resident: string | null;
  };
  unlocated: { reason: Reason<"device_unbound" | "caller_withheld" | "caller_unknown"> };
  /** A stage resumed for an alarm closed meanwhile; recorded done without running. */
  stage_skipped: { stage: string; reason: Reason<"alarm_closed"> };
  /** A stage threw (once per distinct failure; retried): `error` its message, `code` when it was one of ours. */
  stage_failed: { stage: string; error: string; code?: string };
  /** An operator placed an unlocated alarm at a household (`remembered`: the number was kept as…). */
  placed: {
    household: string;
    householdId: number;
    caller: string | null;
    remembered: "resident_phone" | "landline" | null;
  };

  // — Operators and the lifecycle —
  acknowledged: null;
  note_added: { text: string };
  /**
   * Closed as handled. By an operator: `note` (their words, or null); by a worker: `note` and `worker`;
   * by a service request marked done: `serviceRequestId`; a test the hub closed: `reason` and the test.
   */
  resolved:
    | { outcome: AlarmOutcomeCode; note: string | null }
    | { outcome: AlarmOutcomeCode; note: string; worker: WorkerRef }
    | { outcome: "real"; note: string | null; serviceRequestId: number }
    | { outcome: "test"; reason: Reason<"test_completed">; requestId: string }
    | { outcome: "test"; reason: Reason<"manual_test_completed">; testId: number };
  /** Closed as a false alarm: by the resident's button (`reason`, `elapsedMs` since the alarm) or an operator (`note`). */
  cancelled:
    | { outcome: "false_alarm"; reason: Reason<"cancelled_on_device">; elapsedMs: number }
    | { outcome: "false_alarm"; note: string };
  follow_up_planned: { dueAt: string };
  followed_up: { note: string; visitedAt: string };
  /** A missed deadline: acknowledgement (re-alerted at each `level`) or arrival; `notified`: who was texted. */
  escalated: {
    kind: "ack" | "arrival";
    level: number;
    deadlineS: number;
    notified: "supervisor" | "grid_leader" | "street_supervisor" | null;
  };
  /** Past the resolution deadline, or the follow-up date (`dueAt`). */
  overdue: { kind: "resolution" | "follow_up"; level: number; dueAt: string };

  // — Dispatch —
  dispatch_impossible: { reason: Reason<"alarm_unlocated" | "household_without_position"> };
  dispatch_ranked: {
    metric: "great_circle" | "travel_time";
    refinement: "pending" | "done" | "failed" | "none";
    ranking: { rank: number; workerId: number; code: string; distanceM: number; sameGrid: boolean; busy: boolean }[];
  };
  dispatch_refined: {
    metric: "great_circle" | "travel_time";
    note: Reason<"routing_failed"> | null;
    ranking: { rank: number; workerId: number; travelTimeS: number | null }[];
  };
  clinic_selected: {
    clinic: { id: number; code: string; name: string };
    distanceM: number;
    reason: Reason<"clinic_nearest">;
    /** An SOS: the clinic was texted. */
    notified: boolean;
    healthDataDisclosed: boolean;
  };
  clinic_unavailable: { reason: Reason<"clinic_none"> };
  /** An offer (actor `system`, or `user:<name>` for an operator's pick; `rank` 0: not in the ranking). */
  offer_sent: {
    offerId: number;
    worker: WorkerRef;
    rank: number;
    distanceM: number | null;
    expiresAt: string;
    reason: Reason<"offer_ranked" | "offer_by_operator">;
    skipped?: SkippedWorker[];
  };
  offer_accepted: { offerId: number; worker: WorkerRef };
  offer_declined: { offerId: number; worker: WorkerRef; reason: Reason<"offer_declined" | "went_off_duty"> };
  offer_timed_out: {
    offerId: number;
    worker: { id: number; code: string | null; name: string | null };
    expiresAt: string;
  };
  /** The open offer was withdrawn: the alarm closed, or an operator offered it to someone else. */
  offer_withdrawn: { offerId: number; worker: WorkerRef | { id: number }; why: "resolved" | "reassigned" };
  /** Nobody left to ask: an operator must dispatch by hand. */
  dispatch_exhausted: {
    ranked: number;
    asked: number;
    skipped: SkippedWorker[];
    reason: Reason<"no_worker_to_ask" | "all_workers_asked">;
  };
  on_scene: { worker: WorkerRef };

  // — Service requests —
  service_request_opened: { requestId: number; gridId: number | null };
  service_request_not_routed: {
    requestId: number;
    reason: Reason<"alarm_unlocated" | "household_without_grid" | "grid_without_worker">;
  };
  service_request_assigned: {
    requestId: number;
    worker: WorkerRef;
    previousWorker: WorkerRef | null;
    distanceM: number | null;
    reason: Reason<"service_grid_worker" | "service_assigned_by_operator">;
  };
  /** Done by its worker or an operator (`note`: their words), or because the alarm was resolved (`reason`). */
  service_request_done:
    | { requestId: number; worker: WorkerRef | null; note: string | null }
    | { requestId: number; worker: WorkerRef | null; reason: Reason<"alarm_closed"> };
  service_request_cancelled: { requestId: number; worker: WorkerRef | null; reason: Reason<"alarm_closed"> };

  // — The relatives' cascade (actor `relative:<id>` for what a relative did) —
  relatives_not_notified: { reason: Reason<"household_unknown" | "no_relatives"> };
  /** A wave of SMS; `after`: why the wave before it was not enough (absent for the first). */
  relatives_wave_sent: {
    wave: number;
    step: number;
    relatives: RelativeRef[];
    deadlineAt: string;
    after?: CascadeStepReason;
  };
  relative_call_placed: { relative: RelativeRef; step: number; deadlineAt: string; after: CascadeStepReason };
  /** A call ended answered but unconfirmed (`status`: Twilio's). */
  relative_call_completed: { relative: RelativeRef; channel: "sms" | "voice"; status: string | null };
  /** An SMS or call failed: refused for good (`error`: the provider's words) or not delivered (`status`). */
  relative_contact_failed:
    | { relative: RelativeRef; channel: "sms" | "voice"; error: string | null }
    | { relative: RelativeRef; channel: "sms" | "voice"; status: string | null };
  /** Confirmed; `reply`: their text or key, null when an operator reached them (`via` operator_call). */
  relative_confirmed: {
    relative: RelativeRef;
    reply: string | null;
    via: ReplyVia;
    cascadeStopped: boolean;
    alreadyConfirmedBy?: RelativeRef;
  };
  /** A reply or key that is not a confirmation; `reply` null: the call's keypad got no key. */
  relative_replied: { relative: RelativeRef; reply: string | null; via: ReplyVia };
  relatives_unreachable: { texted: number; called: number; after: CascadeStepReason };
  relatives_cascade_stopped: { reason: CascadeStopReason; step: number };
  /** The cascade's calls still ringing or queued were ended (`placed` false: withdrawn before being placed). */
  relative_calls_cancelled: {
    reason: CascadeStopReason | Reason<"relative_confirmed" | "relative_reached_by_center">;
    calls: { relative: RelativeRef; placed: boolean; providerRef?: string }[];
  };

  // — Families —
  family_updated: {
    step: "on_the_way" | "arrived" | "help_given" | "all_well";
    relatives: { id: number; name: string; phone: string }[];
  };
  clinic_stood_down: { to: string };

  // — Outbox and Twilio (actor `system`, or `twilio` for its callbacks) —
  sms_sent: { to: string; purpose: string; providerRef: string };
  call_sent: { to: string; purpose: string; providerRef: string };
  sms_failed: { to: string; purpose: string; error: string };
  call_failed: { to: string; purpose: string; error: string };
  /** A status callback that moved a message forward (`status`, `previous`: Twilio's words). */
  delivery_status: {
    channel: "sms" | "voice";
    to: string;
    purpose: string;
    status: string;
    previous: string | null;
    errorCode?: string;
  };
  call_hung_up: {
    to: string;
    purpose: string;
    status: "canceled" | "completed";
    callStatus?: string;
    result: "hung_up" | "already_ended";
    providerRef: string | null;
  };
  call_hangup_failed: {
    to: string;
    purpose: string;
    status: "canceled" | "completed";
    error: string;
    providerRef: string | null;
  };

  // — Calls to the center (hub/voice/inbound-call-router.ts) —
  call_answered: { callSid: string; stage: "operators" | "supervisors" };
  /** Nobody took a call to the center: the caller hung up, nobody answered, or nobody was there to ring. */
  call_unanswered: {
    callSid: string;
    why: "caller_hung_up" | "nobody_answered" | "nobody_to_ring";
    stage?: "operators" | "supervisors";
  };
  call_ended: { callSid: string; status: string; durationS: number | null };

  // — Calls from the console (hub/voice/console-calls.ts) —
  callback_placed: { callId: number; target: CallTarget; name: string };
  callback_status: { callId: number; name: string; status: string; durationS?: number };
  callback_marked: { callId: number; mark: CallMark; name: string };
}

export type AlarmEventType = keyof AlarmEventDetails;

/** Every alarm event type the hub writes. */
export const ALARM_EVENT_TYPES = [
  "received",
  "pressed_again",
  "cancel_requested",
  "located",
  "unlocated",
  "stage_skipped",
  "stage_failed",
  "placed",
  "acknowledged",
  "note_added",
  "resolved",
  "cancelled",
  "follow_up_planned",
  "followed_up",
  "escalated",
  "overdue",
  "dispatch_impossible",
  "dispatch_ranked",
  "dispatch_refined",
  "clinic_selected",
  "clinic_unavailable",
  "offer_sent",
  "offer_accepted",
  "offer_declined",
  "offer_timed_out",
  "offer_withdrawn",
  "dispatch_exhausted",
  "on_scene",
  "service_request_opened",
  "service_request_not_routed",
  "service_request_assigned",
  "service_request_done",
  "service_request_cancelled",
  "relatives_not_notified",
  "relatives_wave_sent",
  "relative_call_placed",
  "relative_call_completed",
  "relative_contact_failed",
  "relative_confirmed",
  "relative_replied",
  "relatives_unreachable",
  "relatives_cascade_stopped",
  "relative_calls_cancelled",
  "family_updated",
  "clinic_stood_down",
  "sms_sent",
  "call_sent",
  "sms_failed",
  "call_failed",
  "delivery_status",
  "call_hung_up",
  "call_hangup_failed",
  "call_answered",
  "call_unanswered",
  "call_ended",
  "callback_placed",
  "callback_status",
  "callback_marked",
] as const satisfies readonly AlarmEventType[];

/** Does not compile when the list misses a type of the map (the `satisfies` above catches the reverse). */
export const ALARM_EVENT_TYPES_COMPLETE: SameNames<(typeof ALARM_EVENT_TYPES)[number], AlarmEventType> = true;

/** One timeline entry, discriminated by `type` (`actor`: `system`, `user:<name>`, `device:<id>`, `twilio`…). */
export type AlarmEvent<T extends AlarmEventType = AlarmEventType> = {
  [K in T]: { type: K; at: string; actor: string; detail: AlarmEventDetails[K] };
}[T];
