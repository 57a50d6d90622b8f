/**
 * Households: where help must go. A household is placed when it is written:
 * given coordinates are used as they are, otherwise its standard address is
 * looked up in the gazetteer; its grid is then found by point in polygon. A
 * household that cannot be placed, or lies outside every grid, is refused,
 * never stored where no one would be sent.
 */
import { AnxinError, fieldError, found, refuseIfReferenced, uniquely } from "../errors.ts";
import { HouseholdLocator, normaliseAddress } from "../geo/household-locator.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { HealthAccess, ResidentDetailView } from "./health-access.ts";
import type { HouseholdColumns, HouseholdRecord, HouseholdRepo } from "./household-repo.ts";
import type { PlaceRepo } from "./place-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import { type HouseholdView, householdView, relativeView, toPageReading } from "./registry-views.ts";

export interface HouseholdInput {
  code: string;
  address: string;
  lat?: number | null | undefined;
  lng?: number | null | undefined;
  keyHolder?: string | null | undefined;
  accessNotes?: string | null | undefined;
  landline?: string | null | undefined;
  keyHolderPhone?: string | null | undefined;
}

export type HouseholdPatch = Partial<HouseholdInput>;

export interface HouseholdDetailView extends HouseholdView {
  residents: ResidentDetailView[];
  devices: { id: string; status: string; online: boolean; lastSeenAt: string | null }[];
}

type Placement = Pick<HouseholdRecord, "lat" | "lng" | "grid_id" | "location_source">;

export class HouseholdService {
  private readonly sql: SqlDatabase;
  private readonly households: HouseholdRepo;
  private readonly places: PlaceRepo;
  private readonly health: HealthAccess;
  private readonly audit: RegistryAudit;

  constructor(deps: {
    sql: SqlDatabase;
    households: HouseholdRepo;
    places: PlaceRepo;
    health: HealthAccess;
    audit: RegistryAudit;
  }) {
    this.sql = deps.sql;
    this.households = deps.households;
    this.places = deps.places;
    this.health = deps.health;
    this.audit = deps.audit;
  }

  async list(query: ListQuery & { gridId?: number | undefined }): Promise<Page<HouseholdView>> {
    const q = query.q === undefined ? undefined : normaliseAddress(query.q);
    return await toPageReading(await this.households.listHouseholds({ ...query, q }), query, (row) => this.view(row));
  }

  async get(id: number): Promise<HouseholdView> {
    return await this.view(found(await this.households.household(id), "household", id));
  }

  /** The household with its residents (health data as `viewer` may see it), their relatives, and its devices. */
  async detail(id: number, viewer: Actor): Promise<HouseholdDetailView> {
    const household = await this.get(id);
    const via = `household:${id}`;
    // One transaction: the residents, their relatives and the audit rows of what was shown agree.
    return await this.sql.transaction(async () => {
      const residents: ResidentDetailView[] = [];
      for (const resident of await this.households.residentsOf(id)) {
        residents.push({
          ...(await this.health.present(resident, viewer, via)),
          relatives: (await this.households.relativesOf(resident.id)).map(relativeView),
        });
      }
      const devices = (await this.households.devicesOf(id)).map((d) => ({
        id: d.id,
        status: d.status,
        online: d.online === 1,
        lastSeenAt: d.last_seen_at,
      }));
      return { ...household, residents, devices };
    });
  }

  async create(input: HouseholdInput, actor: Actor): Promise<HouseholdView> {
    const address = normaliseAddress(input.address);
    if (address === "") throw fieldError("address", "must not be blank");
    const placement = await this.place(input.code, address, input.lat ?? null, input.lng ?? null);
    const record = {
      code: input.code,
      address,
      ...placement,
      key_holder: input.keyHolder ?? null,
      access_notes: input.accessNotes ?? null,
      landline: input.landline ?? null,
      key_holder_phone: input.keyHolderPhone ?? null,
    };
    const id = await this.sql.transaction(async () => {
      const id = await uniquely(
        () => this.households.insertHousehold(record),
        `a household with code ${input.code} already exists`,
      );
      await this.audit.created(actor, "household", id, {
        code: record.code,
        address: record.address,
        lat: record.lat,
        lng: record.lng,
        gridId: record.grid_id,
        locationSource: record.location_source,
      });
      return id;
    });
    return await this.get(id);
  }

