// The order of the live queue and each alarm's next deadline. Pure functions of an
// AlarmSummary (and the hub's deadlines), so the order is the same on every console.
//
// Order: an emergency (SOS) before a service call, test alarms last; within a kind,
// an escalated alarm (it missed a deadline) first, then those no operator has taken
// yet (an acknowledged one already has someone on it), then one pressed again
// (urgent, then high); then the oldest first, because it has waited longest.

const KIND_RANK = { sos: 0, service: 1, test: 2 };
const PRIORITY_RANK = { urgent: 0, high: 1, normal: 2 };

export function compareAlarms(a, b) {
  return (
    (KIND_RANK[a.kind] ?? 1) - (KIND_RANK[b.kind] ?? 1) ||
    (b.escalation > 0 ? 1 : 0) - (a.escalation > 0 ? 1 : 0) ||
    (a.acknowledgedAt ? 1 : 0) - (b.acknowledgedAt ? 1 : 0) ||
    (PRIORITY_RANK[a.priority] ?? 2) - (PRIORITY_RANK[b.priority] ?? 2) ||
    Date.parse(a.receivedAt) - Date.parse(b.receivedAt) ||
    a.id - b.id
  );
}

/** The hub's deadlines in seconds after reception (`GET /api/console/settings`); null until loaded. */
let deadlines = null;

export function setDeadlines(next) {
  deadlines = next ?? null;
}

/**
 * The next deadline of the alarm's lifecycle, as the hub's deadline watcher
 * enforces it: acknowledgement while no operator took it; then, for an SOS,
 * somebody on scene; then resolution. Null before the settings arrive.
 * `{ stage: "ack" | "arrival" | "resolution", at: ms since the epoch }`.
 */
export function stageDeadline(a) {
  if (!deadlines) return null;
  const received = Date.parse(a.receivedAt);
  if (!a.acknowledgedAt) return { stage: "ack", at: received + deadlines.ackS * 1000 };
  if (a.kind === "sos" && a.status !== "on_scene")
    return { stage: "arrival", at: received + deadlines.arrivalS * 1000 };
  return { stage: "resolution", at: received + deadlines.resolutionS * 1000 };
}
