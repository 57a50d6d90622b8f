/**
 * Weekly schedules: clinics' opening hours and workers' shifts share one JSON
 * shape, `[{days: [1..7] (Mon..Sun), open: "HH:MM", close: "HH:MM"}]`, the one
 * migration 2 wrote. A close earlier than the open runs past midnight into the
 * next day; "24:00" closes at the very end of the day. The schema checks each
 * field; what it cannot see (open = close, which could mean "never" or "all
 * day") is refused here.
 */
import type { WeeklyPeriod } from "../../protocol/console/index.ts";
import { type FieldProblem, RegistryFieldError } from "../errors.ts";

/** One period of the contract's weekly schedule (its patterns: protocol/console/registry-fields.ts). */
export type { WeeklyPeriod };

/** The schedule, days sorted for a stable stored form; or a 400 naming each ambiguous period. */
export function checkWeeklySchedule(periods: readonly WeeklyPeriod[], field: string): WeeklyPeriod[] {
  const problems: FieldProblem[] = [];
  periods.forEach((period, i) => {
    if (period.open === period.close) {
      problems.push({
        instancePath: `/${field}/${i}/close`,
        message: `close equals open (${period.open}); for all day write open "00:00" and close "24:00"`,
      });
    }
  });
  if (problems.length > 0) throw new RegistryFieldError(problems);
  return periods.map((p) => ({ days: [...p.days].sort((a, b) => a - b), open: p.open, close: p.close }));
}

/** Stored schedules are JSON written by this code or by migration 2; anything unreadable reads as "never". */
export function parseWeeklySchedule(stored: string | null): WeeklyPeriod[] {
  if (!stored) return [];
  try {
    const parsed = JSON.parse(stored) as unknown;
    return Array.isArray(parsed) ? (parsed as WeeklyPeriod[]) : [];
  } catch {
    return [];
  }
}

/** A stored JSON array of strings (skills, capabilities); unreadable reads as empty. */
export function parseStringList(stored: string | null): string[] {
  if (!stored) return [];
  try {
    const parsed = JSON.parse(stored) as unknown;
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === "string") : [];
  } catch {
    return [];
  }
}
