/**
 * Households: where help must go. A household is placed when it is written:
 * given coordinates are used as they are, otherwise its standard address is
 * looked up in the gazetteer; its grid is then found by point in polygon. A
 * household that cannot be placed, or lies outside every grid, is refused,
 * never stored where no one would be sent.
 */
import { HouseholdLocator, normaliseAddress } from "../geo/household-locator.ts";
import type { Db } from "../storage/database.ts";
import type { HealthAccess, ResidentDetailView } from "./health-access.ts";
import type { HouseholdColumns, HouseholdRecord, HouseholdRepo } from "./household-repo.ts";
import type { PlaceRepo } from "./place-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import { fieldError, found, RegistryError, refuseIfReferenced, uniquely } from "./registry-errors.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import { type HouseholdView, householdView, relativeView, toPage } from "./registry-views.ts";

export interface HouseholdInput {
  code: string;
  address: string;
  lat?: number | null | undefined;
  lng?: number | null | undefined;
  keyHolder?: string | null | undefined;
  accessNotes?: string | null | undefined;
}

export type HouseholdPatch = Partial<HouseholdInput>;

export interface HouseholdDetailView extends HouseholdView {
  residents: ResidentDetailView[];
  devices: { id: string; status: string; online: boolean; lastSeenAt: string | null }[];
}

type Placement = Pick<HouseholdRecord, "lat" | "lng" | "grid_id" | "location_source">;

export class HouseholdService {
  private readonly db: Db;
  private readonly households: HouseholdRepo;
  private readonly places: PlaceRepo;
  private readonly health: HealthAccess;
  private readonly audit: RegistryAudit;

  constructor(deps: {
    db: Db;
    households: HouseholdRepo;
    places: PlaceRepo;
    health: HealthAccess;
    audit: RegistryAudit;
  }) {
    this.db = deps.db;
    this.households = deps.households;
    this.places = deps.places;
    this.health = deps.health;
    this.audit = deps.audit;
  }

  list(query: ListQuery & { gridId?: number | undefined }): Page<HouseholdView> {
    const q = query.q === undefined ? undefined : normaliseAddress(query.q);
    return toPage(this.households.listHouseholds({ ...query, q }), query, (row) => this.view(row));
  }

  get(id: number): HouseholdView {
    return this.view(found(this.households.household(id), "household", id));
  }

  /** The household with its residents (health data as `viewer` may see it), their relatives, and its devices. */
  detail(id: number, viewer: Actor): HouseholdDetailView {
    const household = this.get(id);
    const via = `household:${id}`;
    return this.db.transaction(() => ({
      ...household,
      residents: this.households.residentsOf(id).map((resident) => ({
        ...this.health.present(resident, viewer, via),
        relatives: this.households.relativesOf(resident.id).map(relativeView),
      })),
      devices: this.households.devicesOf(id).map((d) => ({
        id: d.id,
        status: d.status,
        online: d.online === 1,
        lastSeenAt: d.last_seen_at,
      })),
    }))();
  }

  create(input: HouseholdInput, actor: Actor): HouseholdView {
    const address = normaliseAddress(input.address);
    if (address === "") throw fieldError("address", "must not be blank");
    const placement = this.place(input.code, address, input.lat ?? null, input.lng ?? null);
    const record = {
      code: input.code,
      address,
      ...placement,
      key_holder: input.keyHolder ?? null,
      access_notes: input.accessNotes ?? null,
    };
    const id = this.db.transaction(() => {
      const id = uniquely(
        () => this.households.insertHousehold(record),
        `a household with code ${input.code} already exists`,
      );
      this.audit.created(actor, "household", id, {
        code: record.code,
        address: record.address,
        lat: record.lat,
        lng: record.lng,
        gridId: record.grid_id,
        locationSource: record.location_source,
      });
      return id;
    })();
    return this.get(id);
  }

  update(id: number, patch: HouseholdPatch, actor: Actor): HouseholdView {
    const before = found(this.households.household(id), "household", id);
    const changes: HouseholdColumns = {};
    if (patch.code !== undefined) changes.code = patch.code;
    if (patch.address !== undefined) {
      changes.address = normaliseAddress(patch.address);
      if (changes.address === "") throw fieldError("address", "must not be blank");
    }
    if (patch.keyHolder !== undefined) changes.key_holder = patch.keyHolder;
    if (patch.accessNotes !== undefined) changes.access_notes = patch.accessNotes;
    if ((patch.lat === undefined) !== (patch.lng === undefined)) {
      throw fieldError(
        patch.lat === undefined ? "lat" : "lng",
        "give lat and lng together (both null: use the gazetteer)",
      );
    }
    const address = changes.address ?? before.address;
    const coordinatesGiven = patch.lat !== undefined;
    // An address change moves a household that was placed from the gazetteer; given coordinates stay as given.
    const addressMoves =
      changes.address !== undefined && changes.address !== before.address && before.location_source === "gazetteer";
    if (coordinatesGiven || addressMoves) {
      Object.assign(changes, this.place(changes.code ?? before.code, address, patch.lat ?? null, patch.lng ?? null));
    }
    this.db.transaction(() => {
      uniquely(
        () => this.households.updateHousehold(id, changes),
        `a household with code ${patch.code} already exists`,
      );
      const diff = diffRecords(before, { ...before, ...changes });
      if (Object.keys(diff).length > 0) this.audit.updated(actor, "household", id, diff);
    })();
    return this.get(id);
  }

  /**
   * Only a household that no alarm and no device points at can go (with its
   * residents and relatives); one with history stays, so alarm history keeps
   * saying where help was sent.
   */
  delete(id: number, actor: Actor): void {
    const before = found(this.households.household(id), "household", id);
    this.db.transaction(() => {
      refuseIfReferenced(
        "household",
        id,
        this.households.householdReferences(id),
        "it is kept for alarm history; unbind or revoke its devices so it can no longer raise alarms",
      );
      const residents = this.households.residentsOf(id).map((r) => r.id);
      this.households.deleteHousehold(id);
      this.audit.deleted(actor, "household", id, { code: before.code, address: before.address, residents });
    })();
  }

  private view(row: HouseholdRecord): HouseholdView {
    return householdView(row, this.places.gridSummary(row.grid_id));
  }

  private place(code: string, address: string, lat: number | null, lng: number | null): Placement {
    const locator = new HouseholdLocator(this.places.gridOutlines(), (a) => this.places.gazetteerPoint(a));
    const result = locator.locate({ address, lat, lng });
    if (result.ok) {
      return { lat: result.lat, lng: result.lng, grid_id: result.grid.id, location_source: result.source };
    }
    switch (result.code) {
      case "OUTSIDE_ALL_GRIDS":
        throw new RegistryError(
          "HOUSEHOLD_OUTSIDE_GRIDS",
          `household ${code} is not stored: ${result.message}; no grid would answer for it (add or widen a grid first)`,
          { code, address },
        );
      case "ADDRESS_NOT_IN_GAZETTEER":
        throw new RegistryError(
          "ADDRESS_NOT_IN_GAZETTEER",
          `household ${code} is not stored: ${result.message}; give lat and lng, or add the address to the gazetteer`,
          { code, address },
        );
      case "COORDINATES_INVALID":
        throw fieldError(lat === null ? "lat" : "lng", result.message);
    }
  }
}
