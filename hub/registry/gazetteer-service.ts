/**
 * The gazetteer: standard addresses with their coordinates, used to place a
 * household given only its address. Addresses are stored normalised, so
 * "垦利区 胜兴路 １２号" and "垦利区胜兴路12号" are one entry. Changing an entry
 * does not move households already placed from it: their coordinates were
 * copied when they were located, and moving people silently is worse.
 */
import { normaliseAddress } from "../geo/household-locator.ts";
import type { Db } from "../storage/database.ts";
import type { GazetteerColumns, PlaceRepo } from "./place-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import { fieldError, found, uniquely } from "./registry-errors.ts";
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
  private readonly db: Db;
  private readonly places: PlaceRepo;
  private readonly audit: RegistryAudit;

  constructor(deps: { db: Db; places: PlaceRepo; audit: RegistryAudit }) {
    this.db = deps.db;
    this.places = deps.places;
    this.audit = deps.audit;
  }

  list(query: ListQuery): Page<GazetteerView> {
    const q = query.q === undefined ? undefined : normaliseAddress(query.q);
    return toPage(this.places.listGazetteer({ ...query, q }), query, gazetteerView);
  }

  get(id: number): GazetteerView {
    return gazetteerView(found(this.places.gazetteerEntry(id), "gazetteer entry", id));
  }

  create(input: GazetteerInput, actor: Actor): GazetteerView {
    const entry = {
      address: normalisedOrRefused(input.address),
      lat: input.lat,
      lng: input.lng,
      source: input.source ?? null,
    };
    const id = this.db.transaction(() => {
      const id = uniquely(
        () => this.places.insertGazetteer(entry),
        `the gazetteer already has the address "${entry.address}"`,
      );
      this.audit.created(actor, "gazetteer", id, entry);
      return id;
    })();
    return this.get(id);
  }

  update(id: number, patch: GazetteerPatch, actor: Actor): GazetteerView {
    const before = found(this.places.gazetteerEntry(id), "gazetteer entry", id);
    const changes: GazetteerColumns = {};
    if (patch.address !== undefined) changes.address = normalisedOrRefused(patch.address);
    if (patch.lat !== undefined) changes.lat = patch.lat;
    if (patch.lng !== undefined) changes.lng = patch.lng;
    if (patch.source !== undefined) changes.source = patch.source;
    this.db.transaction(() => {
      uniquely(
        () => this.places.updateGazetteer(id, changes),
        `the gazetteer already has the address "${changes.address}"`,
      );
      const diff = diffRecords(before, { ...before, ...changes });
      if (Object.keys(diff).length > 0) this.audit.updated(actor, "gazetteer", id, diff);
    })();
    return this.get(id);
  }

  /** Nothing references an entry: households keep the coordinates they were given. */
  delete(id: number, actor: Actor): void {
    const before = found(this.places.gazetteerEntry(id), "gazetteer entry", id);
    this.db.transaction(() => {
      this.places.deleteGazetteer(id);
      this.audit.deleted(actor, "gazetteer", id, { address: before.address, lat: before.lat, lng: before.lng });
    })();
  }
}
