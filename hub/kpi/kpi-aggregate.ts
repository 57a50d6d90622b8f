/**
 * Turns alarm and fault rows into figures. Definitions:
 * - counts by kind and outcome include every alarm, test presses too;
 * - every rate and stage time is over operational alarms only (kind ≠ test):
 *   test presses are closed by the system in seconds and would flatter them;
 * - ackWithin60s: acknowledged no later than 60 s after received ÷ the
 *   operational alarms that needed an acknowledgement: one never acknowledged
 *   counts as a miss, but one cancelled unacknowledged within the 60 s (the
 *   resident's own cancel press, say) needed none and is not counted at all;
 * - closed: resolved, followed_up or cancelled (a cancel is a closure too:
 *   nobody has anything left to do); closureRate: closed ÷ all;
 *   followUpRate: followed_up ÷ (resolved or followed_up), since a cancelled
 *   alarm gets no visit; falseAlarmRate: outcome false_alarm ÷ closed, where
 *   every cancel is a false alarm (its outcome is stored as false_alarm);
 * - stage times in seconds, median and p90 by linear interpolation between
 *   closest ranks (numpy's default), over the alarms that reached both ends.
 * Rates are fractions (0…1), null when their denominator is 0.
 */
import type { KpiAlarmRow, KpiFaultRow } from "./kpi-queries.ts";

export const ACK_TARGET = 0.975;
const ACK_LIMIT_S = 60;
export const ALARM_KINDS = ["sos", "service", "test"] as const;
export const OUTCOMES = ["real", "false_alarm", "test", "none"] as const;
export const FAULT_KINDS = ["offline", "silent", "low_battery", "test_failed"] as const;
export const STAGES = ["ack", "accept", "onScene", "resolve"] as const;

export type Stage = (typeof STAGES)[number];
export interface StageTimes {
  n: number;
  median: number | null;
  p90: number | null;
}

export interface KpiFigures {
  alarms: number;
  byKind: Record<(typeof ALARM_KINDS)[number], number>;
  byOutcome: Record<(typeof OUTCOMES)[number], number>;
  ackWithin60s: number | null;
  stages: Record<Stage, StageTimes>;
  closureRate: number | null;
  followUpRate: number | null;
  falseAlarmRate: number | null;
  faults: Record<(typeof FAULT_KINDS)[number], number>;
}

/** Start and end timestamps of each stage. */
const STAGE_SPANS: Record<Stage, [keyof KpiAlarmRow, keyof KpiAlarmRow]> = {
  ack: ["received_at", "acknowledged_at"],
  accept: ["received_at", "accepted_at"],
  onScene: ["accepted_at", "on_scene_at"],
  resolve: ["received_at", "resolved_at"],
};

/** The q-quantile (0…1) of ascending `sorted`, linearly interpolated; null when empty. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lower = Math.floor(pos);
  const upper = Math.ceil(pos);
  const a = sorted[lower] ?? 0;
  const b = sorted[upper] ?? a;
  return a + (b - a) * (pos - lower);
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Alarm states that count as closed. */
const CLOSED = new Set(["resolved", "followed_up", "cancelled"]);

function cancelledWithin(row: KpiAlarmRow, limitS: number): boolean {
  const s = seconds(row.received_at, row.cancelled_at);
  return row.status === "cancelled" && s !== null && s <= limitS;
}

function seconds(from: string | number | null, to: string | number | null): number | null {
  if (typeof from !== "string" || typeof to !== "string") return null;
  return (Date.parse(to) - Date.parse(from)) / 1000;
}

export function figures(alarms: readonly KpiAlarmRow[], faults: readonly KpiFaultRow[]): KpiFigures {
  const byKind = zeroes(ALARM_KINDS);
  const byOutcome = zeroes(OUTCOMES);
  const spans: Record<Stage, number[]> = { ack: [], accept: [], onScene: [], resolve: [] };
  let operational = 0;
  let ackedInTime = 0;
  let ackExempt = 0;
  let closed = 0;
  let visitable = 0;
  let followedUp = 0;
  let falseAlarms = 0;
  for (const row of alarms) {
    if (row.kind in byKind) byKind[row.kind as keyof typeof byKind] += 1;
    const outcome = (row.outcome ?? "none") as keyof typeof byOutcome;
    if (outcome in byOutcome) byOutcome[outcome] += 1;
    if (row.kind === "test") continue;
    operational += 1;
    for (const stage of STAGES) {
      const [start, end] = STAGE_SPANS[stage];
      const s = seconds(row[start], row[end]);
      if (s !== null) spans[stage].push(s);
    }
    const ackS = seconds(row.received_at, row.acknowledged_at);
    if (ackS !== null && ackS <= ACK_LIMIT_S) ackedInTime += 1;
    else if (ackS === null && cancelledWithin(row, ACK_LIMIT_S)) ackExempt += 1;
    if (CLOSED.has(row.status)) {
      closed += 1;
      if (row.status !== "cancelled") visitable += 1;
      if (row.status === "followed_up") followedUp += 1;
      if (row.outcome === "false_alarm" || row.status === "cancelled") falseAlarms += 1;
    }
  }
  const faultCounts = zeroes(FAULT_KINDS);
  for (const row of faults) if (row.kind in faultCounts) faultCounts[row.kind as keyof typeof faultCounts] += 1;
  const stages = {} as Record<Stage, StageTimes>;
  for (const stage of STAGES) {
    const sorted = spans[stage].sort((a, b) => a - b);
    stages[stage] = { n: sorted.length, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
  }
  return {
    alarms: alarms.length,
    byKind,
    byOutcome,
    ackWithin60s: ratio(ackedInTime, operational - ackExempt),
    stages,
    closureRate: ratio(closed, operational),
    followUpRate: ratio(followedUp, visitable),
    falseAlarmRate: ratio(falseAlarms, closed),
    faults: faultCounts,
  };
}
