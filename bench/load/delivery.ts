/** Lost and duplicated alarms, and crashes: what makes a phase broken, whatever its speed. */
import { type BenchContext, problem } from "./context.ts";
import type { AlarmCounts } from "./db-check.ts";
import type { FleetVerify } from "./fleet.ts";
import type { PressOutcome } from "./phases.ts";
import { round } from "./stats.ts";

/** Lost and duplicated alarms are problems, whatever the speed. */
export function checkDelivery(ctx: BenchContext, label: string, outcome: PressOutcome): void {
  const { verify, counts, report, unacked } = outcome;
  if (verify?.error) problem(ctx, `${label}: could not read the hub's database: ${verify.error}`);
  if (verify && verify.ackedNotStored > 0)
    problem(ctx, `${label}: ${verify.ackedNotStored} presses acked but not stored`);
  if (verify && verify.alarmMismatch > 0)
    problem(ctx, `${label}: ${verify.alarmMismatch} presses stored under another alarm than acked`);
  if (report.ackConflicts > 0)
    problem(ctx, `${label}: ${report.ackConflicts} presses acked with two different alarm ids`);
  if (counts && counts.duplicateSos + counts.orphanAlarms > 0) {
    problem(ctx, `${label}: ${counts.duplicateSos + counts.orphanAlarms} duplicated alarms in the database`);
  }
  if (unacked > 0 && ctx.options.smoke) problem(ctx, `${label}: ${unacked} presses never acked`);
  if (outcome.consoles && outcome.consoles.missing > 0 && ctx.options.smoke) {
    problem(ctx, `${label}: ${outcome.consoles.missing} alarms never reached every console`);
  }
}

/** A phase's headline figure, or that the system crashed during it. */
export function unlessCrashed<T>(outcome: PressOutcome, value: T): T | string {
  return outcome.crash ? `crashed after ${round(outcome.crash.afterS)} s` : value;
}

/**
 * Lost = acked but not stored (the guarantee broken; a press not acked yet is
 * still on its button, retried, and counted as unacked instead); duplicated =
 * extra alarms or conflicting acks.
 */
export function lostAndDuplicated(outcome: {
  verify: FleetVerify | null;
  counts: AlarmCounts | null;
  unacked: number;
  report: { ackConflicts: number };
}): { lost: number; duplicated: number } {
  const v = outcome.verify;
  const c = outcome.counts;
  return {
    lost: v ? v.ackedNotStored : 0,
    duplicated: (c ? c.duplicateSos + c.orphanAlarms : 0) + outcome.report.ackConflicts + (v?.alarmMismatch ?? 0),
  };
}
