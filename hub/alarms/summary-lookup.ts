/**
 * What an alarm summary names besides the alarm row (household, grid, resident,
 * worker, clinic, the people who acknowledged and resolved it), looked up either
 * one by one (one alarm: the detail, an action's answer) or for a whole list of
 * alarms with one query per table (the list, and the console push in a burst).
 * Both give the summary builder the same rows, so both give the same summary.
 */
import type { AlarmRow } from "../storage/alarm-repo.ts";
import type { ClinicRow, GridRow, HouseholdRow, ResidentRow, WorkerRow } from "../storage/registry-repo.ts";
import type { SummaryReads } from "../storage/summary-reads.ts";

export interface SummaryLookup {
  household(id: number): HouseholdRow | undefined;
  grid(id: number): GridRow | undefined;
  resident(id: number): ResidentRow | undefined;
  worker(id: number): WorkerRow | undefined;
  clinic(id: number): ClinicRow | undefined;
  username(id: number): string | undefined;
}

/** One query per thing named: right for a single alarm. */
export async function lookupForRows(reads: SummaryReads, rows: readonly AlarmRow[]): Promise<SummaryLookup> {
  const present = (pick: (row: AlarmRow) => number | null) => rows.map(pick).filter((id): id is number => id !== null);
  const households = await reads.households(present((row) => row.household_id));
  const gridIds = [...households.values()].map((h) => h.grid_id).filter((id): id is number => id !== null);
  const grids = await reads.grids(gridIds);
  const residents = await reads.residents(present((row) => row.resident_id));
  const workers = await reads.workers(present((row) => row.worker_id));
  const clinics = await reads.clinics(present((row) => row.clinic_id));
  const usernames = await reads.usernames([
    ...present((row) => row.acknowledged_by),
    ...present((row) => row.resolved_by),
  ]);
  return {
    household: (id) => households.get(id),
    grid: (id) => grids.get(id),
    resident: (id) => residents.get(id),
    worker: (id) => workers.get(id),
    clinic: (id) => clinics.get(id),
    username: (id) => usernames.get(id),
  };
}
