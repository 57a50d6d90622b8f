/**
 * One example of every timeline event the hub writes (each variant of each
 * detail), every device event, and every coded reason with its params: the
 * console's words for all of them are walked by
 * tests/console-event-words.browser.test.ts. The mapped types make this file
 * fail the typecheck when the contract gains a type or code without an example.
 */
import type {
  AlarmEventDetails,
  AlarmEventType,
  DeviceEventDetails,
  DeviceEventType,
  ReasonCode,
  ReasonParams,
} from "../../protocol/console/index.ts";

const worker = { id: 3, code: "KL-W003", name: "崔艳" };
const other = { id: 4, code: "KL-W004", name: "王磊" };
const relative = { priority: 1, name: "李娜", phone: "+8613800000001" };
const later = "2026-12-04T09:30:00.000Z";
const ranked = { worker: "崔艳", workerCode: "KL-W003", sameGrid: 1 as const, distanceM: 820 };

/** Examples of each code's params: optional params both present and absent where the words differ. */
export const REASON_EXAMPLES: { [K in ReasonCode]: ReasonParams[K][] } = {
  text: [{ text: "nearest free on-duty worker (0.8 km)" }],
  nearest_free: [{ distanceM: 820 }, { distanceM: 820, promotedWorker: "王磊" }],
  fastest_free: [
    { distanceM: 820, travelTimeS: 300, roadDistanceM: 1500 },
    { distanceM: 900, promotedWorker: "王磊" },
  ],
  own_grid_preferred: [{ distanceM: 1200, extraM: 380, nearestWorker: "王磊", gridPreferenceM: 500 }],
  next_free: [{ distanceM: 1500 }],
  no_route: [{ distanceM: 2500 }],
  busy_after_free: [{ distanceM: 400, busyAlarmId: 12 }],
  all_busy: [{ distanceM: 400, busyAlarmId: 12 }],
  offer_ranked: [
    { ...ranked, basis: "nearest_free", rank: 1 },
    { ...ranked, basis: "next_free", rank: 2, after: "offer_timed_out", afterWorker: "王磊" },
    {
      ...ranked,
      basis: "fastest_free",
      rank: 2,
      travelTimeS: 420,
      after: "offer_declined",
      afterWorker: "王磊",
      afterNote: "在医院",
    },
    {
      ...ranked,
      sameGrid: 0,
      basis: "busy_after_free",
      busyAlarmId: 9,
      rank: 3,
      after: "went_off_duty",
      afterWorker: "王磊",
    },
  ],
  offer_by_operator: [
    { operator: "zhang", worker: "崔艳", workerCode: "KL-W003", rank: 2, onDuty: 1 },
    { operator: "zhang", worker: "崔艳", workerCode: "KL-W003", onDuty: 0, busyAlarmId: 7 },
  ],
  suggested: [{ ...ranked, basis: "own_grid_preferred", extraM: 200, nearestWorker: "王磊", gridPreferenceM: 500 }],
  no_worker_to_ask: [{}, { after: "offer_timed_out", afterWorker: "王磊" }],
  all_workers_asked: [{ ranked: 3 }, { ranked: 3, after: "offer_declined", afterWorker: "王磊" }],
  offer_timed_out: [{}, { worker: "崔艳" }],
  offer_declined: [{}, { worker: "崔艳", note: "我在外地" }],
  went_off_duty: [{}, { worker: "崔艳" }],
  offer_withdrawn_alarm_closed: [{}],
  offer_withdrawn_reassigned: [{ actor: "user:zhang" }],
  worker_removed: [{}],
  worker_became_busy: [{ busyAlarmId: 21 }],
  ranking_provisional: [{}],
  routing_failed: [{ error: "OSRM answered HTTP 503" }],
  clinic_nearest: [
    { distanceM: 1200, sos: 1, night: 0, closerClosed: 2, closerLackingCare: 1 },
    { distanceM: 900, sos: 0, night: 1, closerClosed: 0, closerLackingCare: 0 },
    { distanceM: 600, sos: 0, night: 0, closerClosed: 0, closerLackingCare: 0 },
  ],
  clinic_none: [
    { sos: 1, night: 0 },
    { sos: 0, night: 0 },
  ],
  alarm_unlocated: [{}],
  household_without_position: [{ household: "KL-H0007" }],
  household_without_grid: [{ household: "KL-H0007" }],
  grid_without_worker: [{ gridId: 4 }],
  household_unknown: [{}],
  no_relatives: [{}],
  device_unbound: [{ deviceId: "btn-0042" }],
  caller_withheld: [{}],
  caller_unknown: [{ caller: "+8613900000000" }],
  service_grid_worker: [
    { worker: "崔艳", workerCode: "KL-W003", onDuty: 1, distanceM: 700 },
    { worker: "崔艳", workerCode: "KL-W003", onDuty: 0 },
  ],
  service_assigned_by_operator: [
    { operator: "zhang", worker: "崔艳", workerCode: "KL-W003", sameGrid: 1, onDuty: 1 },
    { operator: "zhang", worker: "王磊", workerCode: "KL-W004", sameGrid: 0, onDuty: 0 },
  ],
  alarm_closed: [{}, { status: "resolved" }, { status: "cancelled" }],
  cancelled_on_device: [{}],
  test_completed: [
    { requestId: "t-17" },
    { requestId: "t-18", trigger: "schedule" },
    { requestId: "t-19", trigger: "drill" },
  ],
  manual_test_completed: [{ requestId: "m-3" }],
  relative_contact_failed: [
    { relative: "李娜", channel: "sms" },
    { relative: "李娜", channel: "voice" },
  ],
  relative_answered_unconfirmed: [{ relative: "李娜" }],
  nobody_confirmed_in_time: [{ seconds: 120 }],
  call_not_confirmed_in_time: [{ seconds: 90 }],
  relative_confirmed: [
    { relative: "李娜", via: "sms" },
    { relative: "李娜", via: "keypad" },
  ],
  relative_reached_by_center: [{ relative: "李娜" }],
  device_reported_offline: [{}],
  device_online: [{}],
  device_heard_from: [{}],
  battery_recovered: [{ battery: 80 }],
  device_revoked: [{}],
};

