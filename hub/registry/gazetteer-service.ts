/**
 * The gazetteer: standard addresses with their coordinates, used to place a
 * household given only its address. Addresses are stored normalised, so
 * "垦利区 胜兴路 １２号" and "垦利区胜兴路12号" are one entry. Changing an entry
 * does not move households already placed from it: their coordinates were
 * copied when they were located, and moving people silently is worse.
 */
import { fieldError, found, uniquely } from "../errors.ts";
import { normaliseAddress } from "../geo/household-locator.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { GazetteerColumns, PlaceRepo } from "./place-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import { type GazetteerView, gazetteerView, toPage } from "./registry-views.ts";

export interface GazetteerInput {
  address: string;
  lat: number;
  lng: number;
  source?: string | null | undefined;
}

export type GazetteerPatch = Partial<GazetteerInput>;

function normalisedOrRefused(address: string): string {
  const normalised = normaliseAddress(address);
  if (normalised === "") throw fieldError("address", "must not be blank");
  return normalised;
}

export class GazetteerService {
  private readonly sql: SqlDatabase;
  private readonly places: PlaceRepo;
  private readonly audit: RegistryAudit;

  constructor(deps: { sql: SqlDatabase; places: PlaceRepo; audit: RegistryAudit }) {
    this.sql = deps.sql;
    this.places = deps.places;
    this.audit = deps.audit;
  }

  async list(query: ListQuery): Promise<Page<GazetteerView>> {
    const q = query.q === undefined ? undefined : normaliseAddress(query.q);
    return toPage(await this.places.listGazetteer({ ...query, q }), query, gazetteerView);
  }

  async get(id: number): Promise<GazetteerView> {
    return gazetteerView(found(await this.places.gazetteerEntry(id), "gazetteer entry", id));
  }

  async create(input: GazetteerInput, actor: Actor): Promise<GazetteerView> {
    const entry = {
      address: normalisedOrRefused(input.address),
      lat: input.lat,
      lng: input.lng,
      source: input.source ?? null,
    };
    const id = await this.sql.transaction(async () => {
      const id = await uniquely(
        () => this.places.insertGazetteer(entry),
        `the gazetteer already has the address "${entry.address}"`,
      );
      await this.audit.created(actor, "gazetteer", id, entry);
      return id;
    });
    return await this.get(id);
  }

  async update(id: number, patch: GazetteerPatch, actor: Actor): Promise<GazetteerView> {
    const before = found(await this.places.gazetteerEntry(id), "gazetteer entry", id);
    const changes: GazetteerColumns = {};
    if (patch.address !== undefined) changes.address = normalisedOrRefused(patch.address);
    if (patch.lat !== undefined) changes.lat = patch.lat;
    if (patch.lng !== undefined) changes.lng = patch.lng;
    if (patch.source !== undefined) changes.source = patch.source;
    await this.sql.transaction(async () => {
      await uniquely(
        () => this.places.updateGazetteer(id, changes),
        `the gazetteer already has the address "${changes.address}"`,
      );
      const diff = diffRecords(before, { ...before, ...changes });
      if (Object.keys(diff).length > 0) await this.audit.updated(actor, "gazetteer", id, diff);
    });
    return await this.get(id);
  }

  /** Nothing references an entry: households keep the coordinates they were given. */
  async delete(id: number, actor: Actor): Promise<void> {
    const before = found(await this.places.gazetteerEntry(id), "gazetteer entry", id);
    await this.sql.transaction(async () => {
      await this.places.deleteGazetteer(id);
      await this.audit.deleted(actor, "gazetteer", id, { address: before.address, lat: before.lat, lng: before.lng });
    });
  }
}
