/**
 * A resident's relatives are an ordered contact list: priority 1 is texted
 * first and listed first. Priorities stay 1..n without gaps or repeats through
 * every insert, move, reorder and delete.
 */
import { fieldError, found, RegistryFieldError } from "../errors.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { HouseholdRepo, RelativeColumns } from "./household-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import { type RelativeView, relativeView } from "./registry-views.ts";

export interface RelativeInput {
  name: string;
  relation: string;
  phone: string;
  language?: "zh-CN" | "en" | undefined;
  /** After the first SMS about an alarm, also text the updates (default true). */
  updates?: boolean | undefined;
  /** Where in the list (1 = first contacted); the others move down. Default: last. */
  priority?: number | undefined;
}

export type RelativePatch = Partial<RelativeInput>;

/** `ids` with `id` moved to position `priority` (1-based). */
function moved(ids: readonly number[], id: number, priority: number): number[] {
  const rest = ids.filter((other) => other !== id);
  rest.splice(priority - 1, 0, id);
  return rest;
}

export class RelativeService {
  private readonly sql: SqlDatabase;
  private readonly households: HouseholdRepo;
  private readonly audit: RegistryAudit;

  constructor(deps: { sql: SqlDatabase; households: HouseholdRepo; audit: RegistryAudit }) {
    this.sql = deps.sql;
    this.households = deps.households;
    this.audit = deps.audit;
  }

  async list(residentId: number): Promise<RelativeView[]> {
    found(await this.households.resident(residentId), "resident", residentId);
    return (await this.households.relativesOf(residentId)).map(relativeView);
  }

  async get(id: number): Promise<RelativeView> {
    return relativeView(found(await this.households.relative(id), "relative", id));
  }

  async create(residentId: number, input: RelativeInput, actor: Actor): Promise<RelativeView> {
    found(await this.households.resident(residentId), "resident", residentId);
    const id = await this.sql.transaction(async () => {
      const ids = (await this.households.relativesOf(residentId)).map((r) => r.id);
      const priority = this.checkedPriority(input.priority, ids.length + 1);
      // Older data (imports) may have gaps; closing them first makes n + 1 a free priority.
      await this.households.renumberRelatives(residentId, ids);
      const id = await this.households.insertRelative({
        resident_id: residentId,
        // Appended past the end first; the renumbering then puts it where it was asked to go.
        priority: ids.length + 1,
        name: input.name,
        relation: input.relation,
        phone: input.phone,
        language: input.language ?? "zh-CN",
        updates: input.updates === false ? 0 : 1,
      });
      await this.households.renumberRelatives(residentId, moved([...ids, id], id, priority));
      await this.audit.created(actor, "relative", id, {
        residentId,
        name: input.name,
        relation: input.relation,
        priority,
      });
      return id;
    });
    return await this.get(id);
  }

  async update(id: number, patch: RelativePatch, actor: Actor): Promise<RelativeView> {
    const before = found(await this.households.relative(id), "relative", id);
    const changes: RelativeColumns = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.relation !== undefined) changes.relation = patch.relation;
    if (patch.phone !== undefined) changes.phone = patch.phone;
    if (patch.language !== undefined) changes.language = patch.language;
    if (patch.updates !== undefined) changes.updates = patch.updates ? 1 : 0;
    await this.sql.transaction(async () => {
      await this.households.updateRelative(id, changes);
      const ids = (await this.households.relativesOf(before.resident_id)).map((r) => r.id);
      if (patch.priority !== undefined) {
        const priority = this.checkedPriority(patch.priority, ids.length);
        await this.households.renumberRelatives(before.resident_id, moved(ids, id, priority));
      }
      const after = found(await this.households.relative(id), "relative", id);
      const diff = diffRecords(before, after);
      if (Object.keys(diff).length > 0) await this.audit.updated(actor, "relative", id, diff);
    });
    return await this.get(id);
  }

  /** Sets the whole order at once; `relativeIds` must name each of the resident's relatives exactly once. */
  async reorder(residentId: number, relativeIds: readonly number[], actor: Actor): Promise<RelativeView[]> {
    found(await this.households.resident(residentId), "resident", residentId);
    await this.sql.transaction(async () => {
      const current = (await this.households.relativesOf(residentId)).map((r) => r.id);
      const problems = [];
      const unknown = relativeIds.filter((id) => !current.includes(id));
      if (unknown.length > 0) {
        problems.push({
          instancePath: "/relativeIds",
          message: `${unknown.join(", ")} ${unknown.length === 1 ? "is not a relative" : "are not relatives"} of resident ${residentId}`,
        });
      }
      const missing = current.filter((id) => !relativeIds.includes(id));
      if (missing.length > 0) {
        problems.push({
          instancePath: "/relativeIds",
          message: `must list every relative; missing ${missing.join(", ")}`,
        });
      }
      if (new Set(relativeIds).size !== relativeIds.length) {
        problems.push({ instancePath: "/relativeIds", message: "must list each relative once" });
      }
      if (problems.length > 0) throw new RegistryFieldError(problems);
      await this.households.renumberRelatives(residentId, relativeIds);
      if (current.join() !== relativeIds.join()) {
        await this.audit.updated(actor, "resident", residentId, {
          relativeOrder: { from: current, to: [...relativeIds] },
        });
      }
    });
    return await this.list(residentId);
  }

  async delete(id: number, actor: Actor): Promise<void> {
    const before = found(await this.households.relative(id), "relative", id);
    await this.sql.transaction(async () => {
      await this.households.deleteRelative(id);
      const rest = (await this.households.relativesOf(before.resident_id)).map((r) => r.id);
      await this.households.renumberRelatives(before.resident_id, rest);
      await this.audit.deleted(actor, "relative", id, {
        residentId: before.resident_id,
        name: before.name,
        priority: before.priority,
      });
    });
  }

  private checkedPriority(priority: number | undefined, last: number): number {
    if (priority === undefined) return last;
    if (priority < 1 || priority > last) throw fieldError("priority", `must be between 1 and ${last}`);
    return priority;
  }
}