const reason = <C extends ReasonCode>(code: C, params: ReasonParams[C]) => ({ code, params });
const skipped = [
  { workerId: 4, code: "KL-W004", why: reason("worker_became_busy", { busyAlarmId: 21 }) },
  { workerId: 5, code: "KL-W005", why: reason("worker_removed", {}) },
  { workerId: 6, code: "KL-W006", why: reason("went_off_duty", {}) },
];

/** Every alarm event type, each variant of its detail once. */
export const ALARM_EVENT_EXAMPLES: { [K in AlarmEventType]: AlarmEventDetails[K][] } = {
  received: [
    { pressId: "p-1", kind: "sos", battery: 87, attempt: 1 },
    { pressId: "p-2", kind: "service", battery: 40, attempt: 3 },
    { source: "voice", callSid: "CA1", caller: "+8613900000000", candidates: [1, 2] },
  ],
  pressed_again: [
    { pressId: "p-3", pressCount: 2 },
    { callSid: "CA2", source: "voice", pressCount: 3 },
  ],
  cancel_requested: [{ pressId: "p-4" }, { pressId: "p-5", otherDevices: ["btn-0002"] }],
  located: [
    { household: "KL-H0001", address: "垦利街道 1 号", lat: 37.58, lng: 118.55, grid: "一网格", resident: "张秀英" },
    { household: "KL-H0002", address: "垦利街道 2 号", lat: null, lng: null, grid: null, resident: null },
  ],
  unlocated: [
    { reason: reason("device_unbound", { deviceId: "btn-0042" }) },
    { reason: reason("caller_withheld", {}) },
    { reason: reason("caller_unknown", { caller: "+8613900000000" }) },
  ],
  stage_skipped: [{ stage: "notify_relatives", reason: reason("alarm_closed", { status: "resolved" }) }],
  stage_failed: [
    { stage: "locate", error: "SQLITE_BUSY: database is locked" },
    { stage: "dispatch", error: "Worker not found", code: "WORKER_NOT_FOUND" },
  ],
  placed: [
    { household: "KL-H0001", householdId: 1, caller: "+8613900000000", remembered: "landline" },
    { household: "KL-H0001", householdId: 1, caller: null, remembered: null },
  ],
  acknowledged: [null],
  note_added: [{ text: "老人说胸口疼" }],
  resolved: [
    { outcome: "real", note: "已送医" },
    { outcome: "false_alarm", note: null },
    { outcome: "real", note: "已到场处理", worker },
    { outcome: "real", note: null, serviceRequestId: 5 },
    { outcome: "test", reason: reason("test_completed", { requestId: "t-1", trigger: "drill" }), requestId: "t-1" },
    { outcome: "test", reason: reason("manual_test_completed", { requestId: "m-1" }), testId: 9 },
  ],
  cancelled: [
    { outcome: "false_alarm", reason: reason("cancelled_on_device", {}), elapsedMs: 4200 },
    { outcome: "false_alarm", note: "误按" },
  ],
  follow_up_planned: [{ dueAt: later }],
  followed_up: [{ note: "老人一切正常", visitedAt: later }],
  escalated: [
    { kind: "ack", level: 1, deadlineS: 60, notified: "supervisor" },
    { kind: "arrival", level: 2, deadlineS: 900, notified: "street_supervisor" },
    { kind: "arrival", level: 1, deadlineS: 900, notified: "grid_leader" },
    { kind: "ack", level: 2, deadlineS: 60, notified: null },
  ],
  overdue: [
    { kind: "resolution", level: 1, dueAt: later },
    { kind: "follow_up", level: 1, dueAt: later },
  ],
  dispatch_impossible: [
    { reason: reason("alarm_unlocated", {}) },
    { reason: reason("household_without_position", { household: "KL-H0007" }) },
  ],
  dispatch_ranked: [
    {
      metric: "great_circle",
      refinement: "pending",
      ranking: [{ rank: 1, workerId: 3, code: "KL-W003", distanceM: 820, sameGrid: true, busy: false }],
    },
  ],
  dispatch_refined: [
    { metric: "travel_time", note: null, ranking: [{ rank: 1, workerId: 3, travelTimeS: 300 }] },
    {
      metric: "great_circle",
      note: reason("routing_failed", { error: "OSRM answered HTTP 503" }),
      ranking: [{ rank: 1, workerId: 3, travelTimeS: null }],
    },
  ],
  clinic_selected: [
    {
      clinic: { id: 1, code: "KL-C01", name: "垦利区人民医院" },
      distanceM: 1200,
      reason: reason("clinic_nearest", { distanceM: 1200, sos: 1, night: 0, closerClosed: 1, closerLackingCare: 2 }),
      notified: true,
      healthDataDisclosed: true,
    },
    {
      clinic: { id: 2, code: "KL-C02", name: "社区卫生服务站" },
      distanceM: 500,
      reason: reason("clinic_nearest", { distanceM: 500, sos: 0, night: 0, closerClosed: 0, closerLackingCare: 0 }),
      notified: false,
      healthDataDisclosed: false,
    },
  ],
  clinic_unavailable: [{ reason: reason("clinic_none", { sos: 0, night: 1 }) }],
  offer_sent: [
    {
      offerId: 1,
      worker,
      rank: 1,
      distanceM: 820,
      expiresAt: later,
      reason: reason("offer_ranked", { ...ranked, basis: "nearest_free", rank: 1 }),
    },
    {
      offerId: 2,
      worker: other,
      rank: 0,
      distanceM: null,
      expiresAt: later,
      reason: reason("offer_by_operator", { operator: "zhang", worker: "王磊", workerCode: "KL-W004", onDuty: 1 }),
      skipped,
    },
  ],
  offer_accepted: [{ offerId: 1, worker }],
  offer_declined: [
    { offerId: 1, worker, reason: reason("offer_declined", { note: "在医院陪护" }) },
    { offerId: 1, worker, reason: reason("went_off_duty", {}) },
  ],
  offer_timed_out: [
    { offerId: 1, worker, expiresAt: later },
    { offerId: 1, worker: { id: 9, code: null, name: null }, expiresAt: later },
  ],
  offer_withdrawn: [
    { offerId: 1, worker, why: "resolved" },
    { offerId: 2, worker: { id: 4 }, why: "reassigned" },
  ],
  dispatch_exhausted: [
    { ranked: 0, asked: 0, skipped: [], reason: reason("no_worker_to_ask", {}) },
    {
      ranked: 3,
      asked: 1,
      skipped,
      reason: reason("all_workers_asked", { ranked: 3, after: "offer_timed_out", afterWorker: "崔艳" }),
    },
  ],
  on_scene: [{ worker }],
  service_request_opened: [
    { requestId: 5, gridId: 2 },
    { requestId: 6, gridId: null },
  ],
  service_request_not_routed: [
    { requestId: 5, reason: reason("alarm_unlocated", {}) },
    { requestId: 5, reason: reason("household_without_grid", { household: "KL-H0007" }) },
    { requestId: 5, reason: reason("grid_without_worker", { gridId: 2 }) },
  ],
  service_request_assigned: [
    {
      requestId: 5,
      worker,
      previousWorker: null,
      distanceM: 700,
      reason: reason("service_grid_worker", { worker: "崔艳", workerCode: "KL-W003", onDuty: 1, distanceM: 700 }),
    },
    {
      requestId: 5,
      worker: other,
      previousWorker: worker,
      distanceM: null,
      reason: reason("service_assigned_by_operator", {
        operator: "zhang",
        worker: "王磊",
        workerCode: "KL-W004",
        sameGrid: 0,
        onDuty: 1,
      }),
    },
  ],
  service_request_done: [
    { requestId: 5, worker, note: "已送药" },
    { requestId: 5, worker: null, reason: reason("alarm_closed", { status: "resolved" }) },
  ],
  service_request_cancelled: [{ requestId: 5, worker: null, reason: reason("alarm_closed", {}) }],
  relatives_not_notified: [{ reason: reason("household_unknown", {}) }, { reason: reason("no_relatives", {}) }],
  relatives_wave_sent: [
    { wave: 1, step: 1, relatives: [relative], deadlineAt: later },
    {
      wave: 2,
      step: 2,
      relatives: [relative],
      deadlineAt: later,
      after: reason("nobody_confirmed_in_time", { seconds: 120 }),
    },
  ],
  relative_call_placed: [
    {
      relative,
      step: 3,
      deadlineAt: later,
      after: reason("relative_contact_failed", { relative: "李娜", channel: "sms" }),
    },
  ],
  relative_call_completed: [{ relative, channel: "voice", status: "completed" }],
  relative_contact_failed: [
    { relative, channel: "sms", error: "Twilio 21610: unsubscribed recipient" },
    { relative, channel: "voice", status: "no-answer" },
  ],
  relative_confirmed: [
    { relative, reply: "1", via: "sms", cascadeStopped: true },
    { relative, reply: null, via: "operator_call", cascadeStopped: true },
    { relative, reply: "1", via: "keypad", cascadeStopped: false, alreadyConfirmedBy: { ...relative, name: "王芳" } },
  ],
  relative_replied: [
    { relative, reply: "在路上", via: "sms" },
    { relative, reply: null, via: "keypad" },
  ],
  relatives_unreachable: [
    { texted: 2, called: 2, after: reason("call_not_confirmed_in_time", { seconds: 90 }) },
    { texted: 2, called: 1, after: reason("relative_answered_unconfirmed", { relative: "李娜" }) },
  ],
  relatives_cascade_stopped: [
    { reason: reason("alarm_closed", { status: "cancelled" }), step: 2 },
    { reason: reason("household_unknown", {}), step: 1 },
  ],
  relative_calls_cancelled: [
    {
      reason: reason("relative_confirmed", { relative: "李娜", via: "keypad" }),
      calls: [
        { relative, placed: true, providerRef: "CA9" },
        { relative: { ...relative, name: "王芳", priority: 2 }, placed: false },
      ],
    },
    { reason: reason("relative_reached_by_center", { relative: "李娜" }), calls: [] },
  ],
  family_updated: [{ step: "on_the_way", relatives: [{ id: 1, name: "李娜", phone: "+8613800000001" }] }],
  clinic_stood_down: [{ to: "+8605460000000" }],
  sms_sent: [
    { to: "+8613800000001", purpose: "relative:1", providerRef: "SM1" },
    { to: "+8613800000003", purpose: "worker", providerRef: "SM2" },
    { to: "+8613800000004", purpose: "escalation_supervisor", providerRef: "SM3" },
    { to: "+8613800000005", purpose: "family:arrived", providerRef: "SM4" },
  ],
  call_sent: [
    { to: "+8613800000001", purpose: "relative_call:1", providerRef: "CA3" },
    { to: "+8613800000009", purpose: "console_call:4", providerRef: "CA4" },
  ],
  sms_failed: [{ to: "+8613800000001", purpose: "clinic", error: "Twilio 21211: invalid 'To' phone number" }],
  call_failed: [{ to: "+8613800000001", purpose: "relative_call:1", error: "Twilio 13224: invalid number" }],
  delivery_status: [
    { channel: "sms", to: "+8613800000001", purpose: "relative:1", status: "delivered", previous: "sent" },
    {
      channel: "sms",
      to: "+8613800000001",
      purpose: "worker_stand_down",
      status: "undelivered",
      previous: null,
      errorCode: "30003",
    },
    { channel: "voice", to: "+8613800000001", purpose: "relative_call:1", status: "busy", previous: "ringing" },
  ],
  call_hung_up: [
    { to: "+8613800000001", purpose: "relative_call:1", status: "canceled", result: "hung_up", providerRef: "CA3" },
    {
      to: "+8613800000002",
      purpose: "relative_call:2",
      status: "completed",
      result: "already_ended",
      providerRef: null,
    },
  ],
  call_hangup_failed: [
    { to: "+8613800000001", purpose: "relative_call:1", status: "canceled", error: "HTTP 500", providerRef: "CA3" },
  ],
  call_answered: [
    { callSid: "CA5", stage: "operators" },
    { callSid: "CA5", stage: "supervisors" },
  ],
  call_unanswered: [
    { callSid: "CA6", why: "caller_hung_up", stage: "operators" },
    { callSid: "CA6", why: "nobody_answered", stage: "supervisors" },
    { callSid: "CA6", why: "nobody_to_ring" },
  ],
  call_ended: [{ callSid: "CA5", status: "completed", durationS: 95 }],
  callback_placed: [{ callId: 1, target: "relative", name: "李娜" }],
  callback_status: [
    { callId: 1, name: "李娜", status: "ringing" },
    { callId: 1, name: "李娜", status: "completed", durationS: 42 },
  ],
  callback_marked: [{ callId: 1, mark: "resident_ok", name: "李娜" }],
};

