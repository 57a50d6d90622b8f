/**
 * What an alarm summary names besides the alarm row (household, grid, resident,
 * worker, clinic, the people who acknowledged and resolved it), looked up either
 * one by one (one alarm: the detail, an action's answer) or for a whole list of
 * alarms with one query per table (the list, and the console push in a burst).
 * Both give the summary builder the same rows, so both give the same summary.
 */
import type { AlarmRow } from "../storage/alarm-repo.ts";
import type {
  ClinicRow,
  GridRow,
  HouseholdRow,
  RegistryRepository,
  ResidentRow,
  WorkerRow,
} from "../storage/registry-repo.ts";
import type { SummaryReads } from "../storage/summary-reads.ts";
import type { UserRepository } from "../storage/user-repo.ts";

export interface SummaryLookup {
  household(id: number): HouseholdRow | undefined;
  grid(id: number): GridRow | undefined;
  resident(id: number): ResidentRow | undefined;
  worker(id: number): WorkerRow | undefined;
  clinic(id: number): ClinicRow | undefined;
  username(id: number): string | undefined;
}

/** One query per thing named: right for a single alarm. */
export function lookupOneByOne(registry: RegistryRepository, users: UserRepository): SummaryLookup {
  return {
    household: (id) => registry.household(id),
    grid: (id) => registry.grid(id),
    resident: (id) => registry.resident(id),
    worker: (id) => registry.worker(id),
    clinic: (id) => registry.clinic(id),
    username: (id) => users.byId(id)?.username,
  };
}

/** Everything `rows` name, read up front: one query per table for the whole list. */
export function lookupForRows(reads: SummaryReads, rows: readonly AlarmRow[]): SummaryLookup {
  const present = (pick: (row: AlarmRow) => number | null) => rows.map(pick).filter((id): id is number => id !== null);
  const households = reads.households(present((row) => row.household_id));
  const grids = reads.grids([...households.values()].map((h) => h.grid_id).filter((id): id is number => id !== null));
  const residents = reads.residents(present((row) => row.resident_id));
  const workers = reads.workers(present((row) => row.worker_id));
  const clinics = reads.clinics(present((row) => row.clinic_id));
  const usernames = reads.usernames([...present((row) => row.acknowledged_by), ...present((row) => row.resolved_by)]);
  return {
    household: (id) => households.get(id),
    grid: (id) => grids.get(id),
    resident: (id) => residents.get(id),
    worker: (id) => workers.get(id),
    clinic: (id) => clinics.get(id),
    username: (id) => usernames.get(id),
  };
}
