/**
 * What a family sees of an alarm: its steps with their times, derived from the
 * alarm's timestamps and its append-only events, never from the status names
 * (which the lifecycle may rename). Nothing medical is read here at all, so the
 * family page cannot show it by mistake.
 */
import { CLOSED_STATUSES } from "../../protocol/console/index.ts";
import type { AlarmEventRow, AlarmRow } from "../storage/alarm-repo.ts";

export interface FamilyProgress {
  residentName: string;
  receivedAt: string;
  /** The command center took the call (an operator acknowledged it). */
  acknowledgedAt: string | null;
  /** The worker who accepted and is coming; null again if the alarm was given to someone else since. */
  onTheWay: { at: string; workerName: string | null } | null;
  arrived: { at: string; workerName: string | null } | null;
  /** `all_well`: cancelled, or closed as a false alarm or a test. */
  closed: { at: string; outcome: "help_given" | "all_well" } | null;
}

/** When the alarm was closed, or null while it is open. */
export function closedAt(alarm: AlarmRow): string | null {
  if (!CLOSED_STATUSES.includes(alarm.status)) return null;
  return alarm.cancelled_at ?? alarm.resolved_at ?? alarm.received_at;
}

export function familyProgress(
  alarm: AlarmRow,
  events: readonly AlarmEventRow[],
  residentName: string,
): FamilyProgress {
  let onTheWay: FamilyProgress["onTheWay"] = null;
  let arrived: FamilyProgress["arrived"] = null;
  for (const event of events) {
    if (event.type === "offer_accepted") {
      onTheWay = { at: event.at, workerName: workerName(event.detail) };
      arrived = null;
    } else if (event.type === "offer_sent" && onTheWay !== null) {
      // Offered again after an accept: the operator gave the alarm to someone else.
      onTheWay = null;
      arrived = null;
    } else if (event.type === "on_scene") {
      arrived = { at: event.at, workerName: workerName(event.detail) ?? onTheWay?.workerName ?? null };
    }
  }
  const closed = closedAt(alarm);
  return {
    residentName,
    receivedAt: alarm.received_at,
    acknowledgedAt: alarm.acknowledged_at,
    onTheWay,
    arrived,
    closed:
      closed === null
        ? null
        : {
            at: closed,
            outcome: alarm.cancelled_at === null && alarm.outcome === "real" ? "help_given" : "all_well",
          },
  };
}

/** An alarm event's detail as an object (empty when there is none). */
export function readDetail(detail: string | null): Record<string, unknown> {
  if (!detail) return {};
  const parsed: unknown = JSON.parse(detail);
  return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

/** The worker named in a step's own event (`offer_accepted`, `on_scene`). */
export function workerName(detail: string | null): string | null {
  const worker = readDetail(detail).worker;
  if (typeof worker !== "object" || worker === null) return null;
  const name = (worker as Record<string, unknown>).name;
  return typeof name === "string" ? name : null;
}