  async update(id: number, patch: HouseholdPatch, actor: Actor): Promise<HouseholdView> {
    const before = found(await this.households.household(id), "household", id);
    const changes: HouseholdColumns = {};
    if (patch.code !== undefined) changes.code = patch.code;
    if (patch.address !== undefined) {
      changes.address = normaliseAddress(patch.address);
      if (changes.address === "") throw fieldError("address", "must not be blank");
    }
    if (patch.keyHolder !== undefined) changes.key_holder = patch.keyHolder;
    if (patch.accessNotes !== undefined) changes.access_notes = patch.accessNotes;
    if (patch.landline !== undefined) changes.landline = patch.landline;
    if (patch.keyHolderPhone !== undefined) changes.key_holder_phone = patch.keyHolderPhone;
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
      Object.assign(
        changes,
        await this.place(changes.code ?? before.code, address, patch.lat ?? null, patch.lng ?? null),
      );
    }
    await this.sql.transaction(async () => {
      await uniquely(
        () => this.households.updateHousehold(id, changes),
        `a household with code ${patch.code} already exists`,
      );
      const diff = diffRecords(before, { ...before, ...changes });
      if (Object.keys(diff).length > 0) await this.audit.updated(actor, "household", id, diff);
    });
    return await this.get(id);
  }

  /**
   * Only a household that no alarm and no device points at can go (with its
   * residents and relatives); one with history stays, so alarm history keeps
   * saying where help was sent.
   */
  async delete(id: number, actor: Actor): Promise<void> {
    const before = found(await this.households.household(id), "household", id);
    await this.sql.transaction(async () => {
      refuseIfReferenced(
        "household",
        id,
        await this.households.householdReferences(id),
        "it is kept for alarm history; unbind or revoke its devices so it can no longer raise alarms",
      );
      const residents = (await this.households.residentsOf(id)).map((r) => r.id);
      await this.households.deleteHousehold(id);
      await this.audit.deleted(actor, "household", id, { code: before.code, address: before.address, residents });
    });
  }

  private async view(row: HouseholdRecord): Promise<HouseholdView> {
    return householdView(row, await this.places.gridSummary(row.grid_id));
  }

  private async place(code: string, address: string, lat: number | null, lng: number | null): Promise<Placement> {
    // The locator asks the gazetteer only when no coordinates are given: then it is read first.
    const known =
      lat === null && lng === null ? await this.places.gazetteerPoint(normaliseAddress(address)) : undefined;
    const locator = new HouseholdLocator(await this.places.gridOutlines(), () => known);
    const result = locator.locate({ address, lat, lng });
    if (result.ok) {
      return { lat: result.lat, lng: result.lng, grid_id: result.grid.id, location_source: result.source };
    }
    switch (result.code) {
      case "OUTSIDE_ALL_GRIDS":
        throw new AnxinError(
          "HOUSEHOLD_OUTSIDE_GRIDS",
          `household ${code} is not stored: ${result.message}; no grid would answer for it (add or widen a grid first)`,
          { code, address },
        );
      case "ADDRESS_NOT_IN_GAZETTEER":
        throw new AnxinError(
          "ADDRESS_NOT_IN_GAZETTEER",
          `household ${code} is not stored: ${result.message}; give lat and lng, or add the address to the gazetteer`,
          { code, address },
        );
      case "COORDINATES_INVALID":
        throw fieldError(lat === null ? "lat" : "lng", result.message);
    }
  }
}
