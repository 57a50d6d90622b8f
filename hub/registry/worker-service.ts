/**
 * Community workers: who can be sent. Dispatch reads `on_duty`, position,
 * skills and shifts; its spatial index rebuilds itself after any write here
 * (migration 2's registry-version triggers).
 */
import { fieldError, found, refuseIfReferenced, uniquely } from "../errors.ts";
import { nowIso } from "../storage/database.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { PlaceRepo } from "./place-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import { toPageReading, type WorkerView, workerView } from "./registry-views.ts";
import type { ResponderRepo, WorkerColumns, WorkerRecord } from "./responder-repo.ts";
import { checkWeeklySchedule, type WeeklyPeriod } from "./weekly-hours.ts";

export interface PositionInput {
  lat: number;
  lng: number;
  /** When the worker was there; defaults to now. */
  at?: string | undefined;
}

export interface WorkerInput {
  code: string;
  name: string;
  phone: string;
  gridId?: number | null | undefined;
  skills?: string[] | undefined;
  shifts?: WeeklyPeriod[] | undefined;
  onDuty?: boolean | undefined;
  position?: PositionInput | null | undefined;
}

export type WorkerPatch = Partial<WorkerInput>;

function positionColumns(position: PositionInput | null): Pick<WorkerRecord, "lat" | "lng" | "position_at"> {
  if (position === null) return { lat: null, lng: null, position_at: null };
  // Stored in UTC like every other hub timestamp, so times compare as strings.
  const at = position.at === undefined ? nowIso() : new Date(position.at).toISOString();
  return { lat: position.lat, lng: position.lng, position_at: at };
}

export class WorkerService {
  private readonly sql: SqlDatabase;
  private readonly responders: ResponderRepo;
  private readonly places: PlaceRepo;
  private readonly audit: RegistryAudit;

  constructor(deps: { sql: SqlDatabase; responders: ResponderRepo; places: PlaceRepo; audit: RegistryAudit }) {
    this.sql = deps.sql;
    this.responders = deps.responders;
    this.places = deps.places;
    this.audit = deps.audit;
  }

  async list(
    query: ListQuery & { gridId?: number | undefined; onDuty?: boolean | undefined },
  ): Promise<Page<WorkerView>> {
    return await toPageReading(await this.responders.listWorkers(query), query, (row) => this.view(row));
  }

  async get(id: number): Promise<WorkerView> {
    return await this.view(found(await this.responders.worker(id), "worker", id));
  }

  async create(input: WorkerInput, actor: Actor): Promise<WorkerView> {
    const gridId = input.gridId ?? null;
    await this.requireGrid(gridId);
    const record: Omit<WorkerRecord, "id"> = {
      code: input.code,
      name: input.name,
      phone: input.phone,
      grid_id: gridId,
      on_duty: input.onDuty ? 1 : 0,
      ...positionColumns(input.position ?? null),
      skills: JSON.stringify(input.skills ?? []),
      shifts: JSON.stringify(checkWeeklySchedule(input.shifts ?? [], "shifts")),
    };
    const id = await this.sql.transaction(async () => {
      const id = await uniquely(
        () => this.responders.insertWorker(record),
        `a worker with code ${input.code} already exists`,
      );
      await this.audit.created(actor, "worker", id, {
        code: record.code,
        name: record.name,
        gridId,
        onDuty: input.onDuty ?? false,
      });
      return id;
    });
    return await this.get(id);
  }

  async update(id: number, patch: WorkerPatch, actor: Actor): Promise<WorkerView> {
    const before = found(await this.responders.worker(id), "worker", id);
    const changes: WorkerColumns = {};
    if (patch.code !== undefined) changes.code = patch.code;
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.phone !== undefined) changes.phone = patch.phone;
    if (patch.gridId !== undefined) {
      await this.requireGrid(patch.gridId);
      changes.grid_id = patch.gridId;
    }
    if (patch.skills !== undefined) changes.skills = JSON.stringify(patch.skills);
    if (patch.shifts !== undefined) changes.shifts = JSON.stringify(checkWeeklySchedule(patch.shifts, "shifts"));
    if (patch.onDuty !== undefined) changes.on_duty = patch.onDuty ? 1 : 0;
    if (patch.position !== undefined) Object.assign(changes, positionColumns(patch.position));
    await this.sql.transaction(async () => {
      await uniquely(
        () => this.responders.updateWorker(id, changes),
        `a worker with code ${patch.code} already exists`,
      );
      const diff = diffRecords(before, { ...before, ...changes });
      if (Object.keys(diff).length > 0) await this.audit.updated(actor, "worker", id, diff);
    });
    return await this.get(id);
  }

  /** A worker who was ever sent somewhere, or has a login, stays for history: set them off duty instead. */
  async delete(id: number, actor: Actor): Promise<void> {
    const before = found(await this.responders.worker(id), "worker", id);
    await this.sql.transaction(async () => {
      refuseIfReferenced(
        "worker",
        id,
        await this.responders.workerReferences(id),
        "set onDuty to false instead, so dispatch never picks them",
      );
      await this.responders.deleteWorker(id);
      await this.audit.deleted(actor, "worker", id, { code: before.code, name: before.name });
    });
  }

  private async view(row: WorkerRecord): Promise<WorkerView> {
    return workerView(row, await this.places.gridSummary(row.grid_id));
  }

  private async requireGrid(gridId: number | null): Promise<void> {
    if (gridId !== null && !(await this.places.grid(gridId))) throw fieldError("gridId", `no grid with id ${gridId}`);
  }
}