/** Every device event type, each variant once. */
export const DEVICE_EVENT_EXAMPLES: { [K in DeviceEventType]: DeviceEventDetails[K][] } = {
  fault_opened: [
    { faultId: 1, kind: "offline", reason: reason("device_reported_offline", {}) },
    { faultId: 2, kind: "silent", lastSeenAt: later, silentAfterS: 900 },
    { faultId: 3, kind: "silent", lastSeenAt: null, silentAfterS: 900 },
    { faultId: 4, kind: "low_battery", battery: 12, thresholdPercent: 20 },
    { faultId: 5, kind: "test_failed", requestId: "t-9", trigger: "schedule", requestedAt: later, deadline: later },
  ],
  fault_cleared: [
    { faultId: 1, kind: "offline", reason: reason("device_online", {}) },
    { faultId: 2, kind: "silent", reason: reason("device_heard_from", {}) },
    { faultId: 4, kind: "low_battery", reason: reason("battery_recovered", { battery: 80 }) },
    { faultId: 1, kind: "offline", reason: reason("device_revoked", {}) },
    { faultId: 5, kind: "test_failed", reason: reason("test_completed", { requestId: "t-10", trigger: "schedule" }) },
    { faultId: 5, kind: "test_failed", reason: reason("manual_test_completed", { requestId: "m-2" }) },
  ],
  test_requested: [{ testId: 1, requestId: "t-9", trigger: "drill", deadline: later }],
  test_answered: [{ testId: 1, requestId: "t-9", alarmId: 31 }],
  test_completed: [
    { testId: 1, requestId: "t-9", alarmId: 31 },
    { testId: 2, trigger: "manual", alarmId: 32 },
  ],
  test_failed: [{ testId: 1, requestId: "t-9", deadline: later }],
};
