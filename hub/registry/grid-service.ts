/**
 * Grids: the areas a community worker and a grid leader answer for. Every
 * household must lie in one, so a new outline that would leave a household
 * outside every grid is refused, and households the grid no longer contains
 * move to the grid that now does.
 */
import { AnxinError, found, refuseIfReferenced, uniquely } from "../errors.ts";
import { GridLocator } from "../geo/household-locator.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import { checkGridPolygon, type PolygonInput } from "./geometry.ts";
import type { GridColumns, PlaceRepo } from "./place-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import { type GridView, gridView, toPage } from "./registry-views.ts";

export interface GridInput {
  code: string;
  name: string;
  leaderName?: string | null | undefined;
  leaderPhone?: string | null | undefined;
  polygon: PolygonInput;
}

export type GridPatch = Partial<GridInput>;

/** Enough codes to find them; the count says how many more. */
const MAX_LISTED_CODES = 20;

export class GridService {
  private readonly sql: SqlDatabase;
  private readonly places: PlaceRepo;
  private readonly audit: RegistryAudit;

  constructor(deps: { sql: SqlDatabase; places: PlaceRepo; audit: RegistryAudit }) {
    this.sql = deps.sql;
    this.places = deps.places;
    this.audit = deps.audit;
  }

  async list(query: ListQuery): Promise<Page<GridView>> {
    return toPage(await this.places.listGrids(query), query, gridView);
  }

  async get(id: number): Promise<GridView> {
    return gridView(found(await this.places.grid(id), "grid", id));
  }

  async create(input: GridInput, actor: Actor): Promise<GridView> {
    const polygon = checkGridPolygon(input.polygon);
    const record = {
      code: input.code,
      name: input.name,
      leader_name: input.leaderName ?? null,
      leader_phone: input.leaderPhone ?? null,
      polygon: JSON.stringify(polygon),
    };
    const id = await this.sql.transaction(async () => {
      const id = await uniquely(() => this.places.insertGrid(record), `a grid with code ${input.code} already exists`);
      await this.audit.created(actor, "grid", id, { code: record.code, name: record.name });
      return id;
    });
    return await this.get(id);
  }

  async update(id: number, patch: GridPatch, actor: Actor): Promise<GridView> {
    const before = found(await this.places.grid(id), "grid", id);
    const changes: GridColumns = {};
    if (patch.code !== undefined) changes.code = patch.code;
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.leaderName !== undefined) changes.leader_name = patch.leaderName;
    if (patch.leaderPhone !== undefined) changes.leader_phone = patch.leaderPhone;
    const polygon = patch.polygon === undefined ? undefined : checkGridPolygon(patch.polygon);
    if (polygon) changes.polygon = JSON.stringify(polygon);
    await this.sql.transaction(async () => {
      const moved = polygon ? await this.rehomeHouseholds(id, polygon) : [];
      await uniquely(() => this.places.updateGrid(id, changes), `a grid with code ${patch.code} already exists`);
      const diff = diffRecords(before, { ...before, ...changes });
      // The outline itself is too long for the log; that it changed, and who moved, is what matters.
      if (diff.polygon) diff.polygon = { changed: true };
      if (Object.keys(diff).length > 0 || moved.length > 0) {
        await this.audit.updated(actor, "grid", id, diff, moved.length > 0 ? { householdsMoved: moved } : {});
      }
    });
    return await this.get(id);
  }

  async delete(id: number, actor: Actor): Promise<void> {
    const before = found(await this.places.grid(id), "grid", id);
    await this.sql.transaction(async () => {
      refuseIfReferenced(
        "grid",
        id,
        await this.places.gridReferences(id),
        "move its households and workers to another grid first",
      );
      await this.places.deleteGrid(id);
      await this.audit.deleted(actor, "grid", id, { code: before.code, name: before.name });
    });
  }

  /**
   * Households of the grid that the new outline no longer contains move to the
   * grid that does contain them; if none does, the whole change is refused.
   */
  private async rehomeHouseholds(
    gridId: number,
    polygon: ReturnType<typeof checkGridPolygon>,
  ): Promise<{ code: string; grid: string }[]> {
    const outlines = await this.places.gridOutlines({ id: gridId, polygon });
    const self = new GridLocator(outlines.filter((g) => g.id === gridId));
    const others = new GridLocator(outlines.filter((g) => g.id !== gridId));
    const moved: { code: string; grid: string }[] = [];
    const stranded: string[] = [];
    for (const household of await this.places.placedHouseholdsOf(gridId)) {
      if (self.gridAt(household.lat, household.lng)) continue;
      const next = others.gridAt(household.lat, household.lng);
      if (!next) {
        stranded.push(household.code);
        continue;
      }
      await this.places.setHouseholdGrid(household.id, next.id);
      moved.push({ code: household.code, grid: next.code });
    }
    if (stranded.length > 0) {
      const listed = stranded.slice(0, MAX_LISTED_CODES).join(", ");
      const more = stranded.length > MAX_LISTED_CODES ? ` and ${stranded.length - MAX_LISTED_CODES} more` : "";
      throw new AnxinError(
        "HOUSEHOLD_OUTSIDE_GRIDS",
        `the new outline would leave ${stranded.length} household(s) outside every grid: ${listed}${more}`,
        { households: stranded },
      );
    }
    return moved;
  }
}
